import type { FeatureConfig, RateLimitConfig } from './config/feature-schema.js';
import type { PlanConfig, SubscriptionStatus, TenantConfig, TollgateConfig } from './config/schema.js';

/**
 * The per-tenant entitlement snapshot: everything a sidecar needs to decide without asking anyone.
 * The control plane (or `tollgate catalog publish`) writes it to Redis as JSON under RedisKeys.snapshot(tenant),
 * adds the tenant to RedisKeys.snapshotIndex() and publishes the tenant id on RedisKeys.snapshotChannel().
 * A sidecar keeps the highest `version` it has seen for a tenant.
 */
export interface EntitlementSnapshot {
  schema: 1;
  tenant_id: string;
  plan_id: string;
  status: SubscriptionStatus;
  /** Monotonic per tenant (publishers use a millisecond clock or a sequence); 0 for a config file's catalog. */
  version: number;
  features: Record<string, FeatureEntitlement>;
  api_keys: ApiKeyHash[];
  /** Start of the current billing period (ISO-8601 UTC), when the control plane knows one. Month quotas roll over here. */
  period_anchor?: string;
  published_at: string;
}

export interface ApiKeyHash {
  id: string;
  sha256: string;
}

export interface RateLimitSpec {
  /** `tokens` are added every `interval_us` microseconds, continuously. */
  tokens: number;
  interval_us: number;
  burst: number;
}

export interface QuotaSpec {
  limit: number;
  period: 'day' | 'month';
  enforcement: 'hard' | 'soft';
}

export interface FeatureEntitlement {
  rate_limit?: RateLimitSpec;
  quota?: QuotaSpec;
  on_store_failure: 'open' | 'closed';
  enforce_on_report: boolean;
  shadow: boolean;
}

const ACTIVE: ReadonlySet<SubscriptionStatus> = new Set(['active', 'trialing']);
export function isActiveStatus(status: SubscriptionStatus): boolean {
  return ACTIVE.has(status);
}

export function rateLimitSpec(config: RateLimitConfig): RateLimitSpec {
  const [tokens, interval_us] =
    config.per_second !== undefined
      ? [config.per_second, 1_000_000]
      : config.per_minute !== undefined
        ? [config.per_minute, 60_000_000]
        : [config.per_hour!, 3_600_000_000];
  return { tokens, interval_us, burst: config.burst ?? tokens };
}

export function featureEntitlement(feature: FeatureConfig): FeatureEntitlement {
  return {
    rate_limit: feature.rate_limit ? rateLimitSpec(feature.rate_limit) : undefined,
    quota: feature.quota ? { ...feature.quota } : undefined,
    on_store_failure: feature.on_store_failure,
    enforce_on_report: feature.enforce_on_report,
    shadow: feature.shadow,
  };
}

export function snapshotFor(tenant: TenantConfig, plan: PlanConfig, version: number, now: Date): EntitlementSnapshot {
  return {
    schema: 1,
    tenant_id: tenant.id,
    plan_id: plan.id,
    status: tenant.status,
    version,
    features: Object.fromEntries(plan.features.map((f) => [f.id, featureEntitlement(f)])),
    api_keys: tenant.api_keys.map((k) => ({ ...k })),
    published_at: now.toISOString(),
  };
}

/** The static catalog of a config file, as snapshots. */
export function catalogSnapshots(config: TollgateConfig, version: number, now: Date): EntitlementSnapshot[] {
  const plans = new Map(config.plans.map((p) => [p.id, p]));
  return config.tenants.map((t) => snapshotFor(t, plans.get(t.plan)!, version, now));
}

/** Parses and checks a snapshot read from Redis; returns an error string for anything malformed. */
export function parseSnapshot(json: string): EntitlementSnapshot | string {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return 'not JSON';
  }
  const s = value as Partial<EntitlementSnapshot>;
  if (!s || s.schema !== 1) return 'unsupported snapshot schema';
  if (typeof s.tenant_id !== 'string' || typeof s.plan_id !== 'string') return 'missing tenant_id or plan_id';
  if (typeof s.version !== 'number' || typeof s.status !== 'string') return 'missing version or status';
  if (!s.features || typeof s.features !== 'object') return 'missing features';
  return { ...s, api_keys: s.api_keys ?? [] } as EntitlementSnapshot;
}
