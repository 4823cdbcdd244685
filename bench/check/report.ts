import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { hotKeyLimit } from './bench-catalog.js';
import type { BatchComparison } from './batch-throughput.js';
import type { CheckComparison } from './check-h2load.js';
import type { HotKeyResult } from './hot-key.js';
import { fmt, type Row } from './table.js';

/** The table rows and notes of one part of the benchmark. */
export interface Section {
  rows: Row[];
  notes: string[];
}

export function checkSection(check: CheckComparison): Section {
  const { baseline: b, tollgate: t, shape } = check;
  const throughputRatio = t.maxRps / b.maxRps;
  const delta = (tollgate: number, baseline: number) => tollgate - baseline;
  const latencyRow = (measurement: string, baseline: number, tollgate: number, limitMs: number): Row => ({
    measurement,
    baseline: fmt.ms(baseline),
    tollgate: fmt.ms(tollgate),
    comparison: fmt.deltaMs(delta(tollgate, baseline)),
    target: `≤ +${limitMs.toFixed(3)} ms`,
    pass: delta(tollgate, baseline) <= limitMs,
  });
  const atRate = `at ${fmt.rate(check.fixedRate)} req/s (½ no-op max; -c${shape.fixedRateConnections} -m${shape.streamsPerConnection}), ms`;
  return {
    rows: [
      {
        measurement: `Check max throughput, req/s (h2load -c${shape.connections} -m${shape.streamsPerConnection})`,
        baseline: fmt.rate(b.maxRps),
        tollgate: fmt.rate(t.maxRps),
        comparison: fmt.ratio(throughputRatio),
        target: '≥ 0.85×',
        pass: throughputRatio >= 0.85,
      },
      latencyRow(`Check p50 ${atRate}`, b.p50Ms, t.p50Ms, 0.1),
      latencyRow(`Check p99 ${atRate}`, b.p99Ms, t.p99Ms, 0.3),
      latencyRow('Check p50, one call at a time (h2load -c1 -m1), ms', b.serialP50Ms, t.serialP50Ms, 0.1),
      latencyRow('Check p99, one call at a time (h2load -c1 -m1), ms', b.serialP99Ms, t.serialP99Ms, 0.3),
      ...(check.referenceMaxRps === undefined
        ? []
        : [
            {
              measurement: 'Check max throughput vs a no-op on plain node:http2, the fast path\'s transport (context)',
              baseline: fmt.rate(check.referenceMaxRps),
              tollgate: fmt.rate(t.maxRps),
              comparison: fmt.ratio(t.maxRps / check.referenceMaxRps),
              target: '—',
            },
          ]),
      {
        measurement: `Server CPU per Check at ${fmt.rate(check.fixedRate)} req/s, µs (context)`,
        baseline: fmt.us(b.cpuUsPerRequest),
        tollgate: fmt.us(t.cpuUsPerRequest),
        comparison: b.cpuUsPerRequest && t.cpuUsPerRequest ? fmt.ratio(t.cpuUsPerRequest / b.cpuUsPerRequest) : 'n/a',
        target: '—',
      },
      {
        measurement: 'Redis round trips/decision, hot key under its limit (h2load max runs)',
        baseline: '—',
        tollgate: check.roundTripsPerDecision === undefined ? 'n/a' : fmt.fraction(check.roundTripsPerDecision),
        comparison: '—',
        target: '≤ 0.1',
        pass: check.roundTripsPerDecision === undefined ? undefined : check.roundTripsPerDecision <= 0.1,
      },
    ],
    notes: [
      `- Check: each server in its own process; h2load (1 thread) posts a framed CheckRequest for one key (t000/check, cost 1)`,
      `  with content-type: application/grpc and te: trailers. Medians of ${shape.rounds} interleaved runs of ${shape.durationS} s after ${shape.warmUpS} s warm-up.`,
      `  Max throughput ratio round by round: ${check.roundThroughputRatios.map((r) => r.toFixed(2)).join(', ')}.`,
      `  Latency is h2load's per-request "time for request"; percentiles from its --log-file (its summary has none).`,
      `  Fixed rate: ${shape.fixedRateConnections} connections × --rps ${check.fixedRate / shape.fixedRateConnections}, opened ${Math.max(1, Math.round(10 / shape.fixedRateConnections))} ms apart (-r 1 --rate-period), ${shape.durationS} s each.`,
      `  h2load paces --rps with a timer of at least 10 ms and sends every request due at each tick; staggering the`,
      `  connections spreads the ticks, yet requests still arrive ~${Math.round(check.fixedRate / 1000)} at a time every ms, and latency at this`,
      `  rate includes draining those, which magnifies any per-request cost. "One call at a time" has no queueing at all.`,
      `  Server CPU: the server process's user+system time (all threads, /proc) over the fixed-rate runs / requests served;`,
      `  less sensitive than throughput to other programs on the machine, though not immune. Redis's CPU is not included.`,
    ],
  };
}

