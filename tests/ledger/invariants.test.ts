import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../ledger-service/src/adapters/database.js';
import { appendTransactions, IdempotencyConflict } from '../../ledger-service/src/adapters/ledger-store.js';
import { addCredit, getBalance, recordPayment, refund } from '../../ledger-service/src/app/payments.js';
import { LedgerError } from '../../ledger-service/src/app/errors.js';
import { createTenant } from '../../ledger-service/src/app/tenants.js';
import { verifyLedger } from '../../ledger-service/src/app/verify.js';
import { accounts } from '../../ledger-service/src/domain/accounts.js';
import { sharedDatabaseUrl } from '../harness/postgres.js';
import { rateUsage } from '../../ledger-service/src/app/rating.js';
import { arrayUsageReader, openTestLedger, usageRow, type TestLedger } from './helpers.js';

let ledger: TestLedger;
/** The database owner (superuser here): has every privilege, so only the triggers stand in its way. */
let superuser: Database;

beforeAll(async () => {
  ledger = await openTestLedger(sharedDatabaseUrl(inject('databaseUrl')));
  superuser = ledger.owner;
  await createTenant(ledger.ctx, { tenantId: 'acme', planId: 'pro', billingAnchor: new Date('2026-03-01T00:00:00Z') });
  await addCredit(ledger.ctx, { tenantId: 'acme', amount: '100.00', idempotencyKey: 'topup-1', source: 'purchase' });
  await recordPayment(ledger.ctx, { tenantId: 'acme', amount: '40.00', idempotencyKey: 'pay-1' });
});
afterAll(async () => ledger?.close());

