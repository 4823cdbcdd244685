import type { SidecarConfig } from '../../../common/config/schema.js';
import type { EntitlementSnapshot, FeatureEntitlement } from '../../../common/snapshot.js';
import { emptyDecision, type CheckInput, type CommitResult, type Decision, type EntitlementDecision, type Reservation, type ReserveInput } from '../domain/decision.js';
import { entitlementDenial, resolveEntitlement } from '../domain/entitlement.js';
import { limitTarget } from '../domain/limit-target.js';
import { respond } from '../domain/respond.js';
import { Outcome } from '../domain/token-bucket.js';
import type { Decider, SnapshotSource } from '../ports.js';
import type { ApplyResult, BucketStore, LimitTarget } from './bucket-store.js';
import { KeyState, type DecisionSink, type PendingCheck } from './key-state.js';
import type { MemoryBucketStore } from '../adapters/memory-bucket-store.js';
import type { StoreHealth } from './store-health.js';
import { Reservations } from './reservations.js';

export interface EngineMetrics {
  /** `startedMs` from performance.now(). */
  decided(decision: Decision, startedMs: number): void;
  leaseHit(): void;
}

export interface EngineDeps {
  snapshots: SnapshotSource;
  store: BucketStore;
  /** Per-sidecar buckets for decisions while `store` is unreachable. */
  fallback: MemoryBucketStore;
  health: StoreHealth;
  settings: SidecarConfig;
  metrics: EngineMetrics;
  nowMs?: () => number;
  onStoreError?: (err: unknown) => void;
}

/**
 * The decision engine. Entitlement is decided from the in-memory snapshot; counters in the store. Hot keys are
 * served from leases (blocks of tokens taken from the shared bucket), and checks that arrive while a script call
 * for their key is in flight wait and go together in the next one. Both keep the shared bucket exact: every token
 * spent locally was taken from it first.
 */
export class QuotaEngine implements Decider {
  /** tenant → feature → state: two lookups of the request's own strings, no key string built per check. */
  private readonly keys = new Map<string, Map<string, KeyState>>();
  private readonly degradedTargets = new Map<string, { target: LimitTarget; seeded: number }>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly nowMs: () => number;

  private readonly reservations: Reservations;

  constructor(private readonly deps: EngineDeps) {
    this.nowMs = deps.nowMs ?? Date.now;
    this.reservations = new Reservations(deps, this.nowMs);
    deps.health.onRecover(() => this.reconcileDegraded());
    this.sweeper = setInterval(() => this.returnExpiredLeases(), Math.max(20, deps.settings.leases.ttl_ms));
    this.sweeper.unref();
  }

  checkEntitlement(tenantId: string, featureId: string): EntitlementDecision {
    const e = resolveEntitlement(this.deps.snapshots.get(tenantId), featureId);
    const snapshot = e.snapshot;
    return { allowed: e.ok, reason: e.ok ? 'OK' : e.reason, planId: snapshot?.plan_id ?? '', snapshotVersion: snapshot?.version ?? 0 };
  }

  check(input: CheckInput): Promise<Decision> {
    return Promise.resolve(this.checkNow(input));
  }

  /** A decision, synchronously when no Redis call is needed (entitlement-only, lease hits): the hot path. */
  checkNow(input: CheckInput): Decision | Promise<Decision> {
    const waiting = new AwaitedDecision();
    return this.decideInto(input, waiting, 0, performance.now()) ?? waiting.promise();
  }

  /**
   * The decision for `input`, returned when it needs no Redis call (entitlement-only, lease hits, the common case);
   * otherwise undefined, and `sink.decided(index, …)` receives it once the key's script call answers. No Promise or
   * closure per check: CheckBatch answers a whole batch through one sink. `started` is performance.now() at arrival.
   */
  decideInto(input: CheckInput, sink: DecisionSink, index: number, started: number): Decision | undefined {
    const snapshot = this.deps.snapshots.get(input.tenantId);
    const denied = entitlementDenial(snapshot, input.featureId);
    if (denied) return this.decided(emptyDecision(false, denied, snapshot?.version ?? 0), started);
    const feature = snapshot!.features[input.featureId]!;
    if (input.cost === 0 || (!feature.rate_limit && !feature.quota)) return this.decided(this.shadowed(emptyDecision(true, 'OK', snapshot!.version), feature), started);

    const now = this.nowMs();
    const state = this.keyState(input.tenantId, input.featureId);
    const target = this.cachedTarget(state, snapshot!, input.featureId, feature, now);
    const version = snapshot!.version;
    const leases = this.deps.settings.leases;
    const demand = state.touch(now, leases.ttl_ms);

    const fromLease = this.spendLease(state, target, input.cost, input.dryRun, version, now);
    if (fromLease) {
      if (this.shouldTopUp(state, now)) void this.topUp(state, target, feature, version);
      return this.decided(this.shadowed(fromLease, feature), started);
    }
    if (!this.deps.health.up) {
      void this.degraded(target, feature, input, version, state).then((d) => sink.decided(index, this.decided(this.shadowed(d, feature), started)));
      return undefined;
    }
    state.pending.push({ cost: input.cost, dryRun: input.dryRun, sink, index, started });
    if (!state.inFlight || !this.deps.settings.coalesce) void this.flush(state, target, feature, version, demand);
    return undefined;
  }

