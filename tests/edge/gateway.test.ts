import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../common/log.js';
import { loadQuotaProto } from '../../common/proto.js';
import { catalogSnapshots } from '../../common/snapshot.js';
import { publishSnapshots } from '../../common/snapshot-store.js';
import { startGateway, type GatewayHandle } from '../../gateway/src/server.js';
import { freePort } from '../harness/ports.js';
import { sharedRedisUrl } from '../harness/redis.js';
import { issueKeys, republish, stackConfig, startStack, uniquePrefix, type Stack } from './stack.js';
import { startTestUpstream, type TestUpstream } from './upstream.js';

const keys = issueKeys(['acme', 'globex', 'initech', 'hooli']);
let upstream: TestUpstream;
let stack: Stack;
let gateway: GatewayHandle;
let chargedWhileRevoking = 0;

function yaml(upstreamUrl: string, deadPort: number): string {
  return `
plans:
  - id: pro
    features:
      - { id: api-calls, rate_limit: { per_second: 1, burst: 1000 } }
      - { id: tokens, quota: { limit: 10000, period: month, enforcement: hard } }
      - { id: tiny, rate_limit: { per_minute: 1, burst: 2 } }
      - { id: capped, quota: { limit: 1, period: day, enforcement: hard } }
  - id: basic
    features:
      - { id: api-calls, rate_limit: { per_second: 100, burst: 100 } }
tenants:
  - { id: acme, plan: pro }
  - { id: globex, plan: basic }
  - { id: initech, plan: pro, status: past_due }
  - { id: hooli, plan: pro }
edge:
  upstreams:
    - { id: app, url: "${upstreamUrl}/base" }
    - { id: slow, url: "${upstreamUrl}", headers_timeout_ms: 300 }
    - { id: dead, url: "http://127.0.0.1:${deadPort}", connect_timeout_ms: 300 }
  routes:
    - { prefix: /api/, feature: api-calls, upstream: app, strip_prefix: true }
    - { prefix: /llm/, feature: tokens, upstream: app, cost_from_response_header: x-usage-tokens, estimate: 1000 }
    - { prefix: /tiny/, feature: tiny, upstream: app }
    - { prefix: /capped/, feature: capped, upstream: app }
    - { prefix: /slow/, feature: api-calls, upstream: slow }
    - { prefix: /dead/, feature: api-calls, upstream: dead }
  gateway:
    listen: 127.0.0.1:0
    metrics: 127.0.0.1:0
`;
}

beforeAll(async () => {
  upstream = await startTestUpstream();
  const config = stackConfig(yaml(upstream.url, await freePort()), keys, sharedRedisUrl(inject('redisUrl')), uniquePrefix('gateway'));
  stack = await startStack(config);
  await publishSnapshots(stack.redis, stack.keys, catalogSnapshots(config, 1, new Date()));
  gateway = await startGateway(config, { sidecar: `unix:${stack.socketPath}`, logger: createLogger('gateway', 'silent') });
});

afterAll(async () => {
  await gateway?.stop();
  await stack?.stop();
  await upstream?.stop();
});

const auth = (tenant: string) => ({ authorization: `Bearer ${keys[tenant].key}` });