const refusal = async (db: Database, sql: string) => {
  try {
    await db.query(sql);
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
};

describe('append-only, enforced by the database', () => {
  const tables = ['accounts', 'transactions', 'postings', 'subscription_events'];

  it.each(tables)('%s: UPDATE and DELETE are refused by triggers even for a superuser', async (table) => {
    expect(await refusal(superuser, `UPDATE ${table} SET tenant_id = tenant_id`.replace('tenant_id = tenant_id', table === 'postings' ? 'amount = amount' : table === 'accounts' ? 'kind = kind' : 'tenant_id = tenant_id'))).toBe(
      `table ${table} is append-only: UPDATE refused`,
    );
    expect(await refusal(superuser, `DELETE FROM ${table}`)).toBe(`table ${table} is append-only: DELETE refused`);
  });

  it('TRUNCATE is refused by a statement trigger', async () => {
    expect(await refusal(superuser, 'TRUNCATE postings')).toBe('table postings is append-only: TRUNCATE refused');
    expect(await refusal(superuser, 'TRUNCATE invoice_items')).toBe('table invoice_items is append-only: TRUNCATE refused');
  });

  it('the service role holds no UPDATE, DELETE or TRUNCATE privilege at all', async () => {
    const service = ledger.ctx.db;
    expect(await refusal(service, 'UPDATE postings SET amount = 0')).toBe('permission denied for table postings');
    expect(await refusal(service, 'DELETE FROM transactions')).toBe('permission denied for table transactions');
    expect(await refusal(service, 'TRUNCATE accounts')).toBe('permission denied for table accounts');
    const [privileges] = await superuser.query<{ update: boolean; delete: boolean; truncate: boolean }>(
      `SELECT has_table_privilege('tollgate_service', 'transactions', 'UPDATE') AS update,
              has_table_privilege('tollgate_service', 'transactions', 'DELETE') AS delete,
              has_table_privilege('tollgate_service', 'transactions', 'TRUNCATE') AS truncate`,
    );
    expect(privileges).toEqual({ update: false, delete: false, truncate: false });
  });

  it('an unbalanced transaction is refused at COMMIT, and nothing of it remains', async () => {
    const input = {
      idempotencyKey: 'unbalanced-1',
      kind: 'manual' as const,
      effectiveAt: new Date(),
      description: 'does not balance',
      postings: [
        { account: accounts.cash(), currency: 'USD', amount: '10' },
        { account: accounts.refunds(), currency: 'USD', amount: '-9.99' },
      ],
    };
    await expect(ledger.ctx.db.transaction((sql) => appendTransactions(sql, [input], new Date()))).rejects.toThrow(/does not balance: postings in USD sum to 0.01/);
    expect(await ledger.ctx.db.query(`SELECT 1 FROM transactions WHERE idempotency_key = 'unbalanced-1'`)).toEqual([]);
  });

  it('balancing per currency: USD and EUR must each sum to zero', async () => {
    const input = {
      idempotencyKey: 'fx-1',
      kind: 'manual' as const,
      effectiveAt: new Date(),
      description: 'mixed currencies',
      postings: [
        { account: accounts.cash(), currency: 'USD', amount: '10' },
        { account: accounts.refunds(), currency: 'EUR', amount: '-10' },
      ],
    };
    await expect(ledger.ctx.db.transaction((sql) => appendTransactions(sql, [input], new Date()))).rejects.toThrow(/does not balance: postings in (USD|EUR)/);
  });

  it('postings split over several statements are checked together at COMMIT', async () => {
    const owner = ledger.owner;
    const insertTransaction = async (sql: { query: Database['query'] }, key: string) => {
      const [{ id }] = await sql.query<{ id: string }>(
        `INSERT INTO transactions SELECT seq + 1000000, gen_random_uuid(), $1, input_hash, kind, tenant_id, effective_at, recorded_at, description,
           feature_id, window_start, revision, quantity, invoice_id, prev_hash, hash FROM transactions ORDER BY seq LIMIT 1 RETURNING id`,
        [key],
      );
      return id;
    };
    const post = (sql: { query: Database['query'] }, id: string, line: number, amount: string) =>
      sql.query(`INSERT INTO postings VALUES ($1, $2, 'asset:cash', 'USD', $3)`, [id, line, amount]);
    // Unbalanced in each statement, balanced in the whole: commits (rolled back here to keep the chain intact).
    const balanced = await owner
      .transaction(async (sql) => {
        const id = await insertTransaction(sql, 'split-balanced');
        await post(sql, id, 0, '7');
        await post(sql, id, 1, '-7');
        await sql.query('SET CONSTRAINTS ALL IMMEDIATE');
        throw new Error('balanced');
      })
      .catch((e: Error) => e.message);
    expect(balanced).toBe('balanced');
    // Balanced in its first statement, unbalanced by a second one: refused.
    await expect(
      owner.transaction(async (sql) => {
        const id = await insertTransaction(sql, 'split-unbalanced');
        await post(sql, id, 0, '5');
        await post(sql, id, 1, '-5');
        await post(sql, id, 2, '0.01');
      }),
    ).rejects.toThrow(/does not balance: postings in USD sum to 0.01/);
    // Checked once at SET CONSTRAINTS … IMMEDIATE, then unbalanced again later: refused at COMMIT all the same.
    await expect(
      owner.transaction(async (sql) => {
        const id = await insertTransaction(sql, 'split-after-immediate');
        await post(sql, id, 0, '3');
        await post(sql, id, 1, '-3');
        await sql.query('SET CONSTRAINTS ALL IMMEDIATE');
        await sql.query('SET CONSTRAINTS ALL DEFERRED');
        await post(sql, id, 2, '-1');
      }),
    ).rejects.toThrow(/does not balance: postings in USD sum to -1/);
    expect(await ledger.ctx.db.query(`SELECT 1 FROM transactions WHERE idempotency_key LIKE 'split-%'`)).toEqual([]);
  });

  it('postings must reference existing accounts and transactions', async () => {
    await expect(
      ledger.owner.transaction((sql) => sql.query(`INSERT INTO postings VALUES (gen_random_uuid(), 0, 'asset:cash', 'USD', 0)`)),
    ).rejects.toThrow(/posting references transaction .*, which does not exist/);
    const input = {
      idempotencyKey: 'no-such-account',
      kind: 'manual' as const,
      effectiveAt: new Date(),
      description: 'unknown account',
      postings: [
        { account: accounts.cash(), currency: 'USD', amount: '1' },
        { account: accounts.refunds(), currency: 'USD', amount: '-1' },
      ],
    };
    await expect(
      ledger.owner.transaction(async (sql) => {
        await appendTransactions(sql, [input], new Date());
        const [{ id }] = await sql.query<{ id: string }>(`SELECT id FROM transactions WHERE idempotency_key = 'no-such-account'`);
        await sql.query(`INSERT INTO postings VALUES ($1, 5, 'asset:nowhere', 'USD', 0)`, [id]);
      }),
    ).rejects.toThrow('posting references account asset:nowhere, which does not exist');
  });

  it('a posting cannot be added later to a committed transaction', async () => {
    const [tx] = await ledger.ctx.db.query<{ id: string }>('SELECT id FROM transactions ORDER BY seq LIMIT 1');
    expect(await refusal(ledger.ctx.db, `INSERT INTO postings VALUES ('${tx.id}', 99, 'asset:cash', 'USD', 1)`)).toBe(
      'postings may only be added to a transaction created in the same database transaction',
    );
  });

  it('prepaid credit cannot go negative: the database refuses the commit', async () => {
    await expect(refund(ledger.ctx, { tenantId: 'acme', amount: '100.01', idempotencyKey: 'too-much', from: 'prepaid' })).rejects.toThrow(
      /customer:acme:prepaid would go below zero in USD/,
    );
    expect((await getBalance(ledger.ctx, 'acme')).prepaid).toBe('100');
  });
});

describe('idempotency keys', () => {
  it('a replay returns the original transaction and writes nothing', async () => {
    const first = await addCredit(ledger.ctx, { tenantId: 'acme', amount: '5.00', idempotencyKey: 'grant-1', source: 'grant' });
    const [{ n: before }] = await superuser.query<{ n: string }>('SELECT count(*) AS n FROM transactions');
    ledger.clock.now = new Date(ledger.clock.now.getTime() + 60_000);
    const again = await addCredit(ledger.ctx, { tenantId: 'acme', amount: '5.00', idempotencyKey: 'grant-1', source: 'grant' });
    const [{ n: after }] = await superuser.query<{ n: string }>('SELECT count(*) AS n FROM transactions');
    expect(first.replayed).toBe(false);
    expect(again.replayed).toBe(true);
    expect(again.transaction).toEqual(first.transaction);
    expect(after).toBe(before);
  });

  it('the same key with a different input is an explicit error', async () => {
    const err = await addCredit(ledger.ctx, { tenantId: 'acme', amount: '6.00', idempotencyKey: 'grant-1', source: 'grant' }).catch((e) => e);
    expect(err).toBeInstanceOf(IdempotencyConflict);
    expect(err.message).toBe('idempotency key "credit:acme:grant-1" was already used for a different transaction');
  });

  it('the database itself refuses a second row with the same key', async () => {
    expect(await refusal(superuser, `INSERT INTO transactions SELECT seq + 1000, gen_random_uuid(), idempotency_key, input_hash, kind, tenant_id, effective_at,
      recorded_at, description, feature_id, window_start, revision, quantity, invoice_id, prev_hash || 'x', hash || 'x' FROM transactions ORDER BY seq LIMIT 1`)).toMatch(
      /duplicate key value violates unique constraint "transactions_idempotency_key_key"/,
    );
  });

  it('refunds of payments are limited to what was paid', async () => {
    const err = await refund(ledger.ctx, { tenantId: 'acme', amount: '40.01', idempotencyKey: 'r-1', from: 'payment' }).catch((e) => e);
    expect(err).toBeInstanceOf(LedgerError);
    expect(err.message).toBe('refund of 40.01 USD exceeds the 40 USD paid and not yet refunded');
    await refund(ledger.ctx, { tenantId: 'acme', amount: '15.00', idempotencyKey: 'r-2', from: 'payment' });
    await expect(refund(ledger.ctx, { tenantId: 'acme', amount: '25.01', idempotencyKey: 'r-3', from: 'payment' })).rejects.toThrow(/exceeds the 25 USD/);
  });
});

describe('bulk appends through COPY', () => {
  it('round-trip text with tabs, newlines and backslashes exactly (the hash chain would notice otherwise)', async () => {
    const description = 'top-up\tfrom "ops"\nline two \\ back\\slash\r';
    const { transaction } = await addCredit(ledger.ctx, { tenantId: 'acme', amount: '1.00', idempotencyKey: 'tabs', source: 'grant', description });
    const [stored] = await ledger.ctx.db.query<{ description: string }>('SELECT description FROM transactions WHERE id = $1', [transaction.id]);
    expect(stored.description).toBe(description);
    expect((await verifyLedger(ledger.ctx.db)).ok).toBe(true);
  });
});

describe('hash chain', () => {
  it('verifies an untouched ledger', async () => {
    const report = await verifyLedger(ledger.ctx.db);
    expect(report.ok).toBe(true);
    expect(report.transactions).toBeGreaterThanOrEqual(4);
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'cli/tollgate.ts', 'ledger', 'verify'], {
      env: { ...process.env, DATABASE_URL: ledger.url, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });
    expect([cli.status, cli.stdout]).toEqual([0, `ledger verified: ${report.transactions} transaction(s), hash chain intact\n`]);
  });

  it('reports the first altered transaction after a superuser edits a posting with triggers disabled', async () => {
    const url = ledger.url;
    const tamper = await openDatabase({ url });
    try {
      const [second] = await tamper.query<{ seq: string; id: string; idempotency_key: string }>('SELECT seq, id, idempotency_key FROM transactions ORDER BY seq OFFSET 1 LIMIT 1');
      await tamper.transaction(async (sql) => {
        await sql.query('ALTER TABLE postings DISABLE TRIGGER USER');
        await sql.query(`UPDATE postings SET amount = amount * 2 WHERE transaction_id = $1`, [second.id]);
        await sql.query('ALTER TABLE postings ENABLE TRIGGER USER');
      });
      const report = await verifyLedger(ledger.ctx.db, 2);
      expect(report.ok).toBe(false);
      expect(report.firstBreak).toMatchObject({
        seq: Number(second.seq),
        idempotencyKey: second.idempotency_key,
        problem: 'content does not match its hash (the transaction or its postings were altered)',
      });

      // The same through the CLI: exit code 1 and the first altered transaction named.
      const cli = spawnSync(process.execPath, ['--import', 'tsx', 'cli/tollgate.ts', 'ledger', 'verify'], {
        env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
        encoding: 'utf8',
      });
      expect(cli.status).toBe(1);
      expect(cli.stdout).toBe(
        `ledger ALTERED: first broken transaction seq ${second.seq} (id ${second.id}, key "${second.idempotency_key}"): content does not match its hash (the transaction or its postings were altered)\n`,
      );
    } finally {
      await tamper.close();
    }
  });
});