  private decided(decision: Decision, started: number): Decision {
    this.deps.metrics.decided(decision, started);
    return decision;
  }

  /** A feature in shadow mode: the decision is recorded as made, and flagged so the caller allows. */
  private shadowed(decision: Decision, feature: FeatureEntitlement): Decision {
    if (feature.shadow) decision.shadow = true;
    return decision;
  }

  private keyState(tenantId: string, featureId: string): KeyState {
    let byFeature = this.keys.get(tenantId);
    if (!byFeature) this.keys.set(tenantId, (byFeature = new Map()));
    let state = byFeature.get(featureId);
    if (!state) byFeature.set(featureId, (state = new KeyState(tenantId, featureId)));
    return state;
  }

  private *states(): IterableIterator<KeyState> {
    for (const byFeature of this.keys.values()) yield* byFeature.values();
  }

  /** The key's limits, recomputed only when its snapshot changes or its quota period ends. */
  private cachedTarget(state: KeyState, snapshot: EntitlementSnapshot, featureId: string, feature: FeatureEntitlement, now: number): LimitTarget {
    const cached = state.target;
    if (cached && state.targetSnapshot === snapshot && (!cached.quota || now < cached.quota.period.endMs)) return cached;
    const target = this.target(snapshot, featureId, feature, now);
    state.target = target;
    state.targetSnapshot = snapshot;
    return target;
  }

  private spendLease(state: KeyState, target: LimitTarget, cost: number, dryRun: boolean, version: number, now: number): Decision | undefined {
    const lease = state.lease;
    if (!lease || lease.expiresAtMs <= now || lease.tokens < cost || !target.rate) return undefined;
    if (target.quota && lease.periodId !== target.quota.period.id) return undefined;
    if (!dryRun) lease.tokens -= cost;
    this.deps.metrics.leaseHit();
    const consumed = lease.granted - lease.tokens;
    const used = lease.baseUsed + consumed;
    const overage = target.quota && !target.quota.hard && used > target.quota.limit;
    const outcome = overage ? Outcome.AllowedOverage : Outcome.Allowed;
    return respond(target, outcome, lease.baseTokens + lease.tokens * target.rate.interval_us, used, cost, now, version);
  }

  /**
   * A lease down to a quarter is refilled in the background, so hot keys rarely wait on Redis. (Refilling earlier
   * would help only keys that drain a whole lease within one round trip, and those wait whatever the threshold;
   * each refill takes `max_tokens` minus what is left, so an earlier one means more round trips per decision.)
   */
  private shouldTopUp(state: KeyState, now: number): boolean {
    const lease = state.lease;
    return !!lease && !state.inFlight && this.deps.health.up && lease.tokens * 4 < lease.granted && lease.expiresAtMs - now > 0;
  }

  private async topUp(state: KeyState, target: LimitTarget, feature: FeatureEntitlement, version: number): Promise<void> {
    const lease = state.lease!;
    const leases = this.deps.settings.leases;
    // The lease never holds more than max_tokens: that is the documented over-admission bound.
    const want = Math.min(leaseSize(Math.max(state.hitsInWindow, state.hitsPrevWindow), target.rate!.burst, leases), leases.max_tokens - lease.tokens);
    if (want <= 0) return;
    state.inFlight = true;
    try {
      const result = await this.deps.store.apply(target, { ops: [], refundTokens: 0, refundQuota: 0, leaseWant: want });
      this.deps.health.reportSuccess();
      if (result.leased > 0 && state.lease === lease) {
        lease.tokens += result.leased;
        lease.granted = lease.tokens;
        lease.baseUsed = result.used - (target.quota ? lease.tokens : 0);
        lease.baseTokens = result.tokens;
        lease.expiresAtMs = this.nowMs() + leases.ttl_ms;
      } else if (result.leased > 0) {
        // The lease was given back meanwhile (shutdown): so is what this call took.
        const refund = { ops: [], refundTokens: result.leased, refundQuota: target.quota ? result.leased : 0, leaseWant: 0 };
        await this.deps.store.apply(target, refund).catch(() => undefined);
      }
    } catch (err) {
      this.deps.onStoreError?.(err);
      this.deps.health.reportFailure(err);
    } finally {
      state.inFlight = false;
      this.drain(state, target, feature, version);
    }
  }

