import { capacity, decide, Outcome, refill, type BucketState } from '../domain/token-bucket.js';
import type { ApplyRequest, ApplyResult, BucketStore, LimitTarget, OpResult, ReservationRecord, ReserveResult, SettleResult } from '../engine/bucket-store.js';

interface Hold {
  featureId: string;
  periodId: string;
  estimate: number;
  expiresMs: number;
}

/**
 * Buckets and quotas in this process's memory, with the same arithmetic as the Lua scripts. Used when no Redis is
 * configured (one sidecar, embedded) and, per sidecar, for degraded decisions while Redis is unreachable.
 */
export class MemoryBucketStore implements BucketStore {
  private readonly buckets = new Map<string, BucketState>();
  private readonly counters = new Map<string, number>();
  private readonly holds = new Map<string, Hold>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  private nowUs(): number {
    return this.nowMs() * 1000;
  }

  private bucketKey(t: LimitTarget): string {
    return `${t.tenantId}\u0000${t.featureId}`;
  }

  private quotaKey(t: LimitTarget, periodId: string): string {
    return `${t.tenantId}\u0000${t.featureId}\u0000${periodId}`;
  }

  private purgeExpired(t: LimitTarget, nowMs: number): void {
    for (const [id, hold] of this.holds) {
      if (hold.expiresMs > nowMs || !id.startsWith(`${t.tenantId}\u0000`)) continue;
      this.holds.delete(id);
      const key = this.quotaKey({ ...t, featureId: hold.featureId }, hold.periodId);
      this.counters.set(key, Math.max(0, (this.counters.get(key) ?? 0) - hold.estimate));
    }
  }

  async apply(target: LimitTarget, request: ApplyRequest): Promise<ApplyResult> {
    const now = this.nowUs();
    const rate = target.rate;
    const quota = target.quota;
    if (quota && this.holds.size > 0) this.purgeExpired(target, now / 1000);
    let tokens = -1;
    if (rate) {
      tokens = refill(this.buckets.get(this.bucketKey(target)), rate, now).tokens;
      tokens = Math.min(capacity(rate), tokens + request.refundTokens * rate.interval_us);
    }
    const qKey = quota ? this.quotaKey(target, quota.period.id) : '';
    let used = quota ? Math.max(0, (this.counters.get(qKey) ?? 0) - request.refundQuota) : 0;
    const ops: OpResult[] = [];
    for (const op of request.ops) {
      const step = decide(tokens, used, op.cost, op.dryRun, rate, quota);
      tokens = step.tokens;
      used = step.used;
      ops.push({ outcome: step.outcome, tokens, used });
    }
    let leased = 0;
    if (request.leaseWant > 0 && rate) {
      leased = Math.min(request.leaseWant, Math.floor(tokens / rate.interval_us));
      if (quota?.hard) leased = Math.min(leased, quota.limit - used);
      leased = Math.max(0, leased);
      tokens -= leased * rate.interval_us;
      if (quota) used += leased;
    }
    if (rate) this.buckets.set(this.bucketKey(target), { tokens, ts: now });
    if (quota) this.counters.set(qKey, used);
    return { ops, tokens, used, leased };
  }

  async reserve(target: LimitTarget, reservationId: string, estimate: number, ttlMs: number): Promise<ReserveResult> {
    const holdKey = `${target.tenantId}\u0000${reservationId}`;
    const existing = this.holds.get(holdKey);
    const nowMs = this.nowMs();
    if (existing) {
      return { outcome: Outcome.Allowed, tokens: -1, used: -1, existing: true, estimate: existing.estimate, expiresInMs: Math.max(0, existing.expiresMs - nowMs) };
    }
    const result = await this.apply(target, { ops: [{ cost: estimate, dryRun: false }], refundTokens: 0, refundQuota: 0, leaseWant: 0 });
    const op = result.ops[0];
    if (op.outcome === Outcome.Allowed || op.outcome === Outcome.AllowedOverage) {
      this.holds.set(holdKey, { featureId: target.featureId, periodId: target.quota?.period.id ?? '-', estimate, expiresMs: nowMs + ttlMs });
    }
    return { outcome: op.outcome, tokens: op.tokens, used: op.used, existing: false, estimate, expiresInMs: ttlMs };
  }

  async findReservation(tenantId: string, reservationId: string): Promise<ReservationRecord | undefined> {
    const hold = this.holds.get(`${tenantId}\u0000${reservationId}`);
    return hold ? { featureId: hold.featureId, periodId: hold.periodId } : undefined;
  }

  async settle(target: LimitTarget, reservationId: string, actual: number | 'release'): Promise<SettleResult> {
    const holdKey = `${target.tenantId}\u0000${reservationId}`;
    const hold = this.holds.get(holdKey);
    if (!hold || hold.expiresMs < this.nowMs()) return { settled: false, estimate: hold?.estimate ?? 0, used: -1 };
    this.holds.delete(holdKey);
    const delta = (actual === 'release' ? 0 : actual) - hold.estimate;
    if (target.rate && delta !== 0) {
      const key = this.bucketKey(target);
      const now = this.nowUs();
      const state = refill(this.buckets.get(key), target.rate, now);
      this.buckets.set(key, { tokens: Math.min(capacity(target.rate), state.tokens - delta * target.rate.interval_us), ts: now });
    }
    let used = -1;
    if (target.quota) {
      const key = this.quotaKey(target, hold.periodId);
      used = Math.max(0, (this.counters.get(key) ?? 0) + delta);
      this.counters.set(key, used);
    }
    return { settled: true, estimate: hold.estimate, used };
  }

  async addQuotaUsage(target: LimitTarget, units: number): Promise<void> {
    if (!target.quota) return;
    const key = this.quotaKey(target, target.quota.period.id);
    this.counters.set(key, (this.counters.get(key) ?? 0) + units);
  }

  /** Quota units this store counted for a target's current period (for reconciling after an outage). */
  quotaUsed(target: LimitTarget): number {
    return target.quota ? (this.counters.get(this.quotaKey(target, target.quota.period.id)) ?? 0) : 0;
  }

  forget(target: LimitTarget): void {
    this.buckets.delete(this.bucketKey(target));
    if (target.quota) this.counters.delete(this.quotaKey(target, target.quota.period.id));
  }
}
