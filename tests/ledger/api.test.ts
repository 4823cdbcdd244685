import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisKeys } from '../../common/keys.js';
import { createLogger } from '../../common/log.js';
import { loadLedgerProto } from '../../common/proto.js';
import { connectRedisPatient } from '../../common/redis.js';
import { readSnapshot } from '../../common/snapshot-store.js';
import type { LedgerServiceClient } from '../../proto/gen/tollgate/v1/LedgerService.js';
import { startLedgerService, type LedgerServiceHandle } from '../../ledger-service/src/service.js';
import { createDatabase, sharedDatabaseUrl } from '../harness/postgres.js';
import { sharedRedisUrl } from '../harness/redis.js';
import { arrayUsageReader, testConfig, usageRow } from './helpers.js';

const TOKEN = 'operator-token-for-tests-0123456789';
const prefix = `tg-api-${Date.now()}`;
let service: LedgerServiceHandle;
let client: LedgerServiceClient;
let base: string;
const redis = () => connectRedisPatient(sharedRedisUrl(inject('redisUrl')));

beforeAll(async () => {
  const config = testConfig();
  config.redis = { ...config.redis, url: sharedRedisUrl(inject('redisUrl')), key_prefix: prefix };
  config.ledger = { ...config.ledger, operator_token: TOKEN };
  const usage = arrayUsageReader([usageRow('acme', 'api_calls', '2026-03-02T00:00:00Z', '1500')]);
  service = await startLedgerService(config, {
    grpc: '127.0.0.1:0',
    http: '127.0.0.1:0',
    timers: false,
    usageReader: usage,
    database: { url: await createDatabase(sharedDatabaseUrl(inject('databaseUrl')), 'api') },
    logger: createLogger('ledger-test', 'silent'),
    clock: () => new Date('2026-03-20T12:00:00Z'),
  });
  const { proto } = loadLedgerProto();
  client = new proto.tollgate.v1.LedgerService(`127.0.0.1:${service.grpcPort}`, grpc.credentials.createInsecure()) as unknown as LedgerServiceClient;
  base = `http://127.0.0.1:${service.httpPort}`;
});
afterAll(async () => {
  client?.close();
  await service?.stop();
});

const auth = (token = TOKEN) => {
  const m = new grpc.Metadata();
  m.set('authorization', `Bearer ${token}`);
  return m;
};

function call<Req, Res>(method: string, request: Req, metadata = auth()): Promise<Res> {
  return new Promise((resolve, reject) =>
    (client as unknown as Record<string, (r: Req, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, r: Res) => void) => void>)[method](request, metadata, (err, res) =>
      err ? reject(err) : resolve(res),
    ),
  );
}

async function http(method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
}

