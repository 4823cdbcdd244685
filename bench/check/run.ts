import { mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisServer } from '../../tests/harness/redis.js';
import { compareBatch, type BatchComparison } from './batch-throughput.js';
import { compareCheck, type CheckComparison } from './check-h2load.js';
import { ensureH2load } from './h2load.js';
import { hotKeyLimit } from './bench-catalog.js';
import { hotKeyOverAdmission, type HotKeyResult } from './hot-key.js';
import { fmt, formatTable, type Row } from './table.js';
import { startNoopTarget, startSidecarTarget, type Target } from './targets.js';

/**
 * `npm run bench:check`: the sidecar's decision path against baselines measured in the same run.
 *   --stand-in  put a second no-op server where the sidecar goes (to exercise the harness itself)
 *   --quick     shorter runs, for working on the harness; numbers are noisier
 */
const flags = new Set(process.argv.slice(2));
const standIn = flags.has('--stand-in');
const quick = flags.has('--quick');

const checkShape = { connections: 4, streamsPerConnection: 16, durationS: quick ? 1 : 3, warmUpS: 1, rounds: quick ? 1 : 3 };
const batchShape = { itemsPerCall: 100, callsInFlight: 8, durationS: quick ? 1 : 3, warmUpS: 1, rounds: quick ? 1 : 3 };
const hotKeyShape = { callsInFlight: 64, durationS: quick ? 2 : 4 };

async function main(): Promise<void> {
  ensureH2load();
  const workDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-check-'));
  const started: { stop(): Promise<void> }[] = [];
  const startedAt = Date.now();
  const loadAtStart = loadavg()[0];
  try {
    const redis = await RedisServer.start();
    started.push(redis);
    const baseline = await startNoopTarget('no-op grpc-js server');
    started.push(baseline);
    const tollgate: Target = standIn ? await startNoopTarget('no-op stand-in') : await startSidecarTarget('tollgate sidecar', redis.url);
    started.push(tollgate);

    log(`check: h2load -c${checkShape.connections} -m${checkShape.streamsPerConnection}, ${checkShape.rounds} rounds of ${checkShape.durationS} s per side and load`);
    const check = await compareCheck(baseline, tollgate, checkShape, workDir);
    log(`batch: CheckBatch ×${batchShape.itemsPerCall} vs rate-limiter-flexible consume(), ${batchShape.rounds} rounds of ${batchShape.durationS} s`);
    const batch = await compareBatch(tollgate.grpcAddress, tollgate.metricsUrl, redis.url, batchShape);
    let hotKey: HotKeyResult | undefined;
    if (tollgate.metricsUrl) {
      log(`hot key: ${hotKeyShape.callsInFlight} Check calls in flight on one key for ${hotKeyShape.durationS} s`);
      hotKey = await hotKeyOverAdmission(tollgate.grpcAddress, tollgate.metricsUrl, hotKeyShape);
    }

    const elapsedS = (Date.now() - startedAt) / 1000;
    process.stdout.write(`\n${header(elapsedS, loadAtStart)}\n\n${formatTable(rows(check, batch, hotKey))}\n\n${notes(check, batch, hotKey)}\n`);
  } finally {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  }
}

