import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HourlyUsageRow } from '../../common/clickhouse/usage-reader.js';
import { readTransactionPage } from '../../ledger-service/src/adapters/ledger-store.js';
import type { Database } from '../../ledger-service/src/adapters/database.js';
import { previewInvoice } from '../../ledger-service/src/app/invoices.js';
import { getBalance } from '../../ledger-service/src/app/payments.js';
import { rateUsage } from '../../ledger-service/src/app/rating.js';
import { createTenant } from '../../ledger-service/src/app/tenants.js';
import { verifyLedger } from '../../ledger-service/src/app/verify.js';
import type { StoredTransaction } from '../../ledger-service/src/domain/transaction.js';
import { PostgresServer, sharedDatabaseUrl } from '../harness/postgres.js';
import { arrayUsageReader, openTestLedger, usageLinesOf, usageRow, type TestLedger } from './helpers.js';

const ANCHOR = new Date('2026-03-01T00:00:00Z');
const NOW = new Date('2026-03-20T12:00:00Z');

/** Deterministic usage: every hour of 1–19 March for three features of each tenant. */
function usage(tenants: string[]): HourlyUsageRow[] {
  const rows: HourlyUsageRow[] = [];
  for (const t of tenants) {
    for (let h = 0; h < 19 * 24; h++) {
      const hour = new Date(ANCHOR.getTime() + h * 3_600_000).toISOString();
      rows.push(usageRow(t, 'api_calls', hour, String(37 + ((h * 7919) % 61))));
      rows.push(usageRow(t, 'tokens', hour, `${(h % 5) + 1}.25`));
      if (h % 24 === 0) rows.push(usageRow(t, 'seats', hour, '1'));
    }
  }
  return rows;
}

async function provision(ledger: TestLedger, tenants: string[]): Promise<void> {
  ledger.clock.now = NOW;
  for (const t of tenants) await createTenant(ledger.ctx, { tenantId: t, planId: 'pro', billingAnchor: ANCHOR });
}

async function allTransactions(db: Database): Promise<StoredTransaction[]> {
  return readTransactionPage(db, 0, 1_000_000);
}

/** Everything except when a row was recorded (and the chain hashes that cover that time). */
const content = (txs: StoredTransaction[]) => txs.map(({ recordedAt: _r, hash: _h, prevHash: _p, ...rest }) => rest);

let server: string;
const ledgers: TestLedger[] = [];
async function ledger(): Promise<TestLedger> {
  const l = await openTestLedger(server);
  ledgers.push(l);
  return l;
}
beforeAll(() => {
  server = sharedDatabaseUrl(inject('databaseUrl'));
});
afterAll(async () => {
  for (const l of ledgers) await l.close();
});

