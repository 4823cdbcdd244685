import type { PlanConfig, SubscriptionStatus } from '../../../common/config/schema.js';
import { featureEntitlement, type ApiKeyHash, type EntitlementSnapshot } from '../../../common/snapshot.js';

/** The sidecar's view of a tenant: the plan's features, the subscription's status and period, the live API keys. */
export function tenantSnapshot(args: {
  tenantId: string;
  plan: PlanConfig;
  status: SubscriptionStatus;
  apiKeys: ApiKeyHash[];
  periodStart: Date;
  version: number;
  now: Date;
}): EntitlementSnapshot {
  return {
    schema: 1,
    tenant_id: args.tenantId,
    plan_id: args.plan.id,
    status: args.status,
    version: args.version,
    features: Object.fromEntries(args.plan.features.map((f) => [f.id, featureEntitlement(f)])),
    api_keys: args.apiKeys,
    period_anchor: args.periodStart.toISOString(),
    published_at: args.now.toISOString(),
  };
}
