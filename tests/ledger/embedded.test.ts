import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../common/log.js';
import { finalizeInvoice } from '../../ledger-service/src/app/invoices.js';
import { addCredit, getBalance } from '../../ledger-service/src/app/payments.js';
import { rateUsage } from '../../ledger-service/src/app/rating.js';
import { createTenant } from '../../ledger-service/src/app/tenants.js';
import { verifyLedger } from '../../ledger-service/src/app/verify.js';
import { openLedgerRuntime, type LedgerRuntime } from '../../ledger-service/src/runtime.js';
import { sharedRedisUrl } from '../harness/redis.js';
import { arrayUsageReader, testConfig, usageRow } from './helpers.js';

// Without DATABASE_URL the ledger runs on embedded PGlite: the same migrations, triggers and role.
describe('the ledger on embedded PGlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-pglite-'));
  let runtime: LedgerRuntime;
  let now = new Date('2026-03-20T12:00:00Z');
  beforeAll(async () => {
    const config = testConfig();
    config.redis = { ...config.redis, url: sharedRedisUrl(inject('redisUrl')), key_prefix: `tg-emb-${Date.now()}` };
    runtime = await openLedgerRuntime(config, {
      database: { embeddedPath: join(dir, 'ledger') },
      logger: createLogger('test', 'silent'),
      clock: () => now,
      usageReader: arrayUsageReader([usageRow('acme', 'seats', '2026-03-02T00:00:00Z', '3')]),
    });
  });
  afterAll(async () => {
    await runtime?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rates, invoices and verifies', async () => {
    await createTenant(runtime.ctx, { tenantId: 'acme', planId: 'pro', billingAnchor: new Date('2026-03-01T00:00:00Z') });
    await addCredit(runtime.ctx, { tenantId: 'acme', amount: '60.00', idempotencyKey: 'c', source: 'grant' });
    expect((await rateUsage(runtime.ctx, await runtime.usage())).written).toBe(2);
    now = new Date('2026-04-01T01:00:00Z');
    const invoice = await finalizeInvoice(runtime.ctx, 'acme', new Date('2026-03-01T00:00:00Z'));
    expect(invoice).toMatchObject({ number: 1, total: '50.00', creditApplied: '50.00', amountDue: '0.00' });
    expect(await getBalance(runtime.ctx, 'acme')).toMatchObject({ prepaid: '10', receivable: '0', unbilled: '0' });
    expect(await verifyLedger(runtime.ctx.db)).toEqual({ ok: true, transactions: 4 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE there too', async () => {
    await expect(runtime.ctx.db.query('UPDATE postings SET amount = 0')).rejects.toThrow('permission denied for table postings');
    await expect(runtime.ctx.db.query('DELETE FROM transactions')).rejects.toThrow('permission denied for table transactions');
    await expect(runtime.ctx.db.query('TRUNCATE postings')).rejects.toThrow('permission denied for table postings');
  });
});
