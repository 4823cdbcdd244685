import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import type { Decision } from './domain/decision.js';
import type { EngineMetrics } from './engine/quota-engine.js';

export interface SidecarMetrics extends EngineMetrics {
  registry: Registry;
  /** A call answered in the local call protocol (api/local-calls.ts), by gRPC status code. */
  localCallAnswered(code: number): void;
  localConnections(open: number): void;
  redisRoundTrip(seconds: number): void;
  storeUp(up: boolean): void;
  snapshots(count: number): void;
}

/**
 * A Prometheus histogram counted in plain typed arrays: observe() is a short loop and two additions, with no label
 * hashing or object per call (prom-client's observe() costs about as much as a lease-hit decision). Exposed to
 * prom-client's registry as a metric of its own (`get()` in the shape prom-client's histograms give).
 */
export class LocalHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly upperBounds: readonly number[],
    registry: Registry,
  ) {
    this.counts = new Float64Array(upperBounds.length);
    registry.registerMetric(this as unknown as Metric);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    const bounds = this.upperBounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        this.counts[i]++;
        return;
      }
    }
  }

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> }> {
    const bucket = `${this.name}_bucket`;
    let cumulative = 0;
    const values = this.upperBounds.map((le, i) => ({ metricName: bucket, labels: { le } as Record<string, string | number>, value: (cumulative += this.counts[i]) }));
    values.push(
      { metricName: bucket, labels: { le: '+Inf' }, value: this.count },
      { metricName: `${this.name}_sum`, labels: {}, value: this.sum },
      { metricName: `${this.name}_count`, labels: {}, value: this.count },
    );
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

/** Per-call counts kept in plain numbers, added to the prom-client counter when /metrics is scraped. */
function deferredCounter(counter: Counter<string>, labelled: boolean, labelName = 'reason'): { add(label: string): void; flush(): void } {
  const pending = new Map<string, number>();
  let unlabelled = 0;
  return {
    add(label: string) {
      if (!labelled) {
        unlabelled++;
        return;
      }
      pending.set(label, (pending.get(label) ?? 0) + 1);
    },
    flush() {
      if (!labelled) {
        if (unlabelled > 0) counter.inc(unlabelled);
        unlabelled = 0;
        return;
      }
      for (const [label, n] of pending) if (n > 0) counter.inc({ [labelName]: label }, n);
      pending.clear();
    },
  };
}

export function createSidecarMetrics(): SidecarMetrics {
  const registry = new Registry();
  // Event-loop lag sampled every 100 ms, not prom-client's default 10: 100 wake-ups a second cost an idle sidecar
  // ~10–20 ms of CPU a second on a small VM, and stalls worth alerting on last longer than that.
  collectDefaultMetrics({ register: registry, prefix: 'tollgate_process_', eventLoopMonitoringPrecision: 100 });
  // Counted per decision in plain numbers, added to the exported counters on each scrape (collect()).
  let decisionCounts: ReturnType<typeof deferredCounter> | undefined;
  let degradedCounts: ReturnType<typeof deferredCounter> | undefined;
  let leaseHitCounts: ReturnType<typeof deferredCounter> | undefined;
  const decisions = new Counter({
    name: 'tollgate_decisions_total',
    help: 'Decisions by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect: () => decisionCounts?.flush(),
  });
  decisionCounts = deferredCounter(decisions, true);
  const latency = new LocalHistogram(
    'tollgate_decision_seconds',
    'Time to decide, inside the sidecar (excludes gRPC transport)',
    [0.00002, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registry,
  );
  const roundTrips = new Counter({ name: 'tollgate_redis_round_trips_total', help: 'Script calls and reads sent to Redis for decisions', registers: [registry] });
  const redisLatency = new LocalHistogram(
    'tollgate_redis_call_seconds',
    'Duration of Redis calls on the decision path, failures included',
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registry,
  );
  const leaseHits = new Counter({
    name: 'tollgate_lease_hits_total',
    help: 'Decisions served from a local token lease without Redis',
    registers: [registry],
    collect: () => leaseHitCounts?.flush(),
  });
  leaseHitCounts = deferredCounter(leaseHits, false);
  const degraded = new Counter({
    name: 'tollgate_degraded_decisions_total',
    help: 'Decisions made without Redis (store unreachable)',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect: () => degradedCounts?.flush(),
  });
  degradedCounts = deferredCounter(degraded, true);
  let localCallCounts: ReturnType<typeof deferredCounter> | undefined;
  const localCalls = new Counter({
    name: 'tollgate_local_calls_total',
    help: 'Calls answered in the local call protocol on the unix socket, by gRPC status code',
    labelNames: ['code'],
    registers: [registry],
    collect: () => localCallCounts?.flush(),
  });
  localCallCounts = deferredCounter(localCalls, true, 'code');
  const localConnections = new Gauge({ name: 'tollgate_local_connections', help: 'Open connections in the local call protocol', registers: [registry] });
  const storeUp = new Gauge({ name: 'tollgate_store_up', help: '1 when Redis answers, 0 while decisions are degraded', registers: [registry] });
  const snapshots = new Gauge({ name: 'tollgate_snapshots', help: 'Tenants with an entitlement snapshot in memory', registers: [registry] });
  storeUp.set(1);
  const counts = { decisions: decisionCounts, degraded: degradedCounts, leaseHits: leaseHitCounts, localCalls: localCallCounts };
  return {
    registry,
    decided(decision: Decision, startedMs: number) {
      counts.decisions.add(decision.reason);
      if (decision.degraded) counts.degraded.add(decision.reason);
      latency.observe((performance.now() - startedMs) / 1000);
    },
    leaseHit: () => counts.leaseHits.add(''),
    redisRoundTrip: (seconds) => {
      roundTrips.inc();
      redisLatency.observe(seconds);
    },
    localCallAnswered: (code) => counts.localCalls.add(String(code)),
    localConnections: (open) => localConnections.set(open),
    storeUp: (up) => storeUp.set(up ? 1 : 0),
    snapshots: (count) => snapshots.set(count),
  };
}
