import type { EdgeRoute, EnvoyRateLimitConfig } from '../../../../common/config/edge-schema.js';
import { idSchema } from '../../../../common/config/feature-schema.js';
import type { FeatureEntitlement } from '../../../../common/snapshot.js';
import { hashApiKey } from '../../../../common/api-key.js';
import type { Decision } from '../../domain/decision.js';
import type { KeyResolver } from './credentials.js';
import { rateLimitHeaders, retryAfterSeconds, type Header } from './http-answer.js';
import { matchRoute } from './routes.js';

/** Envoy's RateLimitRequest, flattened. */
export interface RateLimitQuestion {
  domain: string;
  descriptors: ReadonlyArray<{ entries: ReadonlyArray<{ key: string; value: string }> }>;
  /** 0 means 1, as in Envoy. */
  hitsAddend: number;
}

/** What to do for one descriptor. */
export type DescriptorPlan =
  | { kind: 'check'; tenantId: string; featureId: string; cost: number }
  /** Not Tollgate's descriptor (other domain, no tenant entry): answered OK without a limit. */
  | { kind: 'pass' }
  /** Names an API key no tenant holds: over limit, like any other refusal. */
  | { kind: 'unknown_key' };

export type RateLimitPlan = { kind: 'plan'; descriptors: DescriptorPlan[] } | { kind: 'invalid'; field: string; problem: string };

/**
 * Maps descriptors to (tenant, feature, cost) by the documented entry keys (`edge.envoy.rate_limit`): the tenant
 * from `tenant_entry` or from the API key in `api_key_entry`; the feature from `feature_entry`, else the route
 * matching `path_entry`, else `default_feature`; the cost from `hits_addend_entry`, else the request's hits_addend.
 */
export function planRateLimit(
  question: RateLimitQuestion,
  config: EnvoyRateLimitConfig,
  routes: readonly EdgeRoute[],
  resolveKey: KeyResolver,
): RateLimitPlan {
  const requestHits = question.hitsAddend > 0 ? question.hitsAddend : 1;
  if (config.domain && question.domain !== config.domain) {
    return { kind: 'plan', descriptors: question.descriptors.map(() => ({ kind: 'pass' })) };
  }
  const plans: DescriptorPlan[] = [];
  for (let d = 0; d < question.descriptors.length; d++) {
    const entries = new Map(question.descriptors[d].entries.map((e) => [e.key, e.value]));
    const field = (key: string) => {
      const i = question.descriptors[d].entries.findIndex((e) => e.key === key);
      return `descriptors[${d}].entries[${i}].value`;
    };
    let tenantId = entries.get(config.tenant_entry);
    const apiKey = entries.get(config.api_key_entry);
    if (tenantId === undefined && apiKey !== undefined) {
      const owner = resolveKey(hashApiKey(apiKey));
      if (!owner) {
        plans.push({ kind: 'unknown_key' });
        continue;
      }
      tenantId = owner.tenantId;
    }
    if (tenantId === undefined) {
      plans.push({ kind: 'pass' });
      continue;
    }
    const tenantValid = idSchema.safeParse(tenantId);
    if (!tenantValid.success) return { kind: 'invalid', field: field(config.tenant_entry), problem: tenantValid.error.issues[0].message };

    let cost = requestHits;
    const perDescriptor = entries.get(config.hits_addend_entry);
    if (perDescriptor !== undefined) {
      if (!/^\d{1,10}$/.test(perDescriptor)) return { kind: 'invalid', field: field(config.hits_addend_entry), problem: 'must be a whole number ≥ 0' };
      cost = Number(perDescriptor);
    }

    let featureId = entries.get(config.feature_entry);
    if (featureId !== undefined) {
      const valid = idSchema.safeParse(featureId);
      if (!valid.success) return { kind: 'invalid', field: field(config.feature_entry), problem: valid.error.issues[0].message };
    } else {
      const path = entries.get(config.path_entry);
      featureId = (path !== undefined ? matchRoute(routes, 'GET', path)?.feature : undefined) ?? config.default_feature;
    }
    if (featureId === undefined) {
      plans.push({ kind: 'pass' });
      continue;
    }

    plans.push({ kind: 'check', tenantId, featureId, cost });
  }
  return { kind: 'plan', descriptors: plans };
}

export type RateLimitCode = 'OK' | 'OVER_LIMIT';
export type RateLimitUnit = 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY' | 'MONTH';

