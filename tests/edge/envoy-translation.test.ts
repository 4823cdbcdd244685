import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../common/api-key.js';
import { checkResponseOf, planAuthz, type AuthzRequest } from '../../sidecar/src/envoy/domain/authz.js';
import { planRateLimit, rateLimitResponseOf } from '../../sidecar/src/envoy/domain/ratelimit.js';
import { decision, edgeConfig, headerMap, quotaFeature, rateFeature } from './fixtures.js';

const KEY = 'tg_live_abcd1234_0123456789abcdefXYZ';
const resolveKey = (sha: string) => (sha === hashApiKey(KEY) ? { tenantId: 'acme', keyId: 'abcd1234' } : undefined);

const config = edgeConfig(`
edge:
  routes:
    - { prefix: /v1/, feature: api-calls, cost: 1 }
    - { prefix: /v1/images, feature: images, cost: 5 }
    - { prefix: /v1/admin, methods: [POST], feature: admin-ops, cost: 0 }
  envoy:
    tenant_header: x-tenant-id
    rate_limit: { domain: tollgate, default_feature: api-calls }
`);
const settings = { routes: config.edge.routes, tenantHeader: config.edge.envoy.tenant_header, stripApiKey: config.edge.envoy.strip_api_key };

function request(overrides: Partial<AuthzRequest> & { h?: Record<string, string> }): AuthzRequest {
  return { method: 'GET', path: '/v1/things', headers: headerMap(overrides.h ?? {}), contextExtensions: {}, ...overrides };
}

describe('ext_authz: request → check', () => {
  it('takes the tenant from a Bearer key and the feature/cost from the longest path prefix', () => {
    const plan = planAuthz(request({ path: '/v1/images/gen?size=2', h: { authorization: `Bearer ${KEY}` } }), settings, resolveKey);
    expect(plan).toEqual({
      kind: 'check',
      tenantId: 'acme',
      keyId: 'abcd1234',
      input: { tenantId: 'acme', featureId: 'images', cost: 5, dryRun: false },
      removeHeaders: ['authorization'],
    });
  });

  it('accepts X-API-Key and honours route methods', () => {
    const get = planAuthz(request({ path: '/v1/admin/x', h: { 'x-api-key': KEY } }), settings, resolveKey);
    const post = planAuthz(request({ method: 'POST', path: '/v1/admin/x', h: { 'x-api-key': KEY } }), settings, resolveKey);
    expect(get.kind === 'check' && get.input.featureId).toBe('api-calls');
    expect(post.kind === 'check' && post.input.featureId).toBe('admin-ops');
  });

  it('prefers context_extensions feature and cost over routes', () => {
    const plan = planAuthz(request({ h: { 'x-api-key': KEY }, contextExtensions: { feature: 'voice', cost: '42' } }), settings, resolveKey);
    expect(plan.kind === 'check' && plan.input).toMatchObject({ featureId: 'voice', cost: 42 });
  });

  it('removes the header that carried the key, unless configured not to', () => {
    expect(planAuthz(request({ h: { 'x-api-key': KEY } }), settings, resolveKey)).toMatchObject({ removeHeaders: ['x-api-key'] });
    expect(planAuthz(request({ h: { 'x-api-key': KEY } }), { ...settings, stripApiKey: false }, resolveKey)).toMatchObject({ removeHeaders: [] });
  });

  it('uses the trusted tenant header only when no key is presented', () => {
    expect(planAuthz(request({ h: { 'x-tenant-id': 'globex' } }), settings, resolveKey)).toMatchObject({ kind: 'check', tenantId: 'globex', removeHeaders: [] });
    const wrongKey = planAuthz(request({ h: { 'x-tenant-id': 'globex', 'x-api-key': 'tg_live_nope1234_00000000000000000' } }), settings, resolveKey);
    expect(wrongKey.kind === 'deny' && wrongKey.answer.status).toBe(401);
  });

  it('answers 401 with a problem body when no credential is sent', () => {
    const plan = planAuthz(request({}), settings, resolveKey);
    expect(plan.kind).toBe('deny');
    if (plan.kind !== 'deny') return;
    expect(plan.answer.status).toBe(401);
    expect(plan.answer.headers).toContainEqual(['content-type', 'application/problem+json']);
    expect(JSON.parse(plan.answer.body)).toMatchObject({ status: 401, type: 'https://tollgate.dev/problems/unauthenticated' });
  });

  it('denies unrouted paths with 403 and rejects malformed context extensions naming the field', () => {
    const unrouted = planAuthz(request({ path: '/other', h: { 'x-api-key': KEY } }), settings, resolveKey);
    expect(unrouted.kind === 'deny' && unrouted.answer.status).toBe(403);
    expect(planAuthz(request({ h: { 'x-api-key': KEY }, contextExtensions: { feature: 'f', cost: '-1' } }), settings, resolveKey)).toEqual({
      kind: 'invalid',
      field: 'attributes.context_extensions.cost',
      problem: 'must be a whole number ≥ 0',
    });
    expect(planAuthz(request({ contextExtensions: { feature: '' } }), settings, resolveKey)).toMatchObject({ kind: 'invalid', field: 'attributes.context_extensions.feature' });
  });
});

