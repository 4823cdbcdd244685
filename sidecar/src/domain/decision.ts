/** What a check decides. A "no" is data with a reason, never an exception. */
export type Reason =
  | 'OK'
  | 'RATE_LIMITED'
  | 'QUOTA_EXHAUSTED'
  | 'NOT_ENTITLED'
  | 'SUBSCRIPTION_INACTIVE'
  | 'UNKNOWN_TENANT'
  | 'STORE_UNAVAILABLE';

export interface CheckInput {
  tenantId: string;
  featureId: string;
  /** Whole units, 0 ≤ cost ≤ 2^53-1; 0 = entitlement only. */
  cost: number;
  dryRun: boolean;
}

export interface Decision {
  allowed: boolean;
  reason: Reason;
  limit: number;
  remaining: number;
  resetAfterMs: number;
  retryAfterMs: number;
  overage: boolean;
  degraded: boolean;
  quotaLimit: number;
  quotaRemaining: number;
  snapshotVersion: number;
  /** Set when the feature is in shadow mode: the decision was recorded but the caller should allow. */
  shadow?: boolean;
}

export interface EntitlementDecision {
  allowed: boolean;
  reason: Reason;
  planId: string;
  snapshotVersion: number;
}

export interface ReserveInput {
  tenantId: string;
  featureId: string;
  estimate: number;
  ttlMs: number;
  reservationId?: string;
}

export interface Reservation {
  decision: Decision;
  reservationId: string;
  expiresInMs: number;
}

export interface CommitResult {
  settled: boolean;
  estimate: number;
  actual: number;
  overage: boolean;
}

export function emptyDecision(allowed: boolean, reason: Reason, snapshotVersion = 0): Decision {
  return {
    allowed,
    reason,
    limit: 0,
    remaining: 0,
    resetAfterMs: 0,
    retryAfterMs: 0,
    overage: false,
    degraded: false,
    quotaLimit: 0,
    quotaRemaining: 0,
    snapshotVersion,
  };
}
