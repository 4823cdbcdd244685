import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sharedRedisUrl } from '../harness/redis.js';
import { envoyClients, headersOf, issueKeys, republish, stackConfig, startStack, uniquePrefix, type Stack } from './stack.js';

const YAML = `
plans:
  - id: pro
    features:
      - { id: api-calls, rate_limit: { per_second: 1, burst: 3 } }
      - { id: images, quota: { limit: 2, period: month, enforcement: hard } }
      - { id: shadowed, rate_limit: { per_second: 1, burst: 1 }, shadow: true }
      - { id: premium }
  - id: free
    features:
      - { id: api-calls, rate_limit: { per_second: 1, burst: 100 } }
tenants:
  - { id: acme, plan: pro }
  - { id: globex, plan: free }
  - { id: initech, plan: pro, status: suspended }
edge:
  routes:
    - { prefix: /v1/, feature: api-calls }
    - { prefix: /v1/images, feature: images, cost: 1 }
    - { prefix: /v1/premium, feature: premium, cost: 0 }
  envoy:
    tenant_header: x-tenant-id
    rate_limit: { domain: tollgate }
`;

const keys = issueKeys(['acme', 'globex', 'initech']);
let stack: Stack;
let envoy: ReturnType<typeof envoyClients>;

beforeAll(async () => {
  stack = await startStack(stackConfig(YAML, keys, sharedRedisUrl(inject('redisUrl')), uniquePrefix('envoy')));
  // Published snapshots (not only the file's) so that revocation can be exercised.
  const { catalogSnapshots } = await import('../../common/snapshot.js');
  const { publishSnapshots } = await import('../../common/snapshot-store.js');
  await publishSnapshots(stack.redis, stack.keys, catalogSnapshots(stack.config, 1, new Date()));
  envoy = envoyClients(`unix:${stack.socketPath}`);
});

afterAll(async () => {
  envoy?.close();
  await stack?.stop();
});

function authzRequest(path: string, headers: Record<string, string>, contextExtensions: Record<string, string> = {}, method = 'GET') {
  return { attributes: { request: { http: { method, path, headers, host: 'api.example.com', scheme: 'https' } }, context_extensions: contextExtensions } };
}

