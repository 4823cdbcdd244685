import type { EntitlementSnapshot } from '../../../common/snapshot.js';
import type { CheckOp, LimitTarget } from './bucket-store.js';
import type { Decision } from '../domain/decision.js';

/** Tokens (and as many quota units) taken from the shared bucket in one block, spent locally until expiry. */
export interface Lease {
  tokens: number;
  /** Whole tokens granted, for overage accounting. */
  granted: number;
  expiresAtMs: number;
  /** Quota units used before the lease was granted (soft quota overage). */
  baseUsed: number;
  /** Scaled bucket tokens left in the shared store after the grant (for `remaining`). */
  baseTokens: number;
  periodId: string;
}

/** Receives the decisions that had to wait for the store; `index` is the caller's own (a batch item's position). */
export interface DecisionSink {
  decided(index: number, decision: Decision): void;
}

/** A check waiting for its key's next script call. No closure per check: the sink and index say where it goes. */
export interface PendingCheck extends CheckOp {
  sink: DecisionSink;
  index: number;
  /** performance.now() when the check arrived, for the decision-latency metric. */
  started: number;
}

/** Per (tenant, feature) local state: the lease, checks waiting for the in-flight script call, and hotness. */
export class KeyState {
  constructor(
    readonly tenantId: string,
    readonly featureId: string,
  ) {}

  lease?: Lease;
  pending: PendingCheck[] = [];
  inFlight = false;
  windowStartMs = 0;
  hitsInWindow = 0;
  hitsPrevWindow = 0;
  lastSeenMs = 0;
  /** Quota units the store reported last (seeds degraded decisions). */
  lastUsed = 0;
  /** Limits resolved from `targetSnapshot`, reused until the snapshot changes or the quota period ends. */
  target?: LimitTarget;
  targetSnapshot?: EntitlementSnapshot;

  /** Counts a decision; returns the key's demand: decisions per window, the larger of this window and the last. */
  touch(nowMs: number, windowMs: number): number {
    this.lastSeenMs = nowMs;
    if (nowMs - this.windowStartMs >= windowMs) {
      // A window with no decisions in between means no recent demand to carry over.
      this.hitsPrevWindow = nowMs - this.windowStartMs < 2 * windowMs ? this.hitsInWindow : 0;
      this.windowStartMs = nowMs;
      this.hitsInWindow = 0;
    }
    this.hitsInWindow++;
    return Math.max(this.hitsInWindow, this.hitsPrevWindow);
  }

  /** An expired lease's leftovers, removed from the key so the next script call returns them. */
  takeExpiredLease(nowMs: number, periodId: string): { tokens: number; quota: number } {
    const lease = this.lease;
    if (!lease || (lease.expiresAtMs > nowMs && lease.periodId === periodId)) return { tokens: 0, quota: 0 };
    return this.takeLease(periodId);
  }

  /** The lease's leftovers, removed from the key (a check it could not serve renews it). */
  takeLease(periodId: string): { tokens: number; quota: number } {
    const lease = this.lease;
    if (!lease) return { tokens: 0, quota: 0 };
    this.lease = undefined;
    // Quota units of a lease from an earlier period belong to a counter nobody reads any more.
    return { tokens: lease.tokens, quota: lease.periodId === periodId ? lease.tokens : 0 };
  }
}
