import { afterEach, describe, expect, inject, it } from 'vitest';
import { sharedRedisUrl } from '../harness/redis.js';
import { catalog, sleep, startTestSidecar, testConfig } from './support.js';

const redisUrl = sharedRedisUrl(inject('redisUrl'));
let stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops) await s();
  stops = [];
});

async function sidecarWith(features: unknown[], nowMs?: () => number, sidecar: Record<string, unknown> = {}) {
  const config = testConfig({ ...catalog(features), sidecar: { leases: { enabled: false }, ...sidecar } }, redisUrl);
  const t = await startTestSidecar(config, { nowMs });
  stops.push(t.stop);
  return t.client;
}

describe('period quota', () => {
  it('hard quota denies QUOTA_EXHAUSTED until the period ends', async () => {
    let now = Date.UTC(2026, 10, 21, 12, 0, 0);
    const client = await sidecarWith([{ id: 'q', quota: { limit: 5, period: 'day', enforcement: 'hard' } }], () => now);
    const c = (cost: number) => client.check({ tenantId: 'acme', featureId: 'q', cost });
    expect((await c(3)).quotaRemaining).toBe('2');
    expect((await c(2)).quotaRemaining).toBe('0');
    const denied = await c(1);
    expect(denied).toMatchObject({ allowed: false, reason: 'QUOTA_EXHAUSTED', limit: '5', remaining: '0' });
    expect(Number(denied.retryAfterMs)).toBe(12 * 3600 * 1000);
    // Next UTC day: a fresh period.
    now = Date.UTC(2026, 10, 22, 0, 0, 1);
    expect(await c(5)).toMatchObject({ allowed: true, quotaRemaining: '0' });
  });

  it('soft quota allows and flags overage', async () => {
    const client = await sidecarWith([{ id: 'q', quota: { limit: 2, period: 'month', enforcement: 'soft' } }]);
    const c = () => client.check({ tenantId: 'acme', featureId: 'q', cost: 1 });
    expect((await c()).overage).toBe(false);
    expect((await c()).overage).toBe(false);
    expect(await c()).toMatchObject({ allowed: true, reason: 'OK', overage: true, quotaRemaining: '0' });
  });

  it('month quotas roll over at the UTC month boundary', async () => {
    let now = Date.UTC(2026, 0, 31, 23, 59, 59, 500);
    const client = await sidecarWith([{ id: 'q', quota: { limit: 1, period: 'month' } }], () => now);
    const c = () => client.check({ tenantId: 'acme', featureId: 'q', cost: 1 });
    expect((await c()).allowed).toBe(true);
    expect((await c()).reason).toBe('QUOTA_EXHAUSTED');
    now = Date.UTC(2026, 1, 1, 0, 0, 0, 0);
    expect((await c()).allowed).toBe(true);
  });

  it('a hard quota binds before a rate limit that would still allow', async () => {
    const client = await sidecarWith([{ id: 'q', rate_limit: { per_second: 1000, burst: 1000 }, quota: { limit: 3, period: 'day' } }]);
    for (let i = 0; i < 3; i++) expect((await client.check({ tenantId: 'acme', featureId: 'q', cost: 1 })).allowed).toBe(true);
    expect((await client.check({ tenantId: 'acme', featureId: 'q', cost: 1 })).reason).toBe('QUOTA_EXHAUSTED');
  });
});

describe('reserve, commit, release', () => {
  const feature = { id: 'tok', rate_limit: { per_hour: 1, burst: 1000 }, quota: { limit: 1000, period: 'month' } };

  it('holds the estimate, then settles at the actual amount', async () => {
    const client = await sidecarWith([feature]);
    const r = await client.reserve({ tenantId: 'acme', featureId: 'tok', estimate: 600 });
    expect(r.decision).toMatchObject({ allowed: true, remaining: '400', quotaRemaining: '400' });
    expect(r.reservationId).toMatch(/^[0-9A-Z]{26}$/);
    // The hold is real: a second reservation that does not fit is refused.
    expect((await client.reserve({ tenantId: 'acme', featureId: 'tok', estimate: 500 })).decision?.reason).toBe('QUOTA_EXHAUSTED');
    const done = await client.commit({ tenantId: 'acme', reservationId: r.reservationId, actual: 250 });
    expect(done).toMatchObject({ settled: true, estimate: '600', actual: '250', overage: false });
    const after = await client.check({ tenantId: 'acme', featureId: 'tok', cost: 1 });
    expect(after).toMatchObject({ remaining: '749', quotaRemaining: '749' });
    // Settling twice does nothing.
    expect((await client.commit({ tenantId: 'acme', reservationId: r.reservationId, actual: 250 })).settled).toBe(false);
  });

  it('commit above the estimate takes the difference', async () => {
    const client = await sidecarWith([feature]);
    const r = await client.reserve({ tenantId: 'acme', featureId: 'tok', estimate: 100 });
    await client.commit({ tenantId: 'acme', reservationId: r.reservationId, actual: 300 });
    expect((await client.check({ tenantId: 'acme', featureId: 'tok', cost: 0, dryRun: true })).allowed).toBe(true);
    expect((await client.check({ tenantId: 'acme', featureId: 'tok', cost: 1 })).quotaRemaining).toBe('699');
  });

  it('release gives the whole estimate back', async () => {
    const client = await sidecarWith([feature]);
    const r = await client.reserve({ tenantId: 'acme', featureId: 'tok', estimate: 900 });
    expect((await client.release({ tenantId: 'acme', reservationId: r.reservationId })).released).toBe(true);
    expect((await client.release({ tenantId: 'acme', reservationId: r.reservationId })).released).toBe(false);
    expect((await client.check({ tenantId: 'acme', featureId: 'tok', cost: 1 })).quotaRemaining).toBe('999');
  });

  it('an unsettled reservation expires and its quota comes back', async () => {
    const client = await sidecarWith([feature]);
    const r = await client.reserve({ tenantId: 'acme', featureId: 'tok', estimate: 900, ttlMs: 100 });
    expect(r.expiresInMs).toBe('100');
    expect((await client.check({ tenantId: 'acme', featureId: 'tok', cost: 200 })).reason).toBe('QUOTA_EXHAUSTED');
    await sleep(150);
    expect((await client.check({ tenantId: 'acme', featureId: 'tok', cost: 1 })).quotaRemaining).toBe('999');
    expect((await client.commit({ tenantId: 'acme', reservationId: r.reservationId, actual: 900 })).settled).toBe(false);
  });

  it('a caller-chosen reservation id is idempotent', async () => {
    const client = await sidecarWith([feature]);
    const a = await client.reserve({ tenantId: 'acme', featureId: 'tok', estimate: 300, reservationId: 'req-42' });
    const b = await client.reserve({ tenantId: 'acme', featureId: 'tok', estimate: 300, reservationId: 'req-42' });
    expect(a.reservationId).toBe('req-42');
    expect(b.reservationId).toBe('req-42');
    expect((await client.check({ tenantId: 'acme', featureId: 'tok', cost: 1 })).quotaRemaining).toBe('699');
  });
});