/** The gateway's usage reports so far, from its /metrics: events the sidecar accepted, and failed batches. */
async function usageReports(handle: GatewayHandle): Promise<{ reported: number; failed: number }> {
  const text = await (await fetch(handle.metricsUrl!)).text();
  const sum = (name: string) => [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
  return { reported: sum('tollgate_gateway_usage_reported_total'), failed: sum('tollgate_gateway_usage_report_failures_total') };
}

async function problem(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as { status: number; reason?: string; type: string };
}

describe('gateway end to end (real sidecar, real upstream)', () => {
  it('proxies JSON with the tenant upstream, the key stripped, and rate-limit headers in both forms', async () => {
    const res = await fetch(`${gateway.url}/api/v1/json?x=1`, { headers: auth('acme') });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, path: '/base/v1/json?x=1', tenant: 'acme' });
    const seen = upstream.seen.get('/base/v1/json')!;
    expect(seen.authorization).toBeUndefined();
    expect(seen['x-tollgate-feature']).toBe('api-calls');
    expect(res.headers.get('ratelimit-policy')).toBe('"rate";q=1000;w=1000');
    expect(res.headers.get('ratelimit')).toMatch(/^"rate";r=999;t=\d+$/);
    expect(res.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('999');
    expect(res.headers.get('x-ratelimit-reset')).toMatch(/^\d+$/);
  });

  it('streams a request body through and back', async () => {
    const body = 'x'.repeat(256 * 1024);
    const res = await fetch(`${gateway.url}/api/echo`, { method: 'POST', headers: { ...auth('acme'), 'content-type': 'text/plain' }, body });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(body);
  });

  it('streams SSE: the first event arrives before the upstream sends the second', async () => {
    const res = await fetch(`${gateway.url}/llm/sse`, { headers: { ...auth('hooli'), accept: 'text/event-stream' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: first\n\n');
    upstream.releaseSecondEvent();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(rest).toBe('data: second\n\n');
  });

  it('reserves an estimate and commits the actual cost from the response header', async () => {
    const res = await fetch(`${gateway.url}/llm/complete`, { method: 'POST', headers: { ...auth('acme'), 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(200);
    await res.text();
    // The estimate (1000) was held; the commit returns 958 of it.
    await expect.poll(() => quotaRemaining('acme', 'tokens'), { timeout: 2000 }).toBe(10000 - 42);
  });

  it('takes the actual cost from a trailer when a stream reports it at the end', async () => {
    const before = await quotaRemaining('hooli', 'tokens');
    const res = await fetch(`${gateway.url}/llm/stream-priced`, { headers: auth('hooli') });
    expect(await res.text()).toBe('data: a\n\ndata: b\n\n');
    await expect.poll(() => quotaRemaining('hooli', 'tokens'), { timeout: 2000 }).toBe(before - 17);
  });

  it('upstream 5xx is passed through and not charged (the reservation is released)', async () => {
    const before = await quotaRemaining('hooli', 'tokens');
    const res = await fetch(`${gateway.url}/llm/fail`, { headers: auth('hooli') });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('upstream broke');
    await expect.poll(() => quotaRemaining('hooli', 'tokens'), { timeout: 2000 }).toBe(before);
  });

  it('slow upstream → 504, unreachable upstream → 502, both problem+json', async () => {
    const slow = await fetch(`${gateway.url}/slow/x`, { headers: auth('acme') });
    expect(slow.status).toBe(504);
    expect((await problem(slow)).type).toBe('https://tollgate.dev/problems/upstream-timeout');
    const dead = await fetch(`${gateway.url}/dead/x`, { headers: auth('acme') });
    expect(dead.status).toBe(502);
    expect((await problem(dead)).type).toBe('https://tollgate.dev/problems/upstream-unreachable');
  });

  it('401 without a key, 403 not entitled and inactive, 404 no route', async () => {
    const none = await fetch(`${gateway.url}/api/json`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await problem(none)).status).toBe(401);
    const notEntitled = await fetch(`${gateway.url}/tiny/json`, { headers: auth('globex') });
    expect(notEntitled.status).toBe(403);
    expect((await problem(notEntitled)).reason).toBe('NOT_ENTITLED');
    const inactive = await fetch(`${gateway.url}/api/json`, { headers: { 'x-api-key': keys.initech.key } });
    expect(inactive.status).toBe(403);
    expect((await problem(inactive)).reason).toBe('SUBSCRIPTION_INACTIVE');
    const noRoute = await fetch(`${gateway.url}/nowhere`, { headers: auth('acme') });
    expect(noRoute.status).toBe(404);
    await problem(noRoute);
  });

  it('429 with Retry-After when rate limited, 409 when the quota is exhausted', async () => {
    const statuses = [];
    let last!: Response;
    for (let i = 0; i < 3; i++) {
      last = await fetch(`${gateway.url}/tiny/json`, { headers: auth('acme') });
      statuses.push(last.status);
      if (last.status === 200) await last.text();
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
    expect((await problem(last)).reason).toBe('RATE_LIMITED');

    const first = await fetch(`${gateway.url}/capped/json`, { headers: auth('acme') });
    expect(first.status).toBe(200);
    await first.text();
    const second = await fetch(`${gateway.url}/capped/json`, { headers: auth('acme') });
    expect(second.status).toBe(409);
    expect((await problem(second)).reason).toBe('QUOTA_EXHAUSTED');
  });

  it('a revoked key is refused within a second', async () => {
    const ok = await fetch(`${gateway.url}/api/json`, { headers: auth('globex') });
    expect(ok.status).toBe(200);
    await ok.text();
    await republish(stack, 'globex', (s) => ({ ...s, api_keys: [] }));
    const revokedAt = Date.now();
    let status = 200;
    while (Date.now() - revokedAt < 1000 && status === 200) {
      const res = await fetch(`${gateway.url}/api/json`, { headers: auth('globex') });
      status = res.status;
      if (status === 200) chargedWhileRevoking++;
      await res.text();
    }
    expect(status).toBe(401);
  });

  it('reports usage for charged requests only, every event accepted by the sidecar', async () => {
    // Charged so far: json, echo, sse, complete, stream-priced, 2×tiny, capped, globex json = 9, plus any request that got through
    // while the revocation propagated (5xx, 502, 504 and refusals are not charged).
    await expect.poll(() => usageReports(gateway), { timeout: 2000 }).toEqual({ reported: 9 + chargedWhileRevoking, failed: 0 });
  });

  it('holds usage until usage_batch_events are waiting when usage_flush_ms is long', async () => {
    const gatewayConfig = { ...stack.config.edge.gateway, metrics: `127.0.0.1:${await freePort()}`, usage_flush_ms: 10_000, usage_batch_events: 2 };
    const batched = await startGateway(
      { ...stack.config, edge: { ...stack.config.edge, gateway: gatewayConfig } },
      { listen: '127.0.0.1:0', sidecar: `unix:${stack.socketPath}`, logger: createLogger('gateway', 'silent') },
    );
    try {
      expect((await fetch(`${batched.url}/api/json`, { headers: auth('acme') })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      expect(await usageReports(batched), 'one event waits: neither 2 events nor 10 s yet').toEqual({ reported: 0, failed: 0 });
      expect((await fetch(`${batched.url}/api/json`, { headers: auth('acme') })).status).toBe(200);
      await expect.poll(() => usageReports(batched), { timeout: 2000 }).toEqual({ reported: 2, failed: 0 });
    } finally {
      await batched.stop();
    }
  });

  it('stops gracefully: an in-flight request finishes, new connections are refused', async () => {
    const second = await startGateway(stack.config, { listen: '127.0.0.1:0', sidecar: `unix:${stack.socketPath}`, logger: createLogger('gateway', 'silent') });
    const inFlight = fetch(`${second.url}/api/slow`, { headers: auth('acme') });
    await new Promise((r) => setTimeout(r, 300));
    const stopped = second.stop();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('late');
    await stopped;
    await expect(fetch(`${second.url}/api/json`, { headers: auth('acme') })).rejects.toThrow();
  });

  it('asks the sidecar in its local protocol over the socket, or over gRPC when configured so', async () => {
    const grpcCalls = () => stack.sidecar.fastPath!.calls;
    const before = grpcCalls();
    expect((await fetch(`${gateway.url}/api/json`, { headers: auth('acme') })).status).toBe(200);
    expect(grpcCalls(), 'the default gateway asked without gRPC').toBe(before);
    const config = { ...stack.config, edge: { ...stack.config.edge, gateway: { ...stack.config.edge.gateway, sidecar_protocol: 'grpc' as const, report_usage: false } } };
    const overGrpc = await startGateway(config, { listen: '127.0.0.1:0', sidecar: `unix:${stack.socketPath}`, logger: createLogger('gateway', 'silent') });
    try {
      expect((await fetch(`${overGrpc.url}/api/json`, { headers: auth('acme') })).status).toBe(200);
      expect(grpcCalls()).toBe(before + 1);
    } finally {
      await overGrpc.stop();
    }
  });

  it('503 problem+json when the sidecar cannot be reached', async () => {
    const orphan = await startGateway(stack.config, { listen: '127.0.0.1:0', sidecar: 'unix:/nonexistent/tollgate.sock', logger: createLogger('gateway', 'silent') });
    try {
      const res = await fetch(`${orphan.url}/api/json`, { headers: auth('acme') });
      expect(res.status).toBe(503);
      expect((await problem(res)).type).toBe('https://tollgate.dev/problems/sidecar-unavailable');
    } finally {
      await orphan.stop();
    }
  });

  it('503 within the sidecar timeout when the sidecar hangs', async () => {
    // A QuotaService that accepts calls and never answers: a wedged sidecar.
    const hung = new grpc.Server();
    hung.addService(loadQuotaProto().proto.tollgate.v1.QuotaService.service, { Check: () => undefined, Reserve: () => undefined, Commit: () => undefined, Release: () => undefined, CheckBatch: () => undefined });
    const port = await new Promise<number>((resolve, reject) => hung.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    const config = { ...stack.config, edge: { ...stack.config.edge, gateway: { ...stack.config.edge.gateway, sidecar_timeout_ms: 200 } } };
    const stuck = await startGateway(config, { listen: '127.0.0.1:0', sidecar: `127.0.0.1:${port}`, logger: createLogger('gateway', 'silent') });
    try {
      const started = Date.now();
      const res = await fetch(`${stuck.url}/api/json`, { headers: auth('acme') });
      const elapsed = Date.now() - started;
      expect(res.status).toBe(503);
      await problem(res);
      expect(elapsed).toBeGreaterThanOrEqual(190);
      expect(elapsed).toBeLessThan(1000);
    } finally {
      await stuck.stop();
      hung.forceShutdown();
    }
  });
});

async function quotaRemaining(tenantId: string, featureId: string): Promise<number> {
  const { proto } = loadQuotaProto();
  const client = new proto.tollgate.v1.QuotaService(`unix:${stack.socketPath}`, grpc.credentials.createInsecure());
  try {
    return await new Promise<number>((resolve, reject) =>
      client.check({ tenantId, featureId, cost: 1, dryRun: true }, (err, res) => (err ? reject(err) : resolve(Number(res!.quotaRemaining)))),
    );
  } finally {
    client.close();
  }
}