describe('rating closed hourly usage into the ledger', () => {
  it('writes one usage line per (tenant, feature, hour), in one charge transaction, plus the monthly fee, and nothing when re-run', async () => {
    const l = await ledger();
    await provision(l, ['acme']);
    const reader = arrayUsageReader(usage(['acme']));
    const first = await rateUsage(l.ctx, reader);
    expect(first.to.toISOString()).toBe('2026-03-20T11:00:00.000Z'); // watermark: hours that ended 15 minutes ago
    expect([first.written, first.usageLines]).toEqual([2, 19 * 24 * 2 + 19]);
    const lines = usageLinesOf(await allTransactions(l.ctx.db));
    expect(lines.length).toBe(19 * 24 * 2 + 19);
    expect(new Set(lines.map((u) => `${u.featureId} ${u.hour} ${u.revision}`)).size).toBe(lines.length);
    expect(lines.every((u) => u.kind === 'usage_charge' && u.revision === 0 && u.transactionKey === 'usage:acme:api_calls:2026-03-01T00:00:00.000Z:r0+931')).toBe(true);
    // The usage transaction is effective when its last hour ends: 2026-03-19T23:00 + 1 hour.
    const charge = (await allTransactions(l.ctx.db)).find((t) => t.kind === 'usage_charge')!;
    expect(charge.effectiveAt.toISOString()).toBe('2026-03-20T00:00:00.000Z');
    const again = await rateUsage(l.ctx, reader);
    expect(again.written).toBe(0);
    const fees = (await allTransactions(l.ctx.db)).filter((t) => t.kind === 'recurring_fee');
    expect(fees.map((t) => [t.effectiveAt.toISOString(), t.postings[0].amount])).toEqual([['2026-03-01T00:00:00.000Z', '10']]);
  });

  it('charges graduated tiers by cumulative period usage in time order', async () => {
    const l = await ledger();
    await provision(l, ['acme']);
    const rows = [
      usageRow('acme', 'api_calls', '2026-03-02T00:00:00Z', '800'),
      usageRow('acme', 'api_calls', '2026-03-02T01:00:00Z', '400'),
      usageRow('acme', 'api_calls', '2026-03-05T09:00:00Z', '9000'),
    ];
    await rateUsage(l.ctx, arrayUsageReader(rows));
    const charges = usageLinesOf(await allTransactions(l.ctx.db)).filter((u) => u.featureId === 'api_calls');
    expect(charges.map((u) => [u.hour, u.quantity, u.amount])).toEqual([
      ['2026-03-02T00:00:00.000Z', '800', '0'],
      ['2026-03-02T01:00:00.000Z', '400', '0.4'],
      ['2026-03-05T09:00:00.000Z', '9000', '17.8'],
    ]);
  });

  it('turns late events and corrections into adjustment lines, never rewrites', async () => {
    const l = await ledger();
    await provision(l, ['acme']);
    const rows = [
      usageRow('acme', 'api_calls', '2026-03-02T00:00:00Z', '800'),
      usageRow('acme', 'api_calls', '2026-03-02T01:00:00Z', '400'),
      usageRow('acme', 'api_calls', '2026-03-05T09:00:00Z', '9000'),
    ];
    const reader = arrayUsageReader(rows);
    await rateUsage(l.ctx, reader);
    const before = await allTransactions(l.ctx.db);
    rows[0] = usageRow('acme', 'api_calls', '2026-03-02T00:00:00Z', '900'); // a late event in the first hour
    rows.splice(2, 1); // the 9000 were voided by corrections
    l.clock.now = new Date('2026-03-20T13:00:00Z');
    const run = await rateUsage(l.ctx, reader);
    const after = await allTransactions(l.ctx.db);
    expect(content(after.slice(0, before.length))).toEqual(content(before)); // nothing rewritten
    const adjustments = usageLinesOf(after.slice(before.length));
    expect(run.written).toBe(1);
    expect(adjustments.map((u) => [u.kind, u.transactionKey, u.hour, u.revision, u.quantity, u.amount])).toEqual([
      ['usage_adjustment', 'usage:acme:api_calls:2026-03-02T00:00:00.000Z:r1+3', '2026-03-02T00:00:00.000Z', 1, '100', '0'],
      ['usage_adjustment', 'usage:acme:api_calls:2026-03-02T00:00:00.000Z:r1+3', '2026-03-02T01:00:00.000Z', 1, '0', '0.2'],
      ['usage_adjustment', 'usage:acme:api_calls:2026-03-02T00:00:00.000Z:r1+3', '2026-03-05T09:00:00.000Z', 1, '-9000', '-17.8'],
    ]);
    // 1300 calls: 300 above the free 1000 at 0.002 = 0.60, plus the 10.00 fee.
    expect((await getBalance(l.ctx, 'acme')).unbilled).toBe('10.6');
    expect((await rateUsage(l.ctx, reader)).written).toBe(0);
  });

  it('rating a fresh database from the same usage yields identical transactions', async () => {
    const tenants = ['acme', 'globex', 'initech'];
    const rows = usage(tenants);
    const a = await ledger();
    await provision(a, tenants);
    await rateUsage(a.ctx, arrayUsageReader(rows), { batchSize: 250 });
    const b = await ledger();
    await provision(b, [...tenants].reverse()); // provisioning order does not matter
    await rateUsage(b.ctx, arrayUsageReader([...rows].reverse()), { batchSize: 1000 });
    const [ta, tb] = [await allTransactions(a.ctx.db), await allTransactions(b.ctx.db)];
    expect(ta.length).toBe(3 * 2);
    expect(usageLinesOf(ta).length).toBe(3 * (19 * 24 * 2 + 19));
    expect(content(tb)).toEqual(content(ta));
    expect((await verifyLedger(b.ctx.db)).ok).toBe(true);
  });
});

