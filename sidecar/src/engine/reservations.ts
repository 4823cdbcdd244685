import { ulid } from 'ulid';
import { emptyDecision, type CommitResult, type Decision, type Reservation, type ReserveInput } from '../domain/decision.js';
import { resolveEntitlement } from '../domain/entitlement.js';
import { limitTarget } from '../domain/limit-target.js';
import { respond } from '../domain/respond.js';
import type { BucketStore } from './bucket-store.js';
import type { EngineDeps } from './quota-engine.js';

/**
 * Reserve → Commit / Release. A hold takes the estimate from bucket and quota at once (no leases: a reservation is
 * one script call); reservations made while Redis was down live in this sidecar's fallback store.
 */
export class Reservations {
  constructor(
    private readonly deps: EngineDeps,
    private readonly nowMs: () => number,
  ) {}

  async reserve(input: ReserveInput): Promise<Reservation> {
    const started = performance.now();
    const e = resolveEntitlement(this.deps.snapshots.get(input.tenantId), input.featureId);
    const id = input.reservationId || ulid();
    if (!e.ok) return this.reserved(emptyDecision(false, e.reason, e.snapshot?.version ?? 0), '', 0, started);
    const { snapshot, feature } = e;
    const ttl = input.ttlMs > 0 ? input.ttlMs : this.deps.settings.reservation_ttl_ms;
    const now = this.nowMs();
    const target = limitTarget(snapshot, input.featureId, feature, now);
    const useFallback = !this.deps.health.up;
    if (useFallback && feature.on_store_failure === 'closed') {
      return this.reserved({ ...emptyDecision(false, 'STORE_UNAVAILABLE', snapshot.version), degraded: true }, '', 0, started);
    }
    let r;
    try {
      r = await (useFallback ? this.deps.fallback : this.deps.store).reserve(target, id, input.estimate, ttl);
    } catch (err) {
      this.deps.onStoreError?.(err);
      this.deps.health.reportFailure(err);
      if (this.deps.health.up) throw err;
      return this.reserve(input);
    }
    if (r.existing) {
      const d = emptyDecision(true, 'OK', snapshot.version);
      return this.reserved({ ...d, degraded: useFallback }, id, r.expiresInMs, started);
    }
    const decision = respond(target, r.outcome, r.tokens, r.used, input.estimate, this.nowMs(), snapshot.version, useFallback);
    return this.reserved(decision, decision.allowed ? id : '', decision.allowed ? r.expiresInMs : 0, started);
  }

  private reserved(decision: Decision, reservationId: string, expiresInMs: number, started: number): Reservation {
    this.deps.metrics.decided(decision, started);
    return { decision, reservationId, expiresInMs };
  }

  async settle(tenantId: string, reservationId: string, actual: number | 'release'): Promise<CommitResult> {
    const snapshot = this.deps.snapshots.get(tenantId);
    const actualUnits = actual === 'release' ? 0 : actual;
    const unknown = { settled: false, estimate: 0, actual: actualUnits, overage: false };
    if (!snapshot) return unknown;
    // A reservation taken while Redis was down lives in this sidecar's fallback store.
    const local = await this.deps.fallback.findReservation(tenantId, reservationId);
    const owner: BucketStore = local ? this.deps.fallback : this.deps.store;
    const record = local ?? (await owner.findReservation(tenantId, reservationId));
    if (!record) return unknown;
    const feature = snapshot.features[record.featureId];
    if (!feature) return unknown;
    const now = this.nowMs();
    const target = limitTarget(snapshot, record.featureId, feature, now);
    if (target.quota && target.quota.period.id !== record.periodId) target.quota = { ...target.quota, period: { ...target.quota.period, id: record.periodId } };
    const r = await owner.settle(target, reservationId, actual);
    const overage = Boolean(target.quota && r.used > target.quota.limit);
    return { settled: r.settled, estimate: r.estimate, actual: actualUnits, overage };
  }

}
