import type { EntitlementSnapshot, FeatureEntitlement } from '../../../common/snapshot.js';
import type { LimitTarget } from '../engine/bucket-store.js';
import { periodAt, quotaTtlSeconds } from './period.js';

/** What one (tenant, feature) is limited by at `nowMs`: its bucket and, with a quota, the current period. */
export function limitTarget(snapshot: EntitlementSnapshot, featureId: string, feature: FeatureEntitlement, nowMs: number): LimitTarget {
  const q = feature.quota;
  if (!q) return { tenantId: snapshot.tenant_id, featureId, rate: feature.rate_limit };
  const period = periodAt(q.period, nowMs, q.period === 'month' ? snapshot.period_anchor : undefined);
  return {
    tenantId: snapshot.tenant_id,
    featureId,
    rate: feature.rate_limit,
    quota: { limit: q.limit, hard: q.enforcement === 'hard', period, ttlSeconds: quotaTtlSeconds(period, nowMs) },
  };
}
