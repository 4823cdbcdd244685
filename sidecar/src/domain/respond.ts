import type { LimitTarget } from '../engine/bucket-store.js';
import type { Decision, Reason } from './decision.js';
import { msUntilAvailable, msUntilFull, Outcome, wholeTokens } from './token-bucket.js';

const reasonOf: Record<Outcome, Reason> = {
  [Outcome.Allowed]: 'OK',
  [Outcome.RateLimited]: 'RATE_LIMITED',
  [Outcome.QuotaExhausted]: 'QUOTA_EXHAUSTED',
  [Outcome.AllowedOverage]: 'OK',
};

/**
 * Turns a store outcome and the state after it into the caller's decision. `limit`/`remaining`/`reset_after_ms`
 * describe the binding limit: the quota when it denied or when there is no rate limit, else the bucket.
 */
export function respond(
  target: LimitTarget,
  outcome: Outcome,
  tokens: number,
  used: number,
  cost: number,
  nowMs: number,
  snapshotVersion: number,
  degraded = false,
): Decision {
  const { rate, quota } = target;
  const allowed = outcome === Outcome.Allowed || outcome === Outcome.AllowedOverage;
  const quotaRemaining = quota ? Math.max(0, quota.limit - used) : 0;
  const quotaResetMs = quota ? Math.max(0, quota.period.endMs - nowMs) : 0;
  const quotaBinds = quota && (outcome === Outcome.QuotaExhausted || !rate);
  let retryAfterMs = 0;
  if (outcome === Outcome.RateLimited && rate) {
    const wait = msUntilAvailable(tokens, cost, rate);
    retryAfterMs = Number.isFinite(wait) ? Math.max(1, wait) : 0;
  } else if (outcome === Outcome.QuotaExhausted) {
    retryAfterMs = quotaResetMs;
  }
  return {
    allowed,
    reason: reasonOf[outcome],
    limit: quotaBinds ? quota.limit : (rate?.burst ?? 0),
    remaining: quotaBinds ? quotaRemaining : rate ? Math.max(0, wholeTokens(tokens, rate)) : 0,
    resetAfterMs: quotaBinds ? quotaResetMs : rate ? msUntilFull(tokens, rate) : 0,
    retryAfterMs,
    overage: outcome === Outcome.AllowedOverage,
    degraded,
    quotaLimit: quota?.limit ?? 0,
    quotaRemaining,
    snapshotVersion,
  };
}
