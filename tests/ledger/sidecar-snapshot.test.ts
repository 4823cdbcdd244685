import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashApiKey } from '../../common/api-key.js';
import { createLogger } from '../../common/log.js';
import { operations } from '../../ledger-service/src/api/operations.js';
import { startLedgerService, type LedgerServiceHandle } from '../../ledger-service/src/service.js';
import { startSidecar, type SidecarHandle } from '../../sidecar/src/server.js';
import { createDatabase, sharedDatabaseUrl } from '../harness/postgres.js';
import { sharedRedisUrl } from '../harness/redis.js';
import { quotaClient, type QuotaClient } from '../sidecar/support.js';
import { arrayUsageReader, testConfig } from './helpers.js';

const quiet = createLogger('test', 'silent');
let ledger: LedgerServiceHandle;
let sidecar: SidecarHandle;
let quota: QuotaClient;

beforeAll(async () => {
  const config = testConfig();
  config.redis = { ...config.redis, url: sharedRedisUrl(inject('redisUrl')), key_prefix: `tg-snap-${Date.now()}`, command_timeout_ms: 1000 };
  config.ledger = { ...config.ledger, operator_token: 'operator-token-for-tests-0123456789' };
  ledger = await startLedgerService(config, {
    grpc: '127.0.0.1:0',
    http: '127.0.0.1:0',
    timers: false,
    usageReader: arrayUsageReader([]),
    database: { url: await createDatabase(sharedDatabaseUrl(inject('databaseUrl')), 'snap') },
    logger: quiet,
  });
  sidecar = await startSidecar(config, { grpc: '127.0.0.1:0', http: '127.0.0.1:0', logger: quiet, modules: [] });
  quota = quotaClient(sidecar.grpcAddress);
});
afterAll(async () => {
  quota?.close();
  await sidecar?.stop();
  await ledger?.stop();
});

const deps = () => ({ ctx: ledger.runtime.ctx, usage: ledger.runtime.usage });

/** Milliseconds until `probe` holds in the running sidecar (polling every 5 ms, giving up after 3 s). */
async function msUntil(probe: () => boolean | Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await probe())) {
    if (Date.now() - start > 3000) throw new Error('the sidecar did not see the change within 3 s');
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - start;
}

describe('entitlement snapshots published by the ledger reach a running sidecar', () => {
  it('a new tenant becomes checkable within a second', async () => {
    expect((await quota.check({ tenantId: 'acme', featureId: 'api_calls', cost: 1 })).reason).toBe('UNKNOWN_TENANT');
    await operations.CreateTenant(deps(), { tenantId: 'acme', planId: 'pro', name: '', status: '', billingAnchor: '', trialEndsAt: '' });
    expect(await msUntil(() => sidecar.context.snapshots.get('acme')?.status === 'active')).toBeLessThan(1000);
    expect(await quota.check({ tenantId: 'acme', featureId: 'api_calls', cost: 1 })).toMatchObject({ allowed: true, reason: 'OK' });
  });

  it('a suspended subscription makes checks deny with SUBSCRIPTION_INACTIVE within a second; reactivation allows again', async () => {
    await operations.UpdateSubscription(deps(), { tenantId: 'acme', status: 'suspended', planId: '', reason: 'payment failed' });
    expect(await msUntil(async () => (await quota.check({ tenantId: 'acme', featureId: 'api_calls', cost: 1 })).reason === 'SUBSCRIPTION_INACTIVE')).toBeLessThan(1000);
    await operations.UpdateSubscription(deps(), { tenantId: 'acme', status: 'active', planId: '', reason: 'paid' });
    expect(await msUntil(async () => (await quota.check({ tenantId: 'acme', featureId: 'api_calls', cost: 1 })).allowed)).toBeLessThan(1000);
  });

  it('a plan change changes the entitlements', async () => {
    expect((await quota.check({ tenantId: 'acme', featureId: 'tokens', cost: 1 })).allowed).toBe(true);
    await operations.UpdateSubscription(deps(), { tenantId: 'acme', status: '', planId: 'basic', reason: '' });
    expect(await msUntil(async () => (await quota.check({ tenantId: 'acme', featureId: 'tokens', cost: 1 })).reason === 'NOT_ENTITLED')).toBeLessThan(1000);
  });
});

