import { isActiveStatus, type EntitlementSnapshot, type FeatureEntitlement } from '../../../common/snapshot.js';
import type { Reason } from './decision.js';

export type EntitlementResult =
  | { ok: true; snapshot: EntitlementSnapshot; feature: FeatureEntitlement }
  | { ok: false; reason: Reason; snapshot?: EntitlementSnapshot };

/** The part of a decision that needs no counter: is the tenant known, in good standing, and entitled? */
export function resolveEntitlement(snapshot: EntitlementSnapshot | undefined, featureId: string): EntitlementResult {
  if (!snapshot) return { ok: false, reason: 'UNKNOWN_TENANT' };
  if (!isActiveStatus(snapshot.status)) return { ok: false, reason: 'SUBSCRIPTION_INACTIVE', snapshot };
  const feature = snapshot.features[featureId];
  if (!feature) return { ok: false, reason: 'NOT_ENTITLED', snapshot };
  return { ok: true, snapshot, feature };
}