/** Both key distributions share one note. */
export function batchSections(batches: BatchComparison[]): Section {
  const [first] = batches;
  const notes = [
    `- Batch: a load generator in a process of its own (bench/check/batch-loadgen.ts, raw node:http2 like h2load) with`,
    `  ${first.shape.connections} connections × ${first.shape.streamLevels.join('/')} CheckBatch calls of ${first.shape.itemsPerCall} items in flight (the fastest in its warm-up), posting pre-encoded framed requests round-robin`,
    `  from a pool built from the seeded key sequence, and checking each answer (grpc-status 0, every item a decision),`,
    `  vs rate-limiter-flexible RateLimiterRedis.consume() on ioredis (auto-pipelining on, as the sidecar's own client)`,
    `  at its best in-flight level of ${first.shape.consumeLevels.join(', ')} (tried for ${first.shape.warmUpS} s each); same Redis, same seeded sequence`,
    `  over ${first.keys} tenant×feature keys (uniform; zipf with exponent 0.99), medians of ${first.shape.rounds} × ${first.shape.durationS} s, rounds interleaved.`,
    `  Everything shares the machine's ${cpus().length} cores: servers, Redis, the load generator and rate-limiter-flexible's process.`,
    ...batches.map(
      (b) =>
        `  ${b.distribution}: CheckBatch streams per connection ${b.streamLevelRates.map(([level, rate]) => `${level} → ${fmt.rate(rate)}/s`).join(', ')}; measured at ${b.streamsPerConnection}.` +
        ` consume() levels ${b.consumeLevelRates.map(([level, rate]) => `${level} → ${fmt.rate(rate)}/s`).join(', ')}; measured at ${b.consumesInFlight}.` +
        ` Load generator CPU ${(b.loadgenCpuShare * 100).toFixed(0)} % of a core; allowed ${(b.allowedShare * 100).toFixed(1)} % of items.`,
    ),
  ];
  const trips = batches.filter((b) => b.roundTripsPerDecision !== undefined);
  if (trips.length > 0) {
    notes.push(`  Sidecar Redis round trips per decision during CheckBatch: ${trips.map((b) => `${b.distribution} ${fmt.fraction(b.roundTripsPerDecision ?? Number.NaN)}`).join(', ')};`);
    notes.push(`  decisions made without Redis (a script call over the 50 ms timeout): ${trips.map((b) => `${b.distribution} ${b.degradedDecisions ?? 0}`).join(', ')}.`);
  }
  return { rows: batches.map(batchRow), notes };
}

function batchRow(batch: BatchComparison): Row {
  const ratio = batch.tollgate / batch.rateLimiterFlexible;
  return {
    measurement: `Decisions/s, ${batch.keys} keys ${batch.distribution}: RLF consume() vs CheckBatch ×${batch.shape.itemsPerCall}`,
    baseline: fmt.rate(batch.rateLimiterFlexible),
    tollgate: fmt.rate(batch.tollgate),
    comparison: fmt.ratio(ratio),
    target: '≥ 5×',
    pass: ratio >= 5,
  };
}

export function hotKeySection(hot: HotKeyResult): Section {
  const offered = hot.decisions / hot.elapsedS;
  const notes = [
    `- Hot key: ${hot.shape.callsInFlight} Check calls in flight on t000/hot (${hotKeyLimit.perSecond}/s, burst ${hotKeyLimit.burst}) for ${hot.elapsedS.toFixed(2)} s,`,
    `  started once the batch rows' leases had expired and been returned (their returns are Redis calls too):`,
    `  ${hot.decisions} decisions, ${hot.admitted} admitted, ${hot.degraded} degraded (decided without Redis); lease hits per decision`,
    `  ${fmt.fraction(hot.leaseHitsPerDecision)}. Round trips and decisions from the sidecar's /metrics; admitted counted from the answers.`,
  ];
  if (offered < 2 * hotKeyLimit.perSecond) {
    notes.push('  WARNING: offered load was under twice the key\'s rate, so the over-admission row says little.');
  }
  return {
    rows: [
      {
        measurement: `Redis round trips/decision, hot key over its limit (${fmt.rate(offered)} req/s)`,
        baseline: '—',
        tollgate: fmt.fraction(hot.roundTripsPerDecision),
        comparison: '—',
        target: '≤ 0.1',
        pass: hot.roundTripsPerDecision <= 0.1,
      },
      {
        measurement: 'Hot key admitted: burst + rate × elapsed vs measured',
        baseline: fmt.rate(hot.theoreticalMax),
        tollgate: fmt.rate(hot.admitted),
        comparison: `+${hot.overAdmission} over`,
        target: `≤ +${hot.bound} (lease max_tokens)`,
        pass: hot.overAdmission <= hot.bound,
      },
    ],
    notes,
  };
}

/** A part that could not be measured still shows up, with the reason. */
export function failedSection(part: string, err: unknown): Section {
  const message = (err as Error)?.message ?? String(err);
  return {
    rows: [{ measurement: `${part}: not measured`, baseline: 'error', tollgate: 'error', comparison: '—', target: '—' }],
    notes: [`- ${part} failed: ${message.split('\n')[0]}`],
  };
}

export function header(options: { quick: boolean; standIn: boolean; elapsedS: number; loadAtStart: number }): string {
  const h2loadVersion = execFileSync('h2load', ['--version']).toString().trim();
  const mode = options.standIn ? ' — STAND-IN MODE: the "tollgate" column is a second no-op server, not the sidecar' : '';
  const busy = Math.max(options.loadAtStart, loadavg()[0]) > cpus().length;
  return [
    `bench:check${options.quick ? ' (quick)' : ''}${mode}`,
    ...(busy ? [`WARNING: the load average exceeded the ${cpus().length} cores: other programs competed for the CPU and the numbers are noisy.`] : []),
    [
      new Date().toISOString(),
      `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
      `node ${process.version}`,
      h2loadVersion,
      `${options.elapsedS.toFixed(0)} s`,
      `load average ${options.loadAtStart.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end`,
    ].join(' · '),
  ].join('\n');
}