describe('another writer appending while rating runs', () => {
  it('batches prepared ahead of a moved chain are appended the ordinary way: nothing lost, nothing doubled', async () => {
    const { addCredit } = await import('../../ledger-service/src/app/payments.js');
    const tenants = ['acme', 'globex', 'initech', 'umbrella'];
    const l = await ledger();
    await provision(l, tenants);
    const realTransaction = l.ctx.db.transaction.bind(l.ctx.db);
    let calls = 0;
    l.ctx.db.transaction = (async (fn: Parameters<Database['transaction']>[0]) => {
      // Before the third batch is written, someone else appends (a credit): that batch was prepared on the old head.
      if (++calls === 3) await addCredit(l.ctx, { tenantId: 'acme', amount: '5.00', idempotencyKey: 'mid-run', source: 'grant' });
      return realTransaction(fn);
    }) as Database['transaction'];
    // A batch per tenant: its fee and its usage transaction (933 postings) pass 300 postings.
    const run = await rateUsage(l.ctx, arrayUsageReader(usage(tenants)), { batchSize: 300 });
    l.ctx.db.transaction = realTransaction;
    const all = await allTransactions(l.ctx.db);
    expect(calls).toBeGreaterThan(4); // the stale third batch was appended the ordinary way
    expect(run.written).toBe(4 * 2);
    expect(run.usageLines).toBe(4 * (19 * 24 * 2 + 19)); // counted on the fallback path too
    expect(usageLinesOf(all).length).toBe(4 * (19 * 24 * 2 + 19));
    expect(all.length).toBe(run.written + 1);
    expect(new Set(all.map((t) => t.idempotencyKey)).size).toBe(all.length);
    expect(all.map((t) => t.seq)).toEqual(all.map((_, i) => i + 1));
    expect((await verifyLedger(l.ctx.db)).ok).toBe(true);
    expect((await rateUsage(l.ctx, arrayUsageReader(usage(tenants)))).written).toBe(0);
  });
});

describe('two rating runs at once', () => {
  it('the run that loses the race for some hours rates again from the ledger: every hour charged once', async () => {
    const tenants = ['acme', 'globex'];
    const rows = usage(tenants);
    const reference = await ledger();
    await provision(reference, tenants);
    await rateUsage(reference.ctx, arrayUsageReader(rows));

    const l = await ledger();
    await provision(l, tenants);
    const other = await openTestLedger(server, undefined, l.url); // another replica on the same database
    ledgers.push(other);
    other.clock.now = NOW;
    const realTransaction = l.ctx.db.transaction.bind(l.ctx.db);
    let otherWrote = 0;
    l.ctx.db.transaction = (async (fn: Parameters<Database['transaction']>[0]) => {
      // After this run has read the ledger and priced its first batch, the other run rates the first 9 days.
      if (otherWrote === 0) otherWrote = (await rateUsage(other.ctx, arrayUsageReader(rows), { to: new Date('2026-03-10T00:00:00Z') })).written;
      return realTransaction(fn);
    }) as Database['transaction'];
    const run = await rateUsage(l.ctx, arrayUsageReader(rows));
    l.ctx.db.transaction = realTransaction;

    const all = await allTransactions(l.ctx.db);
    expect(otherWrote).toBe(4); // a fee and a usage transaction per tenant
    expect(run.written).toBe(all.length - otherWrote); // its first attempt's batch rolled back whole
    expect(run.usageLines).toBe(usageLinesOf(all.slice(otherWrote)).length);
    const lines = usageLinesOf(all);
    expect(lines.length).toBe(2 * (19 * 24 * 2 + 19));
    expect(new Set(lines.map((u) => `${u.tenantId} ${u.featureId} ${u.hour} ${u.revision}`)).size).toBe(lines.length);
    expect(lines.every((u) => u.revision === 0)).toBe(true);
    for (const t of tenants) expect(await getBalance(l.ctx, t)).toEqual(await getBalance(reference.ctx, t));
    expect((await verifyLedger(l.ctx.db)).ok).toBe(true);
  });
});

