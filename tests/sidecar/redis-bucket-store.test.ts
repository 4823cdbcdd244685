import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { RedisKeys } from '../../common/keys.js';
import { MemoryBucketStore } from '../../sidecar/src/adapters/memory-bucket-store.js';
import { checkRuns, decisionsFromRuns, RedisBucketStore } from '../../sidecar/src/adapters/redis-bucket-store.js';
import type { ApplyResult, CheckOp, LimitTarget } from '../../sidecar/src/engine/bucket-store.js';
import { sharedRedisUrl } from '../harness/redis.js';

const redis = new Redis(sharedRedisUrl(inject('redisUrl')));
afterAll(() => redis.quit());

/** A small seeded generator (mulberry32), so a failure names a case that can be run again. */
function random(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

// One token an hour: nothing refills a whole token during the test, so whole tokens compare exactly between the
// script (Redis TIME) and the in-memory store (its own clock).
const HOUR_US = 3_600_000_000;

function comparable(r: ApplyResult, target: LimitTarget) {
  const whole = (scaled: number) => (target.rate ? Math.floor(scaled / HOUR_US) : scaled);
  return { ops: r.ops.map((o) => [o.outcome, whole(o.tokens), o.used]), tokens: whole(r.tokens), used: r.used, leased: r.leased };
}

describe('check-4.lua, whose reply is runs of equal checks', () => {
  it('checkRuns groups consecutive equal checks, dry runs apart', () => {
    const ops: CheckOp[] = [
      { cost: 1, dryRun: false },
      { cost: 1, dryRun: false },
      { cost: 1, dryRun: true },
      { cost: 0, dryRun: false },
      { cost: 1, dryRun: false },
    ];
    expect(checkRuns(ops)).toEqual([1, 2, -2, 1, 0, 1, 1, 1]);
    expect(checkRuns([])).toEqual([]);
  });

  it('refuses a reply that does not account for every check, rather than guessing', () => {
    const target: LimitTarget = { tenantId: 't', featureId: 'f' };
    const twoChecks: CheckOp[] = [{ cost: 1, dryRun: false }, { cost: 1, dryRun: false }];
    expect(decisionsFromRuns(target, twoChecks, [-1, 0, 0, -1, 0, 1, 0, 2])).toEqual([
      { outcome: 0, tokens: -1, used: 0 },
      { outcome: 0, tokens: -1, used: 0 },
    ]);
    expect(() => decisionsFromRuns(target, twoChecks, [-1, 0, 0])).toThrow(/answered 0 of 2 checks/);
    expect(() => decisionsFromRuns(target, twoChecks, [-1, 0, 0, -1, 0, 1, 0, 1])).toThrow(/answered 1 of 2 checks/);
    expect(() => decisionsFromRuns(target, twoChecks, [-1, 0, 0, -1, 0, 1, 0, 3])).toThrow(/3 decisions for 2 checks/);
  });

  it('decides every check as the in-memory store does, in 300 random sequences', async () => {
    const store = new RedisBucketStore(redis, new RedisKeys(`t${randomBytes(5).toString('hex')}`));
    const memory = new MemoryBucketStore();
    const period = { id: '2026-11', startMs: 0, endMs: Date.UTC(2026, 11, 1) };
    for (let seed = 1; seed <= 300; seed++) {
      const r = random(seed);
      const quotaKind = r(3);
      const target: LimitTarget = {
        tenantId: `tenant-${seed}`,
        featureId: 'f',
        rate: r(4) === 0 ? undefined : { tokens: 1, interval_us: HOUR_US, burst: 1 + r(30) },
        quota: quotaKind === 0 ? undefined : { limit: r(40), hard: quotaKind === 1, period, ttlSeconds: 3600 },
      };
      if (!target.rate && !target.quota) target.quota = { limit: r(40), hard: true, period, ttlSeconds: 3600 };
      for (let call = 0; call < 3; call++) {
        const ops: CheckOp[] = [];
        for (let run = 1 + r(5); run > 0; run--) {
          const op = { cost: r(4), dryRun: r(4) === 0 };
          for (let n = 1 + r(15); n > 0; n--) ops.push({ ...op });
        }
        const request = { ops, refundTokens: 0, refundQuota: 0, leaseWant: r(3) === 0 ? r(6) : 0 };
        const [fromRedis, fromMemory] = [await store.apply(target, request), await memory.apply(target, request)];
        expect(comparable(fromRedis, target), `seed ${seed}, call ${call}`).toEqual(comparable(fromMemory, target));
      }
    }
  });
});
