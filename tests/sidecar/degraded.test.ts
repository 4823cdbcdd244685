import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer } from '../harness/redis.js';
import { catalog, sleep, startTestSidecar, testConfig } from './support.js';

describe('Redis killed mid-run', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('decides degraded without hanging, per on_store_failure, and recovers by itself', async () => {
    const features = [
      { id: 'open', rate_limit: { per_hour: 1, burst: 5 }, quota: { limit: 100, period: 'month' }, on_store_failure: 'open' },
      { id: 'closed', rate_limit: { per_hour: 1, burst: 5 }, on_store_failure: 'closed' },
    ];
    const t = await startTestSidecar(testConfig({ ...catalog(features), redis: { command_timeout_ms: 50 }, sidecar: { leases: { enabled: false } } }, redis.url));
    try {
      const c = (featureId: string, cost = 1) => t.client.check({ tenantId: 'acme', featureId, cost });
      expect(await c('open', 3)).toMatchObject({ allowed: true, degraded: false, quotaRemaining: '97' });
      expect(await c('closed')).toMatchObject({ allowed: true, degraded: false });

      await redis.kill();
      const timings: number[] = [];
      const during = [];
      for (let i = 0; i < 8; i++) {
        const started = performance.now();
        during.push(await c('open'));
        timings.push(performance.now() - started);
      }
      // Fail-open: a local bucket with the same burst decides; nothing waits on the dead server.
      expect(during.every((d) => d.degraded)).toBe(true);
      expect(during.filter((d) => d.allowed)).toHaveLength(5);
      expect(during[7].reason).toBe('RATE_LIMITED');
      expect(Math.max(...timings)).toBeLessThan(250);
      // The local quota started from what Redis last said (97 left), not from zero.
      expect(Number(during[0].quotaRemaining)).toBe(96);
      // Fail-closed: denied, and says why.
      expect(await c('closed')).toMatchObject({ allowed: false, reason: 'STORE_UNAVAILABLE', degraded: true });
      const metrics = await (await fetch(`http://${t.sidecar.httpAddress}/metrics`)).text();
      expect(metrics).toMatch(/^tollgate_store_up 0$/m);
      expect(metrics).toMatch(/^tollgate_degraded_decisions_total\{reason="OK"\} 5$/m);

      await redis.start();
      let recovered;
      for (let i = 0; i < 100 && !recovered; i++) {
        await sleep(50);
        const d = await c('closed', 0);
        if (d.allowed) {
          const probe = await c('closed');
          if (!probe.degraded) recovered = probe;
        }
      }
      expect(recovered).toMatchObject({ degraded: false });
      // The restarted server is empty, but units admitted while degraded were added back to its quota counter.
      expect(Number((await c('open')).quotaRemaining)).toBe(100 - 5 - 1 + 0);
    } finally {
      await t.stop();
    }
  });
});
