import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { describe, expect, inject, it } from 'vitest';
import { RedisKeys } from '../../common/keys.js';
import { readSnapshot } from '../../common/snapshot-store.js';
import { sharedRedisUrl } from '../harness/redis.js';
import { catalog, testConfig } from './support.js';

const run = promisify(execFile);
const redisUrl = sharedRedisUrl(inject('redisUrl'));
const tollgate = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ['dist/cli/tollgate.js', ...args], { env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe('tollgate CLI', () => {
  it('catalog publish writes every tenant snapshot to the Redis named by REDIS_URL', async () => {
    const config = testConfig(catalog([{ id: 'f', rate_limit: { per_second: 10 } }], [{ id: 'acme' }, { id: 'globex', status: 'past_due' }]));
    const file = join(mkdtempSync(join(tmpdir(), 'tg-cli-')), 'tollgate.yaml');
    writeFileSync(file, stringify({ redis: { key_prefix: config.redis.key_prefix }, plans: config.plans, tenants: config.tenants }));
    const result = await tollgate(['catalog', 'publish', '--config', file], { REDIS_URL: redisUrl });
    expect(result.stdout).toContain('published 2 tenant snapshot(s)');
    const redis = new Redis(redisUrl);
    try {
      const keys = new RedisKeys(config.redis.key_prefix);
      const snapshot = await readSnapshot(redis, keys, 'globex');
      expect(snapshot).toMatchObject({ tenant_id: 'globex', plan_id: 'p', status: 'past_due', schema: 1 });
      expect(snapshot!.version).toBeGreaterThan(0);
      expect(snapshot!.features.f.rate_limit).toEqual({ tokens: 10, interval_us: 1_000_000, burst: 10 });
      expect(await redis.smembers(keys.snapshotIndex())).toEqual(expect.arrayContaining(['acme', 'globex']));
    } finally {
      redis.disconnect();
    }
  });

  it('refuses a bad config file naming the file and the key path, exit code 2', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tg-cli-')), 'bad.yaml');
    writeFileSync(file, 'plans:\n  - id: pro\n    features:\n      - id: api\n        quota: { limit: -1, period: month }\n');
    const result = await tollgate(['sidecar', '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`invalid configuration in ${file}`);
    expect(result.stderr).toContain('plans[0].features[0].quota.limit: must be 0 or more');
  });

  it('refuses a bad TOLLGATE_HEAP_GROWING_PERCENT before starting a server, exit code 2', async () => {
    const result = await tollgate(['sidecar'], { TOLLGATE_HEAP_GROWING_PERCENT: 'lots' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('tollgate: TOLLGATE_HEAP_GROWING_PERCENT must be a whole number from 0 to 1000');
    expect(result.stderr).toContain('got "lots"');
  });

  it('explains unknown commands and options', async () => {
    expect((await tollgate(['nope'])).stderr).toContain('unknown command "nope"');
    const bad = await tollgate(['sidecar', '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("sidecar: Unknown option '--bogus'");
    expect((await tollgate(['catalog', 'publish'])).stderr).toContain('catalog publish: --config FILE is required');
  });
});
