import { durationSeconds, rateAt, type Scenario } from '../workloads.js';

export interface Outcome {
  ok: boolean;
  /** Refusals counted (a batch can refuse several items). */
  denied: number;
}

export interface ArrivalStats {
  requests: number;
  errors: number;
  denied: number;
  dropped: number;
  seconds: number;
  latenciesMs: Float64Array;
}

/**
 * Open-loop arrivals, like k6's ramping-arrival-rate: requests start on schedule whether or not earlier ones have
 * answered (so a slow server shows up as latency, not as a lower rate); beyond `maxInFlight` an arrival is
 * dropped and counted, as k6 counts dropped_iterations when it runs out of VUs.
 */
export async function runArrivals(scenario: Scenario, fire: () => Promise<Outcome>, maxInFlight: number): Promise<ArrivalStats> {
  const total = durationSeconds(scenario);
  let latencies = new Float64Array(1 << 16);
  let requests = 0;
  let errors = 0;
  let denied = 0;
  let dropped = 0;
  let inFlight = 0;
  let due = 0;
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  let last = start;

  const launch = () => {
    inFlight++;
    const t0 = performance.now();
    const p = fire()
      .then(
        (o) => {
          if (!o.ok) errors++;
          denied += o.denied;
        },
        () => {
          errors++;
        },
      )
      .finally(() => {
        const ms = performance.now() - t0;
        if (requests === latencies.length) {
          const grown = new Float64Array(latencies.length * 2);
          grown.set(latencies);
          latencies = grown;
        }
        latencies[requests++] = ms;
        inFlight--;
        pending.delete(p);
      });
    pending.add(p);
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const t = (now - start) / 1000;
      if (t >= total) return resolve();
      // Integrate the rate over the slice since the last tick (trapezoid), then start what is due.
      due += ((rateAt(scenario, (last - start) / 1000) + rateAt(scenario, t)) / 2) * ((now - last) / 1000);
      last = now;
      while (due >= 1) {
        due -= 1;
        if (inFlight >= maxInFlight) dropped++;
        else launch();
      }
      setImmediate(tick);
    };
    tick();
  });
  await Promise.all([...pending]);
  return { requests, errors, denied, dropped, seconds: total, latenciesMs: latencies.subarray(0, requests) };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