describe('ext_authz Check against a real sidecar', () => {
  it('allows a valid key: OK, tenant headers upstream, rate-limit headers downstream', async () => {
    const res = await envoy.check(authzRequest('/v1/things', { authorization: `Bearer ${keys.globex.key}` }));
    expect(res.status.code).toBe(0);
    expect(res.http_response).toBe('ok_response');
    expect(headersOf(res.ok_response.headers)).toMatchObject({ 'x-tollgate-tenant': 'globex', 'x-tollgate-feature': 'api-calls', 'x-tollgate-key-id': keys.globex.id });
    expect(res.ok_response.headers_to_remove).toEqual(['authorization']);
    const down = headersOf(res.ok_response.response_headers_to_add);
    expect(down['x-ratelimit-limit']).toBe('100');
    expect(down['ratelimit-policy']).toBe('"rate";q=100;w=100');
    expect(down.ratelimit).toMatch(/^"rate";r=99;t=\d+$/);
  });

  it('401 without a key and with an unknown key, as problem+json', async () => {
    for (const headers of [{}, { 'x-api-key': 'tg_test_abcd1234_notarealsecret0000' }] as Array<Record<string, string>>) {
      const res = await envoy.check(authzRequest('/v1/things', headers));
      expect(res.status.code).toBe(16);
      expect(res.denied_response.status.code).toBe('Unauthorized');
      expect(headersOf(res.denied_response.headers)['content-type']).toBe('application/problem+json');
      expect(JSON.parse(res.denied_response.body).status).toBe(401);
    }
  });

  it('429 with Retry-After once the burst is spent', async () => {
    const statuses: string[] = [];
    let last: any;
    for (let i = 0; i < 5; i++) {
      last = await envoy.check(authzRequest('/v1/things', { 'x-api-key': keys.acme.key }));
      statuses.push(last.http_response === 'ok_response' ? 'ok' : last.denied_response.status.code);
    }
    expect(statuses).toEqual(['ok', 'ok', 'ok', 'TooManyRequests', 'TooManyRequests']);
    const headers = headersOf(last.denied_response.headers);
    expect(Number(headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(last.denied_response.body)).toMatchObject({ status: 429, reason: 'RATE_LIMITED', tenant: 'acme', feature: 'api-calls' });
  });

  it('409 when the period quota is exhausted (feature and cost from context_extensions override the route)', async () => {
    const ask = () => envoy.check(authzRequest('/anything', { 'x-api-key': keys.acme.key }, { feature: 'images', cost: '1' }));
    expect((await ask()).status.code).toBe(0);
    expect((await ask()).status.code).toBe(0);
    const denied = await ask();
    expect(denied.denied_response.status.code).toBe('Conflict');
    expect(JSON.parse(denied.denied_response.body).reason).toBe('QUOTA_EXHAUSTED');
  });

  it('403 for a feature outside the plan, an inactive subscription and an unknown trusted tenant', async () => {
    const notEntitled = await envoy.check(authzRequest('/v1/premium/x', { 'x-api-key': keys.globex.key }));
    expect(notEntitled.denied_response.status.code).toBe('Forbidden');
    expect(JSON.parse(notEntitled.denied_response.body).reason).toBe('NOT_ENTITLED');
    const inactive = await envoy.check(authzRequest('/v1/premium/x', { 'x-api-key': keys.initech.key }));
    expect(JSON.parse(inactive.denied_response.body).reason).toBe('SUBSCRIPTION_INACTIVE');
    const unknown = await envoy.check(authzRequest('/v1/premium/x', { 'x-tenant-id': 'nobody' }));
    expect(unknown.denied_response.status.code).toBe('Forbidden');
    expect(JSON.parse(unknown.denied_response.body).reason).toBe('UNKNOWN_TENANT');
  });

  it('trusted tenant header is used without a key; a premium entitlement check costs nothing', async () => {
    const res = await envoy.check(authzRequest('/v1/premium/x', { 'x-tenant-id': 'acme' }));
    expect(res.status.code).toBe(0);
    expect(headersOf(res.ok_response.headers)['x-tollgate-tenant']).toBe('acme');
  });

  it('shadow mode: a decision over the limit is still allowed and marked', async () => {
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await envoy.check(authzRequest('/x', { 'x-api-key': keys.acme.key }, { feature: 'shadowed' })));
    expect(results.every((r) => r.status.code === 0)).toBe(true);
    expect(headersOf(results[2].ok_response.headers)['x-tollgate-shadow-denied']).toBe('RATE_LIMITED');
  });

  it('malformed context extension → INVALID_ARGUMENT naming the field', async () => {
    await expect(envoy.check(authzRequest('/v1/x', { 'x-api-key': keys.acme.key }, { feature: 'images', cost: 'lots' }))).rejects.toMatchObject({
      code: 3,
      details: 'attributes.context_extensions.cost: must be a whole number ≥ 0',
    });
  });

  it('a revoked key is refused within a second of the new snapshot', async () => {
    const ok = await envoy.check(authzRequest('/v1/premium/x', { 'x-api-key': keys.acme.key }));
    expect(ok.status.code).toBe(0);
    await republish(stack, 'acme', (s) => ({ ...s, api_keys: [] }));
    const revokedAt = Date.now();
    let code = 0;
    while (Date.now() - revokedAt < 1000) {
      code = (await envoy.check(authzRequest('/v1/premium/x', { 'x-api-key': keys.acme.key }))).status.code;
      if (code !== 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(code).toBe(16);
  });
});

describe('ShouldRateLimit against a real sidecar', () => {
  const descriptor = (...entries: Array<[string, string]>) => ({ entries: entries.map(([key, value]) => ({ key, value })) });

  it('honours hits_addend per request and per descriptor, with statuses', async () => {
    const res = await envoy.shouldRateLimit({
      domain: 'tollgate',
      hits_addend: 10,
      descriptors: [descriptor(['tenant', 'globex'], ['feature', 'api-calls']), descriptor(['api_key', keys.globex.key], ['feature', 'api-calls'], ['hits_addend', '5'])],
    });
    expect(res.overall_code).toBe('OK');
    expect(res.statuses).toHaveLength(2);
    expect(res.statuses[0]).toMatchObject({ code: 'OK', current_limit: { name: 'api-calls:rate', requests_per_unit: 1, unit: 'SECOND' } });
    const [first, second] = res.statuses.map((s: any) => s.limit_remaining);
    expect(first - second).toBe(5);
    expect(Number(res.statuses[1].duration_until_reset.seconds)).toBeGreaterThan(0);
  });

  it('OVER_LIMIT when any descriptor is over; other domains pass', async () => {
    const res = await envoy.shouldRateLimit({
      domain: 'tollgate',
      hits_addend: 1,
      descriptors: [descriptor(['tenant', 'globex'], ['feature', 'api-calls']), descriptor(['tenant', 'globex'], ['feature', 'api-calls'], ['hits_addend', '1000'])],
    });
    expect(res.overall_code).toBe('OVER_LIMIT');
    expect(res.statuses.map((s: any) => s.code)).toEqual(['OK', 'OVER_LIMIT']);
    expect(res.response_headers_to_add.map((h: any) => h.key)).toContain('retry-after');
    const other = await envoy.shouldRateLimit({ domain: 'someone-else', descriptors: [descriptor(['tenant', 'globex'], ['feature', 'api-calls'], ['hits_addend', '1000'])] });
    expect(other.overall_code).toBe('OK');
  });

  it('shadow mode per feature: over the limit yet OK', async () => {
    const ask = () => envoy.shouldRateLimit({ domain: 'tollgate', hits_addend: 5, descriptors: [descriptor(['tenant', 'globex'], ['feature', 'shadowed'])] });
    // globex's plan lacks "shadowed"; use acme via its trusted tenant entry.
    const res = await envoy.shouldRateLimit({ domain: 'tollgate', hits_addend: 5, descriptors: [descriptor(['tenant', 'acme'], ['feature', 'shadowed'])] });
    expect(res.overall_code).toBe('OK');
    expect(res.statuses[0].code).toBe('OK');
    expect((await ask()).overall_code).toBe('OVER_LIMIT');
  });

  it('bad descriptor entry → INVALID_ARGUMENT naming it', async () => {
    await expect(envoy.shouldRateLimit({ domain: 'tollgate', descriptors: [descriptor(['tenant', 'acme'], ['hits_addend', '-3'])] })).rejects.toMatchObject({
      code: 3,
      details: 'descriptors[0].entries[1].value: must be a whole number ≥ 0',
    });
  });
});

describe('Envoy metrics on the sidecar', () => {
  it('counts ext_authz outcomes and rate-limit codes', async () => {
    const text = await (await fetch(`http://${stack.sidecar.httpAddress}/metrics`)).text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
    expect(value('tollgate_envoy_authz_checks_total{outcome="ok"}')).toBeGreaterThan(0);
    expect(value('tollgate_envoy_authz_checks_total{outcome="401"}')).toBeGreaterThanOrEqual(3);
    expect(value('tollgate_envoy_authz_checks_total{outcome="429"}')).toBeGreaterThanOrEqual(2);
    expect(value('tollgate_envoy_authz_checks_total{outcome="invalid"}')).toBe(1);
    expect(value('tollgate_envoy_rate_limit_requests_total{code="OVER_LIMIT"}')).toBeGreaterThanOrEqual(2);
  });
});
