import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { packageRoot } from '../../common/paths.js';
import type { LoadgenOptions, LoadgenRound } from './batch-loadgen.js';
import { keySequence, type Distribution } from './key-distribution.js';
import { roundTripCounters, scrapeCounters } from './metrics.js';
import { median } from './stats.js';

export interface BatchShape {
  itemsPerCall: number;
  /** The load generator's HTTP/2 connections, and the CheckBatch streams in flight on each tried during its warm-up. */
  connections: number;
  streamLevels: number[];
  /** rate-limiter-flexible consume() calls in flight tried during its warm-up; the best is measured. */
  consumeLevels: number[];
  durationS: number;
  warmUpS: number;
  rounds: number;
}

export interface BatchComparison {
  shape: BatchShape;
  distribution: Distribution;
  keys: number;
  /** The consume() level measured: the fastest of `shape.consumeLevels` in the warm-up. */
  consumesInFlight: number;
  /** Likewise for the load generator: CheckBatch streams per connection, and the rate of each level tried. */
  streamsPerConnection: number;
  streamLevelRates: Array<[level: number, rate: number]>;
  /** Decisions/s of each level tried in the warm-up. */
  consumeLevelRates: Array<[level: number, rate: number]>;
  rateLimiterFlexible: number;
  tollgate: number;
  /** Median of the load generator's own CPU per second of its rounds (1.0 = one core busy). */
  loadgenCpuShare: number;
  /** Items answered allowed / decisions (1 here: limits are far above the load). */
  allowedShare: number;
  /** On the sidecar, over the measured CheckBatch rounds, when it has /metrics. */
  roundTripsPerDecision?: number;
  /** Decisions made without Redis (a script call timed out) over those rounds, when it has /metrics. */
  degradedDecisions?: number;
}

/** Runs `workers` loops until the deadline; each loop iteration returns how many decisions it completed. */
async function decisionsPerSecond(workers: number, durationS: number, step: () => Promise<number>): Promise<number> {
  let decisions = 0;
  const startedAt = performance.now();
  const deadline = startedAt + durationS * 1000;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < deadline) {
        // Not `decisions += await …`: that reads `decisions` before the await and loses the other workers' counts.
        const completed = await step();
        decisions += completed;
      }
    }),
  );
  return decisions / ((performance.now() - startedAt) / 1000);
}

/** The load generator process (batch-loadgen.ts), commanded one round at a time over stdin. */
class LoadgenProcess {
  private readonly lines: AsyncIterator<string>;
  private constructor(private readonly child: ReturnType<typeof spawn>) {
    this.lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  }

  static async start(options: LoadgenOptions): Promise<LoadgenProcess> {
    const child = spawn(process.execPath, [resolve(packageRoot, 'dist/bench/check/batch-loadgen.js'), JSON.stringify(options)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const p = new LoadgenProcess(child);
    child.once('exit', (code) => {
      if (code) process.stderr.write(`bench:check load generator exited with ${code}: ${stderr}\n`);
    });
    const ready = await p.next();
    if (!ready) throw new Error(`load generator did not start: ${stderr}`);
    return p;
  }

  private async next(): Promise<unknown> {
    const line = await this.lines.next();
    return line.done ? undefined : JSON.parse(line.value);
  }

  async run(seconds: number, streams: number): Promise<LoadgenRound> {
    this.child.stdin!.write(`${JSON.stringify({ run: seconds, streams })}\n`);
    const round = (await this.next()) as LoadgenRound | undefined;
    if (!round) throw new Error('the load generator failed during a round (see stderr above)');
    return round;
  }

  stop(): void {
    this.child.stdin!.end(`${JSON.stringify({ exit: true })}\n`);
    setTimeout(() => this.child.kill('SIGKILL'), 2000).unref();
  }
}

export async function compareBatch(
  tollgateAddress: string,
  metricsUrl: string | undefined,
  redisUrl: string,
  shape: BatchShape,
  distribution: Distribution,
): Promise<BatchComparison> {
  // The same seeded sequence as the load generator's batches (batch-loadgen.ts builds them from keySequence too).
  const rlfKeys = keySequence(distribution, 100_000).map((k) => `${k.tenantId}:${k.featureId}`);

  const loadgen = await LoadgenProcess.start({
    address: tollgateAddress,
    distribution,
    itemsPerCall: shape.itemsPerCall,
    connections: shape.connections,
    streamsPerConnection: shape.streamLevels[0],
  });

  const redis = new Redis(redisUrl, { enableAutoPipelining: true });
  const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: `rlf-bench-${distribution}-${Date.now()}`, points: 1_000_000_000, duration: 3600 });
  let nextKey = 0;
  const rlfStep = async () => {
    try {
      await limiter.consume(rlfKeys[nextKey++ % rlfKeys.length], 1);
    } catch (err) {
      // A rejection is a decision too; anything else is a failure of the run.
      if (!(err instanceof RateLimiterRes)) throw err;
    }
    return 1;
  };

  const rlf: number[] = [];
  const tollgate: number[] = [];
  const loadgenCpu: number[] = [];
  let allowed = 0;
  let decided = 0;
  let trips = 0;
  let decisions = 0;
  let degraded = 0;
  const consumeLevelRates: Array<[number, number]> = [];
  const streamLevelRates: Array<[number, number]> = [];
  try {
    // Each side at its best: every in-flight level for one warm-up period, the fastest is measured.
    await loadgen.run(shape.warmUpS, shape.streamLevels[0]);
    for (const level of shape.streamLevels) {
      const r = await loadgen.run(shape.warmUpS, level);
      streamLevelRates.push([level, r.decisions / r.seconds]);
    }
    const [streamsPerConnection] = streamLevelRates.reduce((best, r) => (r[1] > best[1] ? r : best));
    for (const level of shape.consumeLevels) consumeLevelRates.push([level, await decisionsPerSecond(level, shape.warmUpS, rlfStep)]);
    const [consumesInFlight] = consumeLevelRates.reduce((best, r) => (r[1] > best[1] ? r : best));
    for (let round = 0; round < shape.rounds; round++) {
      const before = metricsUrl ? await scrapeCounters(metricsUrl, roundTripCounters) : undefined;
      const r = await loadgen.run(shape.durationS, streamsPerConnection);
      const after = metricsUrl ? await scrapeCounters(metricsUrl, roundTripCounters) : undefined;
      tollgate.push(r.decisions / r.seconds);
      loadgenCpu.push(r.cpuSeconds / r.seconds);
      allowed += r.allowed;
      decided += r.decisions;
      if (before && after) {
        trips += after.tollgate_redis_round_trips_total - before.tollgate_redis_round_trips_total;
        decisions += after.tollgate_decisions_total - before.tollgate_decisions_total;
        degraded += after.tollgate_degraded_decisions_total - before.tollgate_degraded_decisions_total;
      }
      rlf.push(await decisionsPerSecond(consumesInFlight, shape.durationS, rlfStep));
    }
    return {
      shape,
      distribution,
      keys: 1000,
      consumesInFlight,
      consumeLevelRates,
      streamsPerConnection,
      streamLevelRates,
      rateLimiterFlexible: median(rlf),
      tollgate: median(tollgate),
      loadgenCpuShare: median(loadgenCpu),
      allowedShare: decided > 0 ? allowed / decided : Number.NaN,
      roundTripsPerDecision: metricsUrl && decisions > 0 ? trips / decisions : undefined,
      degradedDecisions: metricsUrl ? degraded : undefined,
    };
  } finally {
    loadgen.stop();
    redis.disconnect();
  }
}
