import type { RateLimitSpec } from '../../../common/snapshot.js';

/**
 * The token bucket and period quota arithmetic, as pure functions over plain state. The Redis Lua scripts
 * (sidecar/lua/check-4.lua) implement exactly this; the in-memory store (embedded mode and degraded decisions)
 * runs it directly. Tokens are scaled by the refill interval in microseconds so every step is integer arithmetic.
 */
export interface BucketState {
  /** Scaled tokens: whole tokens × interval_us. */
  tokens: number;
  /** Microseconds of the last refill. */
  ts: number;
}

export const enum Outcome {
  Allowed = 0,
  RateLimited = 1,
  QuotaExhausted = 2,
  AllowedOverage = 3,
}

export interface QuotaParams {
  limit: number;
  hard: boolean;
}

export function capacity(rate: RateLimitSpec): number {
  return rate.burst * rate.interval_us;
}

export function refill(state: BucketState | undefined, rate: RateLimitSpec, nowUs: number): BucketState {
  const cap = capacity(rate);
  if (!state) return { tokens: cap, ts: nowUs };
  let tokens = state.tokens;
  if (nowUs > state.ts && tokens < cap) {
    const elapsed = nowUs - state.ts;
    tokens = elapsed >= (cap - tokens) / rate.tokens ? cap : tokens + elapsed * rate.tokens;
  }
  return { tokens, ts: Math.max(nowUs, state.ts) };
}

/** Decides one check against refilled state; returns the outcome and the state after it. */
export function decide(
  tokens: number,
  used: number,
  cost: number,
  dryRun: boolean,
  rate: RateLimitSpec | undefined,
  quota: QuotaParams | undefined,
): { outcome: Outcome; tokens: number; used: number } {
  if (cost === 0) return { outcome: Outcome.Allowed, tokens, used };
  if (quota && quota.hard && used + cost > quota.limit) return { outcome: Outcome.QuotaExhausted, tokens, used };
  if (rate && cost * rate.interval_us > tokens) return { outcome: Outcome.RateLimited, tokens, used };
  const outcome = quota && !quota.hard && used + cost > quota.limit ? Outcome.AllowedOverage : Outcome.Allowed;
  if (dryRun) return { outcome, tokens, used };
  return { outcome, tokens: rate ? tokens - cost * rate.interval_us : tokens, used: quota ? used + cost : used };
}

/** Milliseconds until the bucket is full again. */
export function msUntilFull(tokens: number, rate: RateLimitSpec): number {
  const missing = capacity(rate) - tokens;
  return missing <= 0 ? 0 : Math.ceil(missing / rate.tokens / 1000);
}

/** Milliseconds until `cost` tokens are available; Infinity when cost exceeds the burst. */
export function msUntilAvailable(tokens: number, cost: number, rate: RateLimitSpec): number {
  if (cost > rate.burst) return Infinity;
  const missing = cost * rate.interval_us - tokens;
  return missing <= 0 ? 0 : Math.ceil(missing / rate.tokens / 1000);
}

export function wholeTokens(tokens: number, rate: RateLimitSpec): number {
  return Math.floor(tokens / rate.interval_us);
}
