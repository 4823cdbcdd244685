import { afterEach, describe, expect, inject, it } from 'vitest';
import { sharedRedisUrl } from '../harness/redis.js';
import { catalog, sleep, startTestSidecar, testConfig } from './support.js';

const redisUrl = sharedRedisUrl(inject('redisUrl'));
const noLeases = { leases: { enabled: false, hot_after: 8, max_tokens: 64, ttl_ms: 250 } };
let stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops) await s();
  stops = [];
});

async function sidecarWith(features: unknown[], extra: Record<string, unknown> = {}, tenants?: Array<{ id: string; status?: string }>) {
  const t = await startTestSidecar(testConfig({ ...catalog(features, tenants), sidecar: { ...noLeases }, ...extra }, redisUrl));
  stops.push(t.stop);
  return t.client;
}

describe('token bucket', () => {
  it('admits exactly the burst, then denies with a retry time', async () => {
    const client = await sidecarWith([{ id: 'f', rate_limit: { per_hour: 1, burst: 5 } }]);
    const results = [];
    for (let i = 0; i < 7; i++) results.push(await client.check({ tenantId: 'acme', featureId: 'f', cost: 1 }));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false, false]);
    expect(results.map((r) => Number(r.remaining))).toEqual([4, 3, 2, 1, 0, 0, 0]);
    expect(results[5].reason).toBe('RATE_LIMITED');
    expect(results[5].limit).toBe('5');
    // One token per hour: the next one is about an hour away.
    expect(Number(results[5].retryAfterMs)).toBeGreaterThan(3_500_000);
    expect(Number(results[5].retryAfterMs)).toBeLessThanOrEqual(3_600_000);
  });

  it('weighs checks by cost exactly', async () => {
    const client = await sidecarWith([{ id: 'f', rate_limit: { per_hour: 1, burst: 10 } }]);
    const c = (cost: number) => client.check({ tenantId: 'acme', featureId: 'f', cost });
    expect((await c(4)).remaining).toBe('6');
    expect((await c(4)).remaining).toBe('2');
    const denied = await c(3);
    expect(denied.allowed).toBe(false);
    expect(denied.remaining).toBe('2');
    expect((await c(2)).allowed).toBe(true);
    expect((await c(1)).allowed).toBe(false);
    // A cost above the burst can never succeed: denied, with no retry time that would mislead.
    const never = await c(11);
    expect(never.allowed).toBe(false);
    expect(never.retryAfterMs).toBe('0');
  });

  it('refills continuously at the configured rate', async () => {
    // 5/s: a token every 200 ms, so a busy machine (tests run in parallel) does not refill one between two calls.
    const client = await sidecarWith([{ id: 'f', rate_limit: { per_second: 5, burst: 2 } }]);
    const c = () => client.check({ tenantId: 'acme', featureId: 'f', cost: 1 });
    expect((await c()).allowed).toBe(true);
    expect((await c()).allowed).toBe(true);
    const denied = await c();
    expect(denied.allowed).toBe(false);
    const wait = Number(denied.retryAfterMs);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(200);
    await sleep(wait + 5);
    expect((await c()).allowed).toBe(true);
    await sleep(480); // 5/s for 480 ms is 2.4 tokens: the bucket is full (2) again, no more.
    const r1 = await c();
    const r2 = await c();
    const r3 = await c();
    expect([r1.allowed, r2.allowed, r3.allowed]).toEqual([true, true, false]);
  });

  it('dry run decides without consuming', async () => {
    const client = await sidecarWith([{ id: 'f', rate_limit: { per_hour: 1, burst: 1 } }]);
    const dry = await client.check({ tenantId: 'acme', featureId: 'f', cost: 1, dryRun: true });
    expect(dry.allowed).toBe(true);
    expect((await client.check({ tenantId: 'acme', featureId: 'f', cost: 1 })).allowed).toBe(true);
    expect((await client.check({ tenantId: 'acme', featureId: 'f', cost: 1, dryRun: true })).allowed).toBe(false);
  });
});

describe('entitlements', () => {
  it('answers every entitlement reason as a decision', async () => {
    const client = await sidecarWith([{ id: 'f', rate_limit: { per_second: 10 } }, { id: 'voice' }], {}, [
      { id: 'acme' },
      { id: 'late', status: 'past_due' },
      { id: 'trial', status: 'trialing' },
    ]);
    const reason = async (tenantId: string, featureId: string, cost = 1) => (await client.check({ tenantId, featureId, cost })).reason;
    expect(await reason('acme', 'voice')).toBe('OK');
    expect(await reason('acme', 'voice', 0)).toBe('OK');
    expect(await reason('acme', 'missing')).toBe('NOT_ENTITLED');
    expect(await reason('late', 'f')).toBe('SUBSCRIPTION_INACTIVE');
    expect(await reason('trial', 'f')).toBe('OK');
    expect(await reason('nobody', 'f')).toBe('UNKNOWN_TENANT');
    expect(await client.checkEntitlement({ tenantId: 'acme', featureId: 'voice' })).toMatchObject({ allowed: true, reason: 'OK', planId: 'p' });
    expect(await client.checkEntitlement({ tenantId: 'acme', featureId: 'missing' })).toMatchObject({ allowed: false, reason: 'NOT_ENTITLED' });
    expect(await client.checkEntitlement({ tenantId: 'late', featureId: 'f' })).toMatchObject({ allowed: false, reason: 'SUBSCRIPTION_INACTIVE' });
  });

  it('cost 0 checks the entitlement only and consumes nothing', async () => {
    const client = await sidecarWith([{ id: 'f', rate_limit: { per_hour: 1, burst: 1 } }]);
    for (let i = 0; i < 3; i++) expect((await client.check({ tenantId: 'acme', featureId: 'f', cost: 0 })).allowed).toBe(true);
    expect((await client.check({ tenantId: 'acme', featureId: 'f', cost: 1 })).allowed).toBe(true);
  });
});

describe('CheckBatch', () => {
  it('answers item by item in order, with errors only for the malformed items', async () => {
    const client = await sidecarWith([{ id: 'f', rate_limit: { per_hour: 1, burst: 2 } }]);
    const item = { tenantId: 'acme', featureId: 'f', cost: 1 };
    const { results } = await client.checkBatch({ items: [item, { ...item, featureId: '' }, item, item, { ...item, tenantId: 'x' }] });
    expect(results.map((r) => r.decision?.reason ?? `error:${r.error?.field}`)).toEqual(['OK', 'error:items[1].feature_id', 'OK', 'RATE_LIMITED', 'UNKNOWN_TENANT']);
    expect(results[1].error?.code).toBe(3);
  });
});
