import { hotKeyLimit, leaseSettings } from './bench-catalog.js';
import { perDecision, roundTripCounters, scrapeCounters } from './metrics.js';
import { QuotaClient } from './quota-client.js';

export interface HotKeyShape {
  callsInFlight: number;
  durationS: number;
}

export interface HotKeyResult {
  shape: HotKeyShape;
  decisions: number;
  admitted: number;
  /** Decided without Redis (a Redis call timed out): such decisions come from the local bucket. */
  degraded: number;
  /** burst + rate × elapsed, elapsed from the first call sent to the last answer received (generous to the sidecar). */
  theoreticalMax: number;
  elapsedS: number;
  overAdmission: number;
  /** The documented bound: per sidecar and key, at most one lease (max_tokens) beyond the bucket. */
  bound: number;
  roundTripsPerDecision: number;
  leaseHitsPerDecision: number;
}

/** One key (tenant t000, feature `hot`) driven far above its rate through one sidecar, every answer counted. */
export async function hotKeyOverAdmission(tollgateAddress: string, metricsUrl: string, shape: HotKeyShape): Promise<HotKeyResult> {
  const client = new QuotaClient(tollgateAddress);
  const before = await scrapeCounters(metricsUrl, roundTripCounters);
  let decisions = 0;
  let admitted = 0;
  let degraded = 0;
  const firstSentAt = performance.now();
  let lastAnsweredAt = firstSentAt;
  const deadline = firstSentAt + shape.durationS * 1000;
  try {
    await Promise.all(
      Array.from({ length: shape.callsInFlight }, async () => {
        while (performance.now() < deadline) {
          const response = await client.check({ tenantId: 't000', featureId: 'hot', cost: 1, dryRun: false });
          lastAnsweredAt = performance.now();
          decisions++;
          if (response.allowed) admitted++;
          else if (response.reason !== 'RATE_LIMITED') throw new Error(`hot key: unexpected denial ${response.reason}`);
          if (response.degraded) degraded++;
        }
      }),
    );
  } finally {
    client.close();
  }
  const after = await scrapeCounters(metricsUrl, roundTripCounters);
  const elapsedS = (lastAnsweredAt - firstSentAt) / 1000;
  const theoreticalMax = Math.floor(hotKeyLimit.burst + hotKeyLimit.perSecond * elapsedS);
  const leaseHits = after.tollgate_lease_hits_total - before.tollgate_lease_hits_total;
  const sidecarDecisions = after.tollgate_decisions_total - before.tollgate_decisions_total;
  return {
    shape,
    decisions,
    admitted,
    degraded,
    theoreticalMax,
    elapsedS,
    overAdmission: Math.max(0, admitted - theoreticalMax),
    bound: leaseSettings.max_tokens,
    roundTripsPerDecision: perDecision(before, after),
    leaseHitsPerDecision: sidecarDecisions > 0 ? leaseHits / sidecarDecisions : Number.NaN,
  };
}