function rows(check: CheckComparison, batch: BatchComparison, hot?: HotKeyResult): Row[] {
  const { baseline: b, tollgate: t } = check;
  const throughputRatio = t.maxRps / b.maxRps;
  const p50Delta = t.p50Ms - b.p50Ms;
  const p99Delta = t.p99Ms - b.p99Ms;
  const serialP50Delta = t.serialP50Ms - b.serialP50Ms;
  const serialP99Delta = t.serialP99Ms - b.serialP99Ms;
  const batchRatio = batch.tollgate / batch.rateLimiterFlexible;
  const shape = `h2load -c${check.shape.connections} -m${check.shape.streamsPerConnection}`;
  const list: Row[] = [
    { measurement: `Check max throughput, req/s (${shape})`, baseline: fmt.rate(b.maxRps), tollgate: fmt.rate(t.maxRps), comparison: fmt.ratio(throughputRatio), target: '≥ 0.85×', pass: throughputRatio >= 0.85 },
    { measurement: `Check p50 at ${fmt.rate(check.fixedRate)} req/s (½ no-op max), ms`, baseline: fmt.ms(b.p50Ms), tollgate: fmt.ms(t.p50Ms), comparison: fmt.deltaMs(p50Delta), target: '≤ +0.100 ms', pass: p50Delta <= 0.1 },
    { measurement: `Check p99 at ${fmt.rate(check.fixedRate)} req/s (½ no-op max), ms`, baseline: fmt.ms(b.p99Ms), tollgate: fmt.ms(t.p99Ms), comparison: fmt.deltaMs(p99Delta), target: '≤ +0.300 ms', pass: p99Delta <= 0.3 },
    { measurement: 'Check p50, one call at a time (h2load -c1 -m1), ms', baseline: fmt.ms(b.serialP50Ms), tollgate: fmt.ms(t.serialP50Ms), comparison: fmt.deltaMs(serialP50Delta), target: '≤ +0.100 ms', pass: serialP50Delta <= 0.1 },
    { measurement: 'Check p99, one call at a time (h2load -c1 -m1), ms', baseline: fmt.ms(b.serialP99Ms), tollgate: fmt.ms(t.serialP99Ms), comparison: fmt.deltaMs(serialP99Delta), target: '≤ +0.300 ms', pass: serialP99Delta <= 0.3 },
    {
      measurement: `Decisions/s, ${batch.keys} keys uniform: RLF consume() vs CheckBatch ×${batch.shape.itemsPerCall}`,
      baseline: fmt.rate(batch.rateLimiterFlexible),
      tollgate: fmt.rate(batch.tollgate),
      comparison: fmt.ratio(batchRatio),
      target: '≥ 5×',
      pass: batchRatio >= 5,
    },
    {
      measurement: 'Redis round trips/decision, hot key under its limit (the h2load max runs)',
      baseline: '—',
      tollgate: check.roundTripsPerDecision === undefined ? 'n/a' : fmt.fraction(check.roundTripsPerDecision),
      comparison: '—',
      target: '≤ 0.1',
      pass: check.roundTripsPerDecision === undefined ? undefined : check.roundTripsPerDecision <= 0.1,
    },
  ];
  if (!hot) return list;
  const offered = Math.round(hot.decisions / hot.elapsedS);
  return [
    ...list,
    {
      measurement: `Redis round trips/decision, hot key over its limit (${fmt.rate(offered)} req/s offered)`,
      baseline: '—',
      tollgate: fmt.fraction(hot.roundTripsPerDecision),
      comparison: '—',
      target: '≤ 0.1',
      pass: hot.roundTripsPerDecision <= 0.1,
    },
    {
      measurement: 'Hot key admitted: burst + rate × elapsed (baseline) vs measured',
      baseline: fmt.rate(hot.theoreticalMax),
      tollgate: fmt.rate(hot.admitted),
      comparison: `+${hot.overAdmission} over`,
      target: `≤ +${hot.bound} (lease max_tokens)`,
      pass: hot.overAdmission <= hot.bound,
    },
  ];
}

function header(elapsedS: number, loadAtStart: number): string {
  const h2loadVersion = execFileSync('h2load', ['--version']).toString().trim();
  const mode = standIn ? ' — STAND-IN MODE: the "tollgate" column is a second no-op server, not the sidecar' : '';
  return [
    `bench:check${quick ? ' (quick)' : ''}${mode}`,
    `${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · node ${process.version} · ${h2loadVersion} · ${elapsedS.toFixed(0)} s · load average ${loadAtStart.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end`,
  ].join('\n');
}

function notes(check: CheckComparison, batch: BatchComparison, hot?: HotKeyResult): string {
  const lines = [
    `- Check: every server in its own process; h2load (1 thread) posts a framed CheckRequest for one key (t000/check, cost 1) with`,
    `  content-type: application/grpc and te: trailers. Medians of ${check.shape.rounds} interleaved runs of ${check.shape.durationS} s after ${check.shape.warmUpS} s warm-up;`,
    `  latency = h2load's per-request "time for request", percentiles from its --log-file; fixed rate = --rps ${check.fixedRate / check.shape.connections} per connection.`,
    `  h2load paces --rps with a timer of at least 10 ms and sends all requests due at each tick: the fixed-rate runs arrive in`,
    `  bursts of ~${Math.round(check.fixedRate / 100)}, so their latency is mostly burst drain time; "one call at a time" has no queueing.`,
    `- Batch: one grpc-js client, ${batch.shape.callsInFlight} CheckBatch calls of ${batch.shape.itemsPerCall} items in flight; rate-limiter-flexible RateLimiterRedis on ioredis`,
    `  (auto-pipelining on), ${batch.consumesInFlight} consume() in flight; same Redis, same seeded key sequence; medians of ${batch.shape.rounds} × ${batch.shape.durationS} s.`,
    `  The driver (client encoding/decoding, rate-limiter-flexible itself) shares the machine's ${cpus().length} cores with the servers and Redis.`,
  ];
  if (batch.roundTripsPerDecision !== undefined) lines.push(`  Sidecar Redis round trips per decision during CheckBatch: ${fmt.fraction(batch.roundTripsPerDecision)}.`);
  if (hot) {
    lines.push(
      `- Hot key: ${hot.shape.callsInFlight} Check calls in flight on t000/hot (${hotKeyLimit.perSecond}/s, burst ${hotKeyLimit.burst}) for ${hot.elapsedS.toFixed(2)} s: ${hot.decisions} decisions,`,
      `  ${hot.admitted} admitted; lease hits per decision ${fmt.fraction(hot.leaseHitsPerDecision)}. Round trips and decisions from the sidecar's /metrics.`,
    );
    if (hot.decisions / hot.elapsedS < 2 * hotKeyLimit.perSecond) {
      lines.push(`  WARNING: offered load was under twice the key's rate; the over-limit rows say little about over-admission.`);
    }
  }
  return lines.join('\n');
}

function log(message: string): void {
  process.stderr.write(`bench:check ${message}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:check failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
