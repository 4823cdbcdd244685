import type { RateLimitSpec } from '../../../common/snapshot.js';
import type { Period } from '../domain/period.js';
import type { Outcome } from '../domain/token-bucket.js';

/** What one (tenant, feature) is limited by, resolved from its snapshot at decision time. */
export interface LimitTarget {
  tenantId: string;
  featureId: string;
  rate?: RateLimitSpec;
  quota?: { limit: number; hard: boolean; period: Period; ttlSeconds: number };
}

export interface CheckOp {
  cost: number;
  dryRun: boolean;
}

export interface ApplyRequest {
  ops: CheckOp[];
  /** Whole tokens and quota units of an expired lease, returned before deciding. */
  refundTokens: number;
  refundQuota: number;
  /** Whole tokens to lease after deciding (0 = none). */
  leaseWant: number;
}

export interface OpResult {
  outcome: Outcome;
  /** Scaled tokens after this op (-1 without a rate limit). */
  tokens: number;
  /** Quota units used after this op. */
  used: number;
}

export interface ApplyResult {
  ops: OpResult[];
  tokens: number;
  used: number;
  leased: number;
}

export interface ReserveResult {
  outcome: Outcome;
  tokens: number;
  used: number;
  /** The id was reserved before; nothing new was taken. */
  existing: boolean;
  estimate: number;
  expiresInMs: number;
}

export interface SettleResult {
  settled: boolean;
  estimate: number;
  used: number;
}

export interface ReservationRecord {
  featureId: string;
  periodId: string;
}

/** Where buckets and quota counters live: Redis (shared, exact across sidecars) or this process's memory. */
export interface BucketStore {
  apply(target: LimitTarget, request: ApplyRequest): Promise<ApplyResult>;
  reserve(target: LimitTarget, reservationId: string, estimate: number, ttlMs: number): Promise<ReserveResult>;
  findReservation(tenantId: string, reservationId: string): Promise<ReservationRecord | undefined>;
  /** `actual` = units used; 'release' gives the whole estimate back. `target.quota.period` is the reservation's. */
  settle(target: LimitTarget, reservationId: string, actual: number | 'release'): Promise<SettleResult>;
  /** Adds units to a period counter (quota usage decided while the shared store was unreachable). */
  addQuotaUsage(target: LimitTarget, units: number): Promise<void>;
}
