import { isActiveStatus, type EntitlementSnapshot, type FeatureEntitlement } from '../../../common/snapshot.js';
import type { Reason } from './decision.js';

export type EntitlementResult =
  | { ok: true; snapshot: EntitlementSnapshot; feature: FeatureEntitlement }
  | { ok: false; reason: Reason; snapshot?: EntitlementSnapshot };

/** The part of a decision that needs no counter: is the tenant known, in good standing, and entitled? */
export function resolveEntitlement(snapshot: EntitlementSnapshot | undefined, featureId: string): EntitlementResult {
  const denied = entitlementDenial(snapshot, featureId);
  if (denied) return { ok: false, reason: denied, snapshot };
  return { ok: true, snapshot: snapshot!, feature: snapshot!.features[featureId]! };
}

/** Why a check is refused before any counter, or undefined when the tenant is entitled (allocates nothing). */
export function entitlementDenial(snapshot: EntitlementSnapshot | undefined, featureId: string): Reason | undefined {
  if (!snapshot) return 'UNKNOWN_TENANT';
  if (!isActiveStatus(snapshot.status)) return 'SUBSCRIPTION_INACTIVE';
  if (!snapshot.features[featureId]) return 'NOT_ENTITLED';
  return undefined;
}