describe('gRPC LedgerService', () => {
  it('refuses calls without the operator token, or with a wrong one', async () => {
    await expect(call('GetTenant', { tenantId: 'acme' }, new grpc.Metadata())).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    await expect(call('GetTenant', { tenantId: 'acme' }, auth('wrong-token'))).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
  });

  it('names the invalid field', async () => {
    const err = (await call('CreateTenant', { tenantId: 'acme', planId: 'gold' }).catch((e) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toBe('plan_id: unknown plan "gold" (configured: pro, basic)');
    expect(err.metadata.get('tollgate-field')).toEqual(['plan_id']);
    const time = (await call('CreateTenant', { tenantId: 'acme', planId: 'pro', billingAnchor: 'yesterday' }).catch((e) => e)) as grpc.ServiceError;
    expect(time.details).toBe('billing_anchor: must be an RFC 3339 time such as "2026-03-01T00:00:00Z"');
  });

  it('creates a tenant and publishes its snapshot to Redis', async () => {
    const state = await call<unknown, { subscription: { status: string; currentPeriodStart: string } }>('CreateTenant', {
      tenantId: 'acme',
      planId: 'pro',
      billingAnchor: '2026-03-01T00:00:00Z',
    });
    expect(state.subscription).toMatchObject({ status: 'active', currentPeriodStart: '2026-03-01T00:00:00.000Z' });
    const r = redis();
    try {
      const snapshot = await readSnapshot(r, new RedisKeys(prefix), 'acme');
      expect(snapshot).toMatchObject({ tenant_id: 'acme', plan_id: 'pro', status: 'active', period_anchor: '2026-03-01T00:00:00.000Z' });
      expect(Object.keys(snapshot!.features)).toContain('api_calls');
      await expect(call('CreateTenant', { tenantId: 'acme', planId: 'pro' })).rejects.toMatchObject({ code: grpc.status.ALREADY_EXISTS });
    } finally {
      r.disconnect();
    }
  });

  it('replays an idempotency key and refuses it with a different input', async () => {
    const first = await call<unknown, { replayed: boolean; transactionId: string }>('AddCredit', { tenantId: 'acme', amount: '25.00', idempotencyKey: 'k1' });
    const again = await call<unknown, { replayed: boolean; transactionId: string }>('AddCredit', { tenantId: 'acme', amount: '25.00', idempotencyKey: 'k1' });
    expect([first.replayed, again.replayed, again.transactionId]).toEqual([false, true, first.transactionId]);
    const err = (await call('AddCredit', { tenantId: 'acme', amount: '26.00', idempotencyKey: 'k1' }).catch((e) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.ALREADY_EXISTS);
    expect(err.details).toBe('idempotency key "credit:acme:k1" was already used for a different transaction');
    const amount = (await call('AddCredit', { tenantId: 'acme', amount: '1.001', idempotencyKey: 'k2' }).catch((e) => e)) as grpc.ServiceError;
    expect(amount.details).toBe('amount: USD has 2 decimal places');
  });

  it('rates, previews and finalizes', async () => {
    expect(await call('RateUsage', {})).toMatchObject({ written: 2, usageLines: 1, usageRows: 1 });
    const preview = await call<unknown, { status: string; total: string; creditApplied: string; amountDue: string }>('PreviewInvoice', { tenantId: 'acme' });
    expect(preview).toMatchObject({ status: 'preview', total: '50.00', creditApplied: '25.00', amountDue: '25.00' });
    const invoice = await call<unknown, { status: string; number: number }>('FinalizeInvoice', { tenantId: 'acme' });
    expect(invoice).toMatchObject({ status: 'finalized', number: 1 });
    expect(await call('GetBalance', { tenantId: 'acme' })).toMatchObject({ receivable: '25', prepaid: '0', unbilled: '0' });
    expect(await call('VerifyLedger', {})).toMatchObject({ ok: true, transactions: '4' });
  });
});

describe('HTTP admin API', () => {
  it('answers 401 problem+json without the token', async () => {
    const res = await http('GET', '/v1/tenants/acme', undefined, null);
    expect(res.status).toBe(401);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.detail).toBe('authorization: a valid operator token is required (Bearer …)');
  });

  it('answers 400 naming the field, 404 for unknown tenants, 409 for refused changes', async () => {
    expect((await http('POST', '/v1/tenants', '{not json')).body).toMatchObject({ status: 400, detail: 'body: not valid JSON' });
    expect((await http('POST', '/v1/tenants', { tenant_id: 'x y', plan_id: 'pro' })).body).toMatchObject({ status: 400, field: 'tenant_id' });
    expect((await http('POST', '/v1/tenants/acme/credits', { amount: 5, idempotency_key: 'n' })).body).toMatchObject({
      status: 400,
      detail: 'amount: must be a string (amounts and times are strings)',
    });
    expect((await http('GET', '/v1/tenants/acme/balance?at=soon')).body).toMatchObject({ status: 400, field: 'at' });
    expect((await http('GET', '/v1/tenants/nobody')).body).toMatchObject({ status: 404, detail: 'tenant "nobody" does not exist' });
    const refund = await http('POST', '/v1/tenants/acme/refunds', { amount: '1.00', idempotency_key: 'r', from: 'prepaid' });
    expect(refund.status).toBe(409);
    expect(refund.body.detail).toMatch(/customer:acme:prepaid would go below zero/);
  });

  it('creates tenants, changes subscriptions, republishes snapshots and reads balances', async () => {
    const created = await http('POST', '/v1/tenants', { tenant_id: 'globex', plan_id: 'basic', billing_anchor: '2026-03-01T00:00:00Z' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ tenant_id: 'globex', subscription: { plan_id: 'basic', status: 'active' } });
    const r = redis();
    try {
      const before = (await readSnapshot(r, new RedisKeys(prefix), 'globex'))!;
      const suspended = await http('PATCH', '/v1/tenants/globex/subscription', { status: 'suspended', reason: 'payment failed' });
      expect(suspended.body).toMatchObject({ subscription: { status: 'suspended' } });
      const after = (await readSnapshot(r, new RedisKeys(prefix), 'globex'))!;
      expect(after.status).toBe('suspended');
      expect(after.version).toBeGreaterThan(before.version);
    } finally {
      r.disconnect();
    }
    expect((await http('GET', '/v1/tenants/acme/balance?at=2026-03-02T00:00:00Z')).body).toMatchObject({ tenant_id: 'acme', receivable: '0' });
    const invoices = await http('GET', '/v1/tenants/acme/invoices');
    expect((invoices.body.invoices as unknown[]).length).toBe(1);
  });
});

describe('API keys over the admin API and the CLI', () => {
  it('issues, lists and revokes keys over HTTP', async () => {
    const created = await http('POST', '/v1/tenants/acme/api-keys', { name: 'deploy bot' });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    const keyId = (created.body.api_key as { key_id: string }).key_id;
    expect(key).toMatch(new RegExp(`^tg_live_${keyId}_[A-Za-z0-9]{16,}$`));
    const listed = await http('GET', '/v1/tenants/acme/api-keys');
    expect(listed.body.api_keys).toEqual([expect.objectContaining({ key_id: keyId, name: 'deploy bot', revoked_at: '' })]);
    expect(JSON.stringify(listed.body)).not.toContain(key);
    const revoked = await http('DELETE', `/v1/tenants/acme/api-keys/${keyId}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBe('');
    expect((await http('DELETE', '/v1/tenants/acme/api-keys/nope')).status).toBe(404);
  });

  it('tollgate keys create/list/revoke --tenant T talks to the running service', async () => {
    const { execFile } = await import('node:child_process');
    // Asynchronously: the service answering the CLI runs in this very process.
    const keys = (...args: string[]) =>
      new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          ['--import', 'tsx', 'cli/tollgate.ts', 'keys', ...args, '--ledger', base],
          { env: { ...process.env, TOLLGATE_OPERATOR_TOKEN: TOKEN, LOG_LEVEL: 'silent' }, encoding: 'utf8' },
          (err, stdout, stderr) => resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const created = await keys('create', '--tenant', 'acme', '--name', 'cli');
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/^tg_live_[A-Za-z0-9]+_[A-Za-z0-9]+\n$/);
    const keyId = created.stdout.split('_')[2];
    expect((await keys('list', '--tenant', 'acme')).stdout).toMatch(new RegExp(`^${keyId}\t\\S+\tactive\tcli$`, 'm'));
    expect((await keys('revoke', '--tenant', 'acme', '--key', keyId)).stdout).toMatch(new RegExp(`^revoked ${keyId} of tenant acme at `));
    const unknown = await keys('create', '--tenant', 'nobody');
    expect([unknown.status, unknown.stderr]).toEqual([2, 'tollgate: keys create: tenant "nobody" does not exist\n']);
  });
});

describe('without a configured operator token', () => {
  it('generates one under data_dir (mode 0600) instead of leaving the admin API open', async () => {
    const { mkdtempSync, readFileSync, statSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-token-'));
    const config = { ...testConfig(), data_dir: dir };
    config.redis = { ...config.redis, url: sharedRedisUrl(inject('redisUrl')), key_prefix: `tg-token-${Date.now()}` };
    const saved = process.env.TOLLGATE_OPERATOR_TOKEN;
    delete process.env.TOLLGATE_OPERATOR_TOKEN;
    const other = await startLedgerService(config, {
      grpc: '127.0.0.1:0',
      http: '127.0.0.1:0',
      timers: false,
      usageReader: arrayUsageReader([]),
      database: { url: await createDatabase(sharedDatabaseUrl(inject('databaseUrl')), 'token') },
      logger: createLogger('ledger-test', 'silent'),
    });
    try {
      const file = join(dir, 'operator-token');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const token = readFileSync(file, 'utf8').trim();
      expect(token).toMatch(/^[0-9a-f]{64}$/);
      const url = `http://127.0.0.1:${other.httpPort}/v1/ledger/verify`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      if (saved !== undefined) process.env.TOLLGATE_OPERATOR_TOKEN = saved;
      await other.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
