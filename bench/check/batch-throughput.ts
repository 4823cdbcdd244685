import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { keySequence, type Distribution } from './key-distribution.js';
import { roundTripCounters, scrapeCounters } from './metrics.js';
import { SidecarQuotaClient } from '../../sidecar/src/client/quota-client.js';
import type { CheckItem } from '../../sidecar/src/api/check-wire.js';
import { median } from './stats.js';

export interface BatchShape {
  itemsPerCall: number;
  callsInFlight: number;
  durationS: number;
  warmUpS: number;
  rounds: number;
}

export interface BatchComparison {
  shape: BatchShape;
  distribution: Distribution;
  keys: number;
  /** rate-limiter-flexible consume() calls in flight: the same number of decisions as the batches carry. */
  consumesInFlight: number;
  rateLimiterFlexible: number;
  tollgate: number;
  /** On the sidecar, over the measured CheckBatch rounds, when it has /metrics. */
  roundTripsPerDecision?: number;
}

/** Runs `workers` loops until the deadline; each loop iteration returns how many decisions it completed. */
async function decisionsPerSecond(workers: number, durationS: number, step: (worker: number) => Promise<number>): Promise<number> {
  let decisions = 0;
  const startedAt = performance.now();
  const deadline = startedAt + durationS * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (performance.now() < deadline) {
        // Not `decisions += await …`: that reads `decisions` before the await and loses the other workers' counts.
        const completed = await step(worker);
        decisions += completed;
      }
    }),
  );
  return decisions / ((performance.now() - startedAt) / 1000);
}

export async function compareBatch(
  tollgateAddress: string,
  metricsUrl: string | undefined,
  redisUrl: string,
  shape: BatchShape,
  distribution: Distribution,
): Promise<BatchComparison> {
  const sequence = keySequence(distribution, 100_000);
  const batches: CheckItem[][] = [];
  for (let i = 0; i + shape.itemsPerCall <= sequence.length; i += shape.itemsPerCall) {
    batches.push(sequence.slice(i, i + shape.itemsPerCall).map((k) => ({ ...k, cost: 1, dryRun: false })));
  }
  const rlfKeys = sequence.map((k) => `${k.tenantId}:${k.featureId}`);
  const consumesInFlight = shape.itemsPerCall * shape.callsInFlight;

  // Tollgate's own client (direct codecs), as rate-limiter-flexible runs with its own client library.
  const client = new SidecarQuotaClient(tollgateAddress);
  let nextBatch = 0;
  const tollgateStep = async () => {
    const results = await client.checkBatch(batches[nextBatch++ % batches.length]);
    let decided = 0;
    for (const result of results) if (result.decision) decided++;
    if (decided !== results.length) throw new Error(`CheckBatch answered ${results.length - decided} items with errors`);
    return decided;
  };

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
  let trips = 0;
  let decisions = 0;
  try {
    await decisionsPerSecond(shape.callsInFlight, shape.warmUpS, tollgateStep);
    await decisionsPerSecond(consumesInFlight, shape.warmUpS, rlfStep);
    for (let round = 0; round < shape.rounds; round++) {
      const before = metricsUrl ? await scrapeCounters(metricsUrl, roundTripCounters) : undefined;
      tollgate.push(await decisionsPerSecond(shape.callsInFlight, shape.durationS, tollgateStep));
      const after = metricsUrl ? await scrapeCounters(metricsUrl, roundTripCounters) : undefined;
      if (before && after) {
        trips += after.tollgate_redis_round_trips_total - before.tollgate_redis_round_trips_total;
        decisions += after.tollgate_decisions_total - before.tollgate_decisions_total;
      }
      rlf.push(await decisionsPerSecond(consumesInFlight, shape.durationS, rlfStep));
    }
  } finally {
    client.close();
    redis.disconnect();
  }
  return {
    shape,
    distribution,
    keys: 1000,
    consumesInFlight,
    rateLimiterFlexible: median(rlf),
    tollgate: median(tollgate),
    roundTripsPerDecision: metricsUrl && decisions > 0 ? trips / decisions : undefined,
  };
}