describe('Postgres restarted in the middle of a rating run', () => {
  let pg: PostgresServer;
  beforeAll(async () => {
    pg = await PostgresServer.start();
  });
  afterAll(async () => pg?.destroy());

  it('the interrupted batch rolls back; the next run completes it with no double charge', async () => {
    // A batch per tenant (its fee and its usage transaction pass 200 postings).
    const tenants = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
    const rows = usage(tenants);
    const reference = await ledger();
    await provision(reference, tenants);
    await rateUsage(reference.ctx, arrayUsageReader(rows));

    const l = await openTestLedger(pg.url);
    ledgers.push(l);
    await provision(l, tenants);
    const realTransaction = l.ctx.db.transaction.bind(l.ctx.db);
    let calls = 0;
    l.ctx.db.transaction = (async (fn: Parameters<Database['transaction']>[0]) => {
      calls++;
      if (calls !== 4) return realTransaction(fn);
      // The fourth batch is written completely, then the server dies before COMMIT.
      return realTransaction(async (sql) => {
        const result = await fn(sql);
        await pg.stop();
        return result;
      });
    }) as Database['transaction'];
    await expect(rateUsage(l.ctx, arrayUsageReader(rows), { batchSize: 200 })).rejects.toThrow();
    const [{ n: committed }] = await l.owner.query<{ n: string }>('SELECT count(*) AS n FROM transactions').catch(() => [{ n: '?' }]);
    expect(committed).toBe('?'); // the server is down
    await pg.start();
    const [{ n: survived }] = await l.owner.query<{ n: string }>('SELECT count(*) AS n FROM transactions');
    expect(Number(survived)).toBe(6); // three batches committed, the fourth did not

    const resumed = await rateUsage(l.ctx, arrayUsageReader(rows), { batchSize: 200 });
    const total = await allTransactions(l.ctx.db);
    expect(resumed.written).toBe(total.length - 6);
    expect(usageLinesOf(total).length).toBe(5 * (19 * 24 * 2 + 19));
    expect(content(total)).toEqual(content(await allTransactions(reference.ctx.db)));
    for (const t of tenants) expect(await getBalance(l.ctx, t)).toEqual(await getBalance(reference.ctx, t));
    expect((await rateUsage(l.ctx, arrayUsageReader(rows))).written).toBe(0);
    expect((await verifyLedger(l.ctx.db)).ok).toBe(true);
  });
});