describe('usage lines', () => {
  let rated: TestLedger;
  beforeAll(async () => {
    rated = await openTestLedger(sharedDatabaseUrl(inject('databaseUrl')));
    rated.clock.now = new Date('2026-03-20T12:00:00Z');
    await createTenant(rated.ctx, { tenantId: 'acme', planId: 'pro', billingAnchor: new Date('2026-03-01T00:00:00Z') });
    await rateUsage(rated.ctx, arrayUsageReader([
      usageRow('acme', 'api_calls', '2026-03-02T00:00:00Z', '1500'),
      usageRow('acme', 'api_calls', '2026-03-02T01:00:00Z', '500'),
    ]));
  });
  afterAll(async () => rated?.close());

  it('the database refuses a second line with the same (tenant, feature, hour, revision), even from a superuser', async () => {
    const message = await refusal(rated.owner, `INSERT INTO postings SELECT transaction_id, line + 100, account, currency, amount, feature_id, window_start, revision, quantity
      FROM postings WHERE revision IS NOT NULL LIMIT 1`);
    expect(message).toBe('duplicate key value violates unique constraint "postings_usage_line_key"');
  });

  it('a usage line is all of feature, hour, revision and quantity, on a tenant’s unbilled account', async () => {
    const line = (account: string, revision: string) =>
      refusal(rated.owner, `INSERT INTO postings SELECT transaction_id, line + 200, '${account}', currency, amount, feature_id, window_start, ${revision}, quantity
        FROM postings WHERE revision IS NOT NULL LIMIT 1`);
    const check = 'new row for relation "postings" violates check constraint "postings_usage_line"';
    expect(await line('revenue:usage:api_calls', '7')).toBe(check);
    expect(await line('customer:acme:unbilled', 'NULL')).toBe(check);
    expect(await line('customer:acme:unbilled', '-1')).toBe(check);
  });

  it('balances at a point in time count a line once its hour has ended', async () => {
    // 1500 calls in the first hour: 500 above the free 1000 at 0.002 = 1.00; then 500 more = 1.00; the fee is 10.
    expect((await getBalance(rated.ctx, 'acme', new Date('2026-03-02T00:59:59Z'))).unbilled).toBe('10');
    expect((await getBalance(rated.ctx, 'acme', new Date('2026-03-02T01:00:00Z'))).unbilled).toBe('11');
    expect((await getBalance(rated.ctx, 'acme', new Date('2026-03-02T02:00:00Z'))).unbilled).toBe('12');
  });

  it('verify names the usage transaction whose line a superuser altered', async () => {
    const tamper = await openDatabase({ url: rated.url });
    try {
      const [usage] = await tamper.query<{ seq: string; idempotency_key: string }>(`SELECT seq, idempotency_key FROM transactions WHERE kind = 'usage_charge'`);
      expect((await verifyLedger(rated.ctx.db)).ok).toBe(true);
      await tamper.transaction(async (sql) => {
        await sql.query('ALTER TABLE postings DISABLE TRIGGER USER');
        await sql.query(`UPDATE postings SET quantity = 1 WHERE revision IS NOT NULL AND window_start = '2026-03-02T01:00:00Z'`);
        await sql.query('ALTER TABLE postings ENABLE TRIGGER USER');
      });
      const report = await verifyLedger(rated.ctx.db);
      expect(report.firstBreak).toMatchObject({ seq: Number(usage.seq), idempotencyKey: usage.idempotency_key, problem: 'content does not match its hash (the transaction or its postings were altered)' });
    } finally {
      await tamper.close();
    }
  });
});

describe('COPY refused by the database', () => {
  it('rejects with the database’s error (it used to wait forever) and leaves the connection usable', async () => {
    const err = await superuser
      .transaction(async (sql) => {
        // A usage line on a revenue account: refused by the postings_usage_line check while copying.
        await sql.copyIn!('postings', ['transaction_id', 'line', 'account', 'currency', 'amount', 'feature_id', 'window_start', 'revision', 'quantity'],
          `00000000-0000-8000-8000-000000000000\t0\trevenue:usage:api_calls\tUSD\t1\tapi_calls\t2026-03-01T00:00:00Z\t0\t1\n`);
      })
      .catch((e: Error) => e);
    expect((err as Error).message).toBe('new row for relation "postings" violates check constraint "postings_usage_line"');
    for (let i = 0; i < 5; i++) expect(await superuser.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