describe('ext_authz: decision → CheckResponse', () => {
  const plan = {
    kind: 'check' as const,
    tenantId: 'acme',
    keyId: 'abcd1234',
    input: { tenantId: 'acme', featureId: 'api-calls', cost: 1, dryRun: false },
    removeHeaders: ['authorization'],
  };

  it('allowed → OK with tenant headers upstream and rate-limit headers downstream', () => {
    const response = checkResponseOf(plan, decision({ limit: 20, remaining: 7, resetAfterMs: 1300 }), rateFeature);
    expect(response.status.code).toBe(0);
    expect(response.okResponse!.headersToRemove).toEqual(['authorization']);
    const up = Object.fromEntries(response.okResponse!.headers.map((h) => [h.header.key, h.header.value]));
    expect(up).toMatchObject({ 'x-tollgate-tenant': 'acme', 'x-tollgate-feature': 'api-calls', 'x-tollgate-key-id': 'abcd1234' });
    const down = Object.fromEntries(response.okResponse!.responseHeadersToAdd.map((h) => [h.header.key, h.header.value]));
    expect(down).toEqual({
      'ratelimit-policy': '"rate";q=20;w=2',
      ratelimit: '"rate";r=7;t=2',
      'x-ratelimit-limit': '20',
      'x-ratelimit-remaining': '7',
      'x-ratelimit-reset': '2',
    });
  });

  it.each([
    ['RATE_LIMITED', 429, 8],
    ['QUOTA_EXHAUSTED', 409, 9],
    ['NOT_ENTITLED', 403, 7],
    ['SUBSCRIPTION_INACTIVE', 403, 7],
    ['UNKNOWN_TENANT', 403, 7],
    ['STORE_UNAVAILABLE', 503, 14],
  ] as const)('%s → HTTP %i', (reason, http, grpcCode) => {
    const response = checkResponseOf(plan, decision({ allowed: false, reason, limit: 20, retryAfterMs: 2500 }), rateFeature);
    expect(response.status.code).toBe(grpcCode);
    expect(response.deniedResponse!.status.code).toBe(http);
    const headers = Object.fromEntries(response.deniedResponse!.headers.map((h) => [h.header.key, h.header.value]));
    expect(headers['content-type']).toBe('application/problem+json');
    if (http === 429) expect(headers['retry-after']).toBe('3');
    else expect(headers['retry-after']).toBeUndefined();
    expect(JSON.parse(response.deniedResponse!.body)).toMatchObject({ status: http, reason, tenant: 'acme', feature: 'api-calls' });
  });

  it('shadow-mode denial is allowed and marked', () => {
    const response = checkResponseOf(plan, decision({ allowed: false, reason: 'RATE_LIMITED' }), { ...rateFeature, shadow: true });
    expect(response.status.code).toBe(0);
    expect(response.okResponse!.headers).toContainEqual({ header: { key: 'x-tollgate-shadow-denied', value: 'RATE_LIMITED' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' });
  });
});

describe('rate limit: descriptors → checks → RateLimitResponse', () => {
  const rl = config.edge.envoy.rate_limit;
  const routes = config.edge.routes;

  it('maps tenant, api key, feature, path and per-descriptor hits_addend; request hits_addend 0 means 1', () => {
    const plan = planRateLimit(
      {
        domain: 'tollgate',
        hitsAddend: 0,
        descriptors: [
          { entries: [{ key: 'tenant', value: 'acme' }, { key: 'feature', value: 'voice' }] },
          { entries: [{ key: 'api_key', value: KEY }, { key: 'path', value: '/v1/images/x' }] },
          { entries: [{ key: 'tenant', value: 'acme' }, { key: 'hits_addend', value: '7' }] },
          { entries: [{ key: 'remote_address', value: '10.0.0.1' }] },
          { entries: [{ key: 'api_key', value: 'tg_live_nope1234_00000000000000000' }] },
        ],
      },
      rl,
      routes,
      resolveKey,
    );
    expect(plan).toEqual({
      kind: 'plan',
      descriptors: [
        { kind: 'check', tenantId: 'acme', featureId: 'voice', cost: 1 },
        { kind: 'check', tenantId: 'acme', featureId: 'images', cost: 1 },
        { kind: 'check', tenantId: 'acme', featureId: 'api-calls', cost: 7 },
        { kind: 'pass' },
        { kind: 'unknown_key' },
      ],
    });
    const withHits = planRateLimit({ domain: 'tollgate', hitsAddend: 3, descriptors: [{ entries: [{ key: 'tenant', value: 'acme' }] }] }, rl, routes, resolveKey);
    expect(withHits.kind === 'plan' && withHits.descriptors[0]).toMatchObject({ cost: 3 });
  });

  it('passes other domains and names bad entries', () => {
    const other = planRateLimit({ domain: 'edge', hitsAddend: 1, descriptors: [{ entries: [{ key: 'tenant', value: 'acme' }] }] }, rl, routes, resolveKey);
    expect(other).toEqual({ kind: 'plan', descriptors: [{ kind: 'pass' }] });
    const bad = planRateLimit(
      { domain: 'tollgate', hitsAddend: 1, descriptors: [{ entries: [{ key: 'tenant', value: 'acme' }, { key: 'hits_addend', value: 'x' }] }] },
      rl,
      routes,
      resolveKey,
    );
    expect(bad).toEqual({ kind: 'invalid', field: 'descriptors[0].entries[1].value', problem: 'must be a whole number ≥ 0' });
  });

  it('OVER_LIMIT when any descriptor is over, with statuses, limits and Retry-After', () => {
    const check = (featureId: string) => ({ kind: 'check' as const, tenantId: 'acme', featureId, cost: 1 });
    const response = rateLimitResponseOf([
      { plan: check('api-calls'), decision: decision({ limit: 20, remaining: 19, resetAfterMs: 100 }), feature: rateFeature },
      { plan: check('chat'), decision: decision({ allowed: false, reason: 'QUOTA_EXHAUSTED', limit: 1000, quotaLimit: 1000, resetAfterMs: 3_601_500, retryAfterMs: 3_601_500 }), feature: quotaFeature },
      { plan: { kind: 'pass' } },
    ]);
    expect(response.overallCode).toBe('OVER_LIMIT');
    expect(response.statuses).toEqual([
      { code: 'OK', currentLimit: { name: 'api-calls:rate', requestsPerUnit: 10, unit: 'SECOND' }, limitRemaining: 19, durationUntilReset: { seconds: 0, nanos: 100_000_000 } },
      { code: 'OVER_LIMIT', currentLimit: { name: 'chat:quota', requestsPerUnit: 1000, unit: 'MONTH' }, limitRemaining: 0, durationUntilReset: { seconds: 3601, nanos: 500_000_000 } },
      { code: 'OK', limitRemaining: 0 },
    ]);
    expect(response.responseHeadersToAdd).toContainEqual({ key: 'retry-after', value: '3602' });
    expect(response.responseHeadersToAdd).toContainEqual({ key: 'ratelimit-policy', value: '"quota";q=1000;w=2592000' });
  });

  it('shadow mode: decided and over, but answered OK', () => {
    const response = rateLimitResponseOf([
      { plan: { kind: 'check', tenantId: 'acme', featureId: 'api-calls', cost: 1 }, decision: decision({ allowed: false, reason: 'RATE_LIMITED', limit: 20 }), feature: { ...rateFeature, shadow: true } },
    ]);
    expect(response.overallCode).toBe('OK');
    expect(response.statuses[0].code).toBe('OK');
  });
});