describe('usage rated before usage lines (migration 0004)', () => {
  /** A usage transaction as rating wrote it before 0004: the rating key on the transaction row, two postings. */
  async function insertOldStyleCharge(l: TestLedger, hour: string, quantity: string, amount: string): Promise<void> {
    const { chainHash, GENESIS_HASH, transactionId } = await import('../../ledger-service/src/domain/transaction.js');
    const { createHash } = await import('node:crypto');
    const key = `usage:acme:api_calls:${hour}:r0`;
    const effectiveAt = new Date(new Date(hour).getTime() + 3_600_000);
    const description = `api_calls usage ${hour}: ${quantity} units`;
    const postings: Array<[string, string, string]> = [['customer:acme:unbilled', 'USD', amount], ['revenue:usage:api_calls', 'USD', `-${amount}`]];
    // The input hash as it was computed then (the pinned hashes in pricing.test.ts check that formula still verifies).
    const inputHash = createHash('sha256')
      .update(JSON.stringify(['usage_charge', 'acme', effectiveAt.toISOString(), description, postings, ['api_calls', hour, 0, quantity], null]))
      .digest('hex');
    const stored = {
      seq: 1, id: transactionId(key), idempotencyKey: key, inputHash, kind: 'usage_charge' as const, tenantId: 'acme', effectiveAt, recordedAt: new Date('2026-03-03T00:00:00Z'),
      description, featureId: 'api_calls', windowStart: new Date(hour), revision: 0, quantity, invoiceId: null, postings: [], prevHash: GENESIS_HASH,
    };
    await l.owner.transaction(async (sql) => {
      await sql.query(`INSERT INTO accounts (id, kind, tenant_id) VALUES ('customer:acme:unbilled', 'asset', 'acme'), ('revenue:usage:api_calls', 'revenue', NULL)`);
      await sql.query(
        `INSERT INTO transactions (seq, id, idempotency_key, input_hash, kind, tenant_id, effective_at, recorded_at, description, feature_id, window_start, revision, quantity, prev_hash, hash)
         VALUES (1, $1, $2, $3, 'usage_charge', 'acme', $4, $5, $6, 'api_calls', $7, 0, $8, $9, $10)`,
        [stored.id, key, inputHash, effectiveAt.toISOString(), stored.recordedAt.toISOString(), description, hour, quantity, GENESIS_HASH, chainHash(stored)],
      );
      await sql.query(`INSERT INTO postings (transaction_id, line, account, currency, amount) VALUES ($1, 0, $2, 'USD', $3), ($1, 1, $4, 'USD', $5)`, [
        stored.id, postings[0][0], amount, postings[1][0], `-${amount}`,
      ]);
    });
  }

  it('are read alongside usage lines: not rated again, adjusted with the next revision, billed, verified', async () => {
    const l = await ledger();
    await provision(l, ['acme']);
    await insertOldStyleCharge(l, '2026-03-02T00:00:00.000Z', '1200', '0.4'); // 200 above the free 1000 at 0.002
    expect((await verifyLedger(l.ctx.db)).ok).toBe(true);

    const rows = [usageRow('acme', 'api_calls', '2026-03-02T00:00:00Z', '1200'), usageRow('acme', 'api_calls', '2026-03-02T01:00:00Z', '400')];
    await rateUsage(l.ctx, arrayUsageReader(rows));
    const lines = () => allTransactions(l.ctx.db).then((txs) => usageLinesOf(txs).map((u) => [u.hour, u.revision, u.quantity, u.amount]));
    expect(await lines()).toEqual([['2026-03-02T01:00:00.000Z', 0, '400', '0.8']]); // hour 00 is already rated

    rows[0] = usageRow('acme', 'api_calls', '2026-03-02T00:00:00Z', '1300'); // a late event in the old hour
    l.clock.now = new Date('2026-03-20T13:00:00Z');
    await rateUsage(l.ctx, arrayUsageReader(rows));
    expect(await lines()).toEqual([
      ['2026-03-02T01:00:00.000Z', 0, '400', '0.8'],
      ['2026-03-02T00:00:00.000Z', 1, '100', '0.2'], // revision 1 follows the old transaction's revision 0
    ]);

    const preview = await previewInvoice(l.ctx, 'acme');
    expect(preview.lines.find((x) => x.key === 'usage:api_calls')).toMatchObject({ quantity: '1700', amount: '1.40' });
    expect((await getBalance(l.ctx, 'acme')).unbilled).toBe('11.4'); // usage 1.40 and the 10.00 fee
    expect((await verifyLedger(l.ctx.db)).ok).toBe(true);
  });
});