export interface EnvoyDescriptorStatus {
  code: RateLimitCode;
  currentLimit?: { name: string; requestsPerUnit: number; unit: RateLimitUnit };
  limitRemaining: number;
  durationUntilReset?: { seconds: number; nanos: number };
}

export interface EnvoyRateLimitResponse {
  overallCode: RateLimitCode;
  statuses: EnvoyDescriptorStatus[];
  responseHeadersToAdd: Array<{ key: string; value: string }>;
}

/** One outcome per descriptor, aligned with the plan: the decision (and feature) for checked ones. */
export type DescriptorOutcome =
  | { plan: Extract<DescriptorPlan, { kind: 'check' }>; decision: Decision; feature: FeatureEntitlement | undefined }
  | { plan: Exclude<DescriptorPlan, { kind: 'check' }> };

const UINT32_MAX = 4_294_967_295;

/**
 * Envoy's RateLimitResponse: OVER_LIMIT overall when any descriptor is over. A feature in shadow mode was decided
 * (and counted) but its descriptor answers OK, as Envoy's own shadow_mode does.
 */
export function rateLimitResponseOf(outcomes: readonly DescriptorOutcome[]): EnvoyRateLimitResponse {
  const statuses: EnvoyDescriptorStatus[] = [];
  let over = false;
  let tightest: { decision: Decision; feature: FeatureEntitlement | undefined } | undefined;
  let retryAfterMs = 0;
  for (const outcome of outcomes) {
    if (!('decision' in outcome)) {
      const unknown = outcome.plan.kind === 'unknown_key';
      over ||= unknown;
      statuses.push({ code: unknown ? 'OVER_LIMIT' : 'OK', limitRemaining: 0 });
      continue;
    }
    const { decision, feature, plan } = outcome;
    const shadow = decision.shadow === true || feature?.shadow === true;
    const descriptorOver = !decision.allowed && !shadow;
    over ||= descriptorOver;
    if (descriptorOver) retryAfterMs = Math.max(retryAfterMs, decision.retryAfterMs);
    if (!tightest || (descriptorOver && tightest.decision.allowed) || decision.remaining < tightest.decision.remaining) {
      tightest = { decision, feature };
    }
    statuses.push({
      code: descriptorOver ? 'OVER_LIMIT' : 'OK',
      currentLimit: currentLimitOf(plan.featureId, decision, feature),
      limitRemaining: Math.min(UINT32_MAX, Math.max(0, decision.remaining)),
      durationUntilReset: durationOf(decision.resetAfterMs),
    });
  }
  const headers: Header[] = tightest ? rateLimitHeaders(tightest.decision, tightest.feature) : [];
  if (over) headers.push(['retry-after', String(retryAfterSeconds(retryAfterMs))]);
  return {
    overallCode: over ? 'OVER_LIMIT' : 'OK',
    statuses,
    responseHeadersToAdd: headers.map(([key, value]) => ({ key, value })),
  };
}

const UNIT_OF_INTERVAL_US: Record<number, RateLimitUnit> = { 1_000_000: 'SECOND', 60_000_000: 'MINUTE', 3_600_000_000: 'HOUR' };

function currentLimitOf(featureId: string, decision: Decision, feature: FeatureEntitlement | undefined): EnvoyDescriptorStatus['currentLimit'] {
  const rate = feature?.rate_limit;
  const quota = feature?.quota;
  if (quota && (decision.reason === 'QUOTA_EXHAUSTED' || !rate)) {
    return { name: `${featureId}:quota`, requestsPerUnit: Math.min(UINT32_MAX, quota.limit), unit: quota.period === 'day' ? 'DAY' : 'MONTH' };
  }
  if (rate) {
    const unit = UNIT_OF_INTERVAL_US[rate.interval_us];
    if (unit) return { name: `${featureId}:rate`, requestsPerUnit: Math.min(UINT32_MAX, rate.tokens), unit };
    const perSecond = Math.max(1, Math.round((rate.tokens * 1_000_000) / rate.interval_us));
    return { name: `${featureId}:rate`, requestsPerUnit: Math.min(UINT32_MAX, perSecond), unit: 'SECOND' };
  }
  return undefined;
}

function durationOf(ms: number): { seconds: number; nanos: number } {
  const clamped = Math.max(0, Math.round(ms));
  return { seconds: Math.floor(clamped / 1000), nanos: (clamped % 1000) * 1_000_000 };
}