describe('trials', () => {
  it('an ended trial becomes active on the next pass, and the sidecar sees it', async () => {
    const { endTrials } = await import('../../ledger-service/src/app/tenants.js');
    const ctx = ledger.runtime.ctx;
    await operations.CreateTenant(deps(), { tenantId: 'trial-co', planId: 'pro', name: '', status: '', billingAnchor: '', trialEndsAt: new Date(Date.now() + 60_000).toISOString() });
    expect(await msUntil(() => sidecar.context.snapshots.get('trial-co')?.status === 'trialing')).toBeLessThan(1000);
    expect(await endTrials(ctx)).toEqual([]);
    const later = { ...ctx, clock: () => new Date(Date.now() + 120_000) };
    expect(await endTrials(later)).toEqual(['trial-co']);
    expect(await msUntil(() => sidecar.context.snapshots.get('trial-co')?.status === 'active')).toBeLessThan(1000);
  });
});

describe('API keys travel with the snapshot', () => {
  it('an issued key resolves to its tenant in the sidecar; a revoked key is gone within a second', async () => {
    const issued = await operations.CreateApiKey(deps(), { tenantId: 'acme', name: 'ci', environment: '' });
    expect(issued.key).toMatch(/^tg_live_[A-Za-z0-9]+_[A-Za-z0-9]+$/);
    const sha = hashApiKey(issued.key!);
    expect(await msUntil(() => sidecar.context.snapshots.tenantForKeyHash(sha)?.tenantId === 'acme')).toBeLessThan(1000);
    expect(sidecar.context.snapshots.tenantForKeyHash(sha)).toEqual({ tenantId: 'acme', keyId: issued.apiKey!.keyId });

    const stored = await ledger.runtime.ctx.db.query<{ sha256: string }>('SELECT sha256 FROM api_keys');
    expect(stored).toEqual([{ sha256: sha }]); // only the hash is stored
    expect(JSON.stringify(await ledger.runtime.ctx.db.query('SELECT * FROM api_keys'))).not.toContain(issued.key!.split('_')[3]);

    await operations.RevokeApiKey(deps(), { tenantId: 'acme', keyId: issued.apiKey!.keyId! });
    expect(await msUntil(() => sidecar.context.snapshots.tenantForKeyHash(sha) === undefined)).toBeLessThan(1000);
    const listed = await operations.ListApiKeys(deps(), { tenantId: 'acme' });
    expect(listed.apiKeys).toMatchObject([{ keyId: issued.apiKey!.keyId, name: 'ci' }]);
    expect(listed.apiKeys![0].revokedAt).not.toBe('');
  });

  it('refuses keys for unknown tenants and revocations of keys of another tenant', async () => {
    await expect(operations.CreateApiKey(deps(), { tenantId: 'nobody', name: '', environment: '' })).rejects.toThrow('tenant "nobody" does not exist');
    await operations.CreateTenant(deps(), { tenantId: 'globex', planId: 'pro', name: '', status: '', billingAnchor: '', trialEndsAt: '' });
    const issued = await operations.CreateApiKey(deps(), { tenantId: 'acme', name: '', environment: 'test' });
    expect(issued.key).toMatch(/^tg_test_/);
    await expect(operations.RevokeApiKey(deps(), { tenantId: 'globex', keyId: issued.apiKey!.keyId! })).rejects.toThrow(/of tenant "globex" does not exist/);
    await expect(operations.CreateApiKey(deps(), { tenantId: 'acme', name: '', environment: 'prod' })).rejects.toThrow('environment: must be "live" or "test"');
  });
});