  private async flush(state: KeyState, target: LimitTarget, feature: FeatureEntitlement, version: number, demand: number): Promise<void> {
    const batch = this.deps.settings.coalesce ? state.pending.splice(0) : state.pending.splice(0, 1);
    if (batch.length === 0) return;
    state.inFlight = true;
    const periodId = target.quota?.period.id ?? '-';
    // Reaching the store means the lease (if any) could not serve: its leftovers go back and a hot key takes a new one.
    const refund = state.takeLease(periodId);
    const leases = this.deps.settings.leases;
    const leaseWant = leases.enabled && target.rate && demand >= leases.hot_after ? leaseSize(demand, target.rate.burst, leases) : 0;
    let result: ApplyResult;
    try {
      result = await this.deps.store.apply(target, { ops: batch, refundTokens: refund.tokens, refundQuota: refund.quota, leaseWant });
    } catch (err) {
      state.inFlight = false;
      this.deps.onStoreError?.(err);
      this.deps.health.reportFailure(err);
      for (const p of batch) p.sink.decided(p.index, this.decided(this.shadowed(await this.degraded(target, feature, p, version, state), feature), p.started));
      this.drain(state, target, feature, version);
      return;
    }
    state.inFlight = false;
    this.deps.health.reportSuccess();
    state.lastUsed = result.used;
    const after = this.nowMs();
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i];
      const op = result.ops[i];
      p.sink.decided(p.index, this.decided(this.shadowed(respond(target, op.outcome, op.tokens, op.used, p.cost, after, version), feature), p.started));
    }
    if (result.leased > 0) {
      state.lease = {
        tokens: result.leased,
        granted: result.leased,
        expiresAtMs: after + leases.ttl_ms,
        baseUsed: result.used - (target.quota ? result.leased : 0),
        baseTokens: result.tokens,
        periodId,
      };
    }
    this.drain(state, target, feature, version);
  }

  /** Checks that queued during a script call: served from a fresh lease where possible, else the next call. */
  private drain(state: KeyState, target: LimitTarget, feature: FeatureEntitlement, version: number): void {
    if (state.pending.length === 0) return;
    const now = this.nowMs();
    const rest: PendingCheck[] = [];
    for (const p of state.pending) {
      const d = this.spendLease(state, target, p.cost, p.dryRun, version, now);
      if (d) p.sink.decided(p.index, this.decided(this.shadowed(d, feature), p.started));
      else rest.push(p);
    }
    state.pending = rest;
    if (rest.length > 0 && !state.inFlight) void this.flush(state, target, feature, version, Math.max(state.hitsInWindow, state.hitsPrevWindow));
  }

  private async degraded(target: LimitTarget, feature: FeatureEntitlement, op: { cost: number; dryRun: boolean }, version: number, state: KeyState): Promise<Decision> {
    const now = this.nowMs();
    if (feature.on_store_failure === 'closed') {
      return { ...emptyDecision(false, 'STORE_UNAVAILABLE', version), degraded: true, limit: target.rate?.burst ?? target.quota?.limit ?? 0 };
    }
    const key = `${target.tenantId}\u0000${target.featureId}\u0000${target.quota?.period.id ?? '-'}`;
    if (!this.degradedTargets.has(key)) {
      // Start from the last quota use this sidecar saw, so a hard quota is not handed out again from zero.
      const seeded = target.quota ? state.lastUsed : 0;
      if (seeded > 0) await this.deps.fallback.addQuotaUsage(target, seeded);
      this.degradedTargets.set(key, { target, seeded });
    }
    const r = await this.deps.fallback.apply(target, { ops: [op], refundTokens: 0, refundQuota: 0, leaseWant: 0 });
    const o = r.ops[0];
    return respond(target, o.outcome, o.tokens, o.used, op.cost, now, version, true);
  }

  /** After an outage: quota units admitted locally are added to the shared counters, so none go uncounted. */
  private async reconcileDegraded(): Promise<void> {
    for (const [key, { target, seeded }] of this.degradedTargets) {
      const units = this.deps.fallback.quotaUsed(target) - seeded;
      if (units > 0) await this.deps.store.addQuotaUsage(target, units);
      this.deps.fallback.forget(target);
      this.degradedTargets.delete(key);
    }
  }

  private returnExpiredLeases(): void {
    if (!this.deps.health.up) return;
    const now = this.nowMs();
    for (const [tenantId, byFeature] of this.keys) {
      for (const [featureId, state] of byFeature) {
        if (state.inFlight) continue;
        if (state.lease && state.lease.expiresAtMs <= now) {
          this.returnExpiredLease(state, now);
        } else if (!state.lease && state.pending.length === 0 && now - state.lastSeenMs > 60_000) {
          byFeature.delete(featureId);
          if (byFeature.size === 0) this.keys.delete(tenantId);
        }
      }
    }
  }

  private returnExpiredLease(state: KeyState, now: number): void {
    const snapshot = this.deps.snapshots.get(state.tenantId);
    const feature = snapshot?.features[state.featureId];
    if (!snapshot || !feature) {
      state.lease = undefined;
      return;
    }
    const target = this.target(snapshot, state.featureId, feature, now);
    const refund = state.takeExpiredLease(now, target.quota?.period.id ?? '-');
    if (refund.tokens === 0) return;
    state.inFlight = true;
    this.deps.store
      .apply(target, { ops: [], refundTokens: refund.tokens, refundQuota: refund.quota, leaseWant: 0 })
      .catch((err) => {
        this.deps.onStoreError?.(err);
        this.deps.health.reportFailure(err);
      })
      .finally(() => {
        state.inFlight = false;
        this.drain(state, target, feature, snapshot.version);
      });
  }

  /** Gives every outstanding lease back to the store (graceful shutdown). */
  async returnAllLeases(): Promise<void> {
    clearInterval(this.sweeper);
    const now = this.nowMs();
    const returns: Promise<unknown>[] = [];
    for (const state of this.states()) {
      const lease = state.lease;
      if (!lease || lease.tokens === 0) continue;
      state.lease = undefined;
      const snapshot = this.deps.snapshots.get(state.tenantId);
      const feature = snapshot?.features[state.featureId];
      if (!snapshot || !feature) continue;
      const target = this.target(snapshot, state.featureId, feature, now);
      const sameperiod = lease.periodId === (target.quota?.period.id ?? '-');
      returns.push(
        this.deps.store.apply(target, { ops: [], refundTokens: lease.tokens, refundQuota: sameperiod && target.quota ? lease.tokens : 0, leaseWant: 0 }).catch(() => undefined),
      );
    }
    await Promise.all(returns);
  }

  reserve(input: ReserveInput): Promise<Reservation> {
    return this.reservations.reserve(input);
  }

  commit(tenantId: string, reservationId: string, actual: number): Promise<CommitResult> {
    return this.reservations.settle(tenantId, reservationId, actual);
  }

  async release(tenantId: string, reservationId: string): Promise<boolean> {
    return (await this.reservations.settle(tenantId, reservationId, 'release')).settled;
  }

  private target(snapshot: EntitlementSnapshot, featureId: string, feature: FeatureEntitlement, nowMs: number): LimitTarget {
    return limitTarget(snapshot, featureId, feature, nowMs);
  }

  /** Whole tokens this sidecar holds in leases (for tests and metrics). */
  leasedTokens(): number {
    let n = 0;
    for (const s of this.states()) n += s.lease?.tokens ?? 0;
    return n;
  }

  stop(): void {
    clearInterval(this.sweeper);
  }
}

/** Turns the one decision a Check may wait for into a Promise; allocated per Check, the Promise only when it waits. */
class AwaitedDecision implements DecisionSink {
  private resolve?: (decision: Decision) => void;
  private result?: Decision;

  decided(_index: number, decision: Decision): void {
    if (this.resolve) this.resolve(decision);
    else this.result = decision;
  }

  promise(): Promise<Decision> {
    return this.result ? Promise.resolve(this.result) : new Promise((resolve) => (this.resolve = resolve));
  }
}

/**
 * A lease covers the key's expected demand for one lease window, so it is mostly spent before it expires; never
 * more than max_tokens (the over-admission bound) nor an eighth of the burst (so one sidecar cannot park the bucket).
 */
export function leaseSize(demand: number, burst: number, leases: { hot_after: number; max_tokens: number }): number {
  return Math.max(1, Math.min(leases.max_tokens, Math.ceil(burst / 8), Math.max(leases.hot_after, demand)));
}
