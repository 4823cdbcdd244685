import type { FeatureEntitlement } from '../../../../common/snapshot.js';
import type { Decision, Reason } from '../../domain/decision.js';

/**
 * How a decision reads over HTTP, shared by Envoy ext_authz and the gateway so both answer alike:
 * DESIGN.md's failure semantics (authentication 401, authorization 403, rate 429, quota state 409) with an
 * RFC 9457 problem+json body, and rate-limit headers in the IETF draft form and the legacy X-RateLimit form.
 */

export type Header = [name: string, value: string];

export interface HttpAnswer {
  status: number;
  headers: Header[];
  body: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  reason?: string;
  tenant?: string;
  feature?: string;
  retry_after_ms?: number;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_BASE = 'https://tollgate.dev/problems/';

const STATUS_OF_REASON: Record<Exclude<Reason, 'OK'>, number> = {
  RATE_LIMITED: 429,
  QUOTA_EXHAUSTED: 409,
  NOT_ENTITLED: 403,
  SUBSCRIPTION_INACTIVE: 403,
  UNKNOWN_TENANT: 403,
  STORE_UNAVAILABLE: 503,
};

const TITLE_OF_REASON: Record<Exclude<Reason, 'OK'>, string> = {
  RATE_LIMITED: 'Rate limit exceeded',
  QUOTA_EXHAUSTED: 'Quota exhausted',
  NOT_ENTITLED: 'Feature not included in the plan',
  SUBSCRIPTION_INACTIVE: 'Subscription inactive',
  UNKNOWN_TENANT: 'Unknown tenant',
  STORE_UNAVAILABLE: 'Quota store unavailable',
};

export function statusOfReason(reason: Reason): number {
  return reason === 'OK' ? 200 : STATUS_OF_REASON[reason];
}

export function problemAnswer(problem: Problem, extraHeaders: Header[] = []): HttpAnswer {
  return {
    status: problem.status,
    headers: [['content-type', PROBLEM_CONTENT_TYPE], ...extraHeaders],
    body: JSON.stringify(problem),
  };
}

/** 401: no API key, or one that no tenant holds (revoked keys included). */
export function unauthenticated(detail: string): HttpAnswer {
  return problemAnswer(
    { type: `${PROBLEM_BASE}unauthenticated`, title: 'Authentication required', status: 401, detail },
    [['www-authenticate', 'Bearer realm="tollgate"']],
  );
}

export function problemOf(slug: string, title: string, status: number, detail: string, extra: Partial<Problem> = {}): HttpAnswer {
  return problemAnswer({ type: `${PROBLEM_BASE}${slug}`, title, status, detail, ...extra });
}

/** The answer to a denied decision: status by reason, Retry-After on 429, rate-limit headers, problem+json. */
export function deniedAnswer(decision: Decision, tenantId: string, featureId: string, feature: FeatureEntitlement | undefined): HttpAnswer {
  const reason = decision.reason === 'OK' ? 'RATE_LIMITED' : decision.reason;
  const status = STATUS_OF_REASON[reason];
  const headers = rateLimitHeaders(decision, feature);
  if (status === 429) headers.push(['retry-after', String(retryAfterSeconds(decision.retryAfterMs))]);
  const problem: Problem = {
    type: `${PROBLEM_BASE}${reason.toLowerCase().replace(/_/g, '-')}`,
    title: TITLE_OF_REASON[reason],
    status,
    detail: denialDetail(reason, tenantId, featureId),
    reason,
    tenant: tenantId,
    feature: featureId,
  };
  if (decision.retryAfterMs > 0) problem.retry_after_ms = decision.retryAfterMs;
  return problemAnswer(problem, headers);
}

function denialDetail(reason: Exclude<Reason, 'OK'>, tenantId: string, featureId: string): string {
  switch (reason) {
    case 'RATE_LIMITED':
      return `tenant "${tenantId}" is sending "${featureId}" requests faster than its plan allows`;
    case 'QUOTA_EXHAUSTED':
      return `tenant "${tenantId}" has used its "${featureId}" quota for this period`;
    case 'NOT_ENTITLED':
      return `the plan of tenant "${tenantId}" does not include "${featureId}"`;
    case 'SUBSCRIPTION_INACTIVE':
      return `the subscription of tenant "${tenantId}" is not active`;
    case 'UNKNOWN_TENANT':
      return `no tenant "${tenantId}" is known`;
    case 'STORE_UNAVAILABLE':
      return `"${featureId}" fails closed and the quota store is unreachable`;
  }
}

/** Whole seconds, at least 1: a client told "0" would retry at once. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * Rate-limit headers of a decision. IETF draft (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy:
 * "<name>";q=<quota>;w=<window s>` and `RateLimit: "<name>";r=<remaining>;t=<reset s>`. Legacy: X-RateLimit-Limit,
 * X-RateLimit-Remaining and X-RateLimit-Reset (seconds until reset, not an epoch). The binding limit names the
 * policy: "quota" when the period quota decided, else "rate".
 */
export function rateLimitHeaders(decision: Decision, feature: FeatureEntitlement | undefined): Header[] {
  if (decision.limit <= 0) return [];
  const policy = bindingPolicy(decision, feature);
  const remaining = Math.max(0, decision.remaining);
  const reset = Math.ceil(Math.max(0, decision.resetAfterMs) / 1000);
  return [
    ['ratelimit-policy', `"${policy.name}";q=${decision.limit};w=${policy.windowSeconds}`],
    ['ratelimit', `"${policy.name}";r=${remaining};t=${reset}`],
    ['x-ratelimit-limit', String(decision.limit)],
    ['x-ratelimit-remaining', String(remaining)],
    ['x-ratelimit-reset', String(reset)],
  ];
}

const PERIOD_SECONDS = { day: 86_400, month: 2_592_000 } as const;

export function bindingPolicy(decision: Decision, feature: FeatureEntitlement | undefined): { name: 'rate' | 'quota'; windowSeconds: number } {
  const rate = feature?.rate_limit;
  const quotaBinds =
    decision.reason === 'QUOTA_EXHAUSTED' || (!rate && decision.quotaLimit > 0) || (decision.quotaLimit > 0 && decision.limit === decision.quotaLimit && rate?.burst !== decision.limit);
  if (quotaBinds) {
    const period = feature?.quota?.period;
    return { name: 'quota', windowSeconds: period ? PERIOD_SECONDS[period] : Math.max(1, Math.ceil(decision.resetAfterMs / 1000)) };
  }
  if (rate) {
    // A token bucket has no fixed window; the time to refill a whole burst is the honest equivalent.
    return { name: 'rate', windowSeconds: Math.max(1, Math.ceil((rate.burst * rate.interval_us) / rate.tokens / 1_000_000)) };
  }
  return { name: 'rate', windowSeconds: Math.max(1, Math.ceil(decision.resetAfterMs / 1000)) };
}
