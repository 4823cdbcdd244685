import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrateUsageStore } from '../../common/clickhouse/migrations.js';
import type { UsageStore } from '../../common/clickhouse/store.js';
import { usageReaderOver } from '../../common/clickhouse/usage-reader.js';
import { USAGE_ROW_COLUMNS, usageRowTsv, type UsageRow } from '../../common/clickhouse/usage-row.js';
import { readTransactionPage } from '../../ledger-service/src/adapters/ledger-store.js';
import { getBalance } from '../../ledger-service/src/app/payments.js';
import { rateUsage } from '../../ledger-service/src/app/rating.js';
import { createTenant } from '../../ledger-service/src/app/tenants.js';
import type { StoredTransaction } from '../../ledger-service/src/domain/transaction.js';
import { sharedClickHouseUrl } from '../harness/clickhouse.js';
import { sharedDatabaseUrl } from '../harness/postgres.js';
import { openTestStore, row } from '../usage/helpers.js';
import { openTestLedger, usageLinesOf, type TestLedger } from './helpers.js';

const ANCHOR = new Date('2026-03-01T00:00:00Z');
const at = (day: number, hour: number, ms = 0) => Date.UTC(2026, 2, day, hour) + ms;

let store: UsageStore;
const ledgers: TestLedger[] = [];
async function ledger(): Promise<TestLedger> {
  const l = await openTestLedger(sharedDatabaseUrl(inject('databaseUrl')));
  ledgers.push(l);
  l.clock.now = new Date('2026-03-20T12:00:00Z');
  await createTenant(l.ctx, { tenantId: 'acme', planId: 'pro', billingAnchor: ANCHOR });
  await createTenant(l.ctx, { tenantId: 'globex', planId: 'basic', billingAnchor: ANCHOR });
  return l;
}
async function insert(rows: UsageRow[]): Promise<void> {
  await store.insertTsv('usage_events', USAGE_ROW_COLUMNS, Buffer.from(rows.map(usageRowTsv).join('')));
}
const content = (txs: StoredTransaction[]) => txs.map(({ recordedAt: _r, hash: _h, prevHash: _p, ...rest }) => rest);
const usageCharges = async (l: TestLedger) =>
  usageLinesOf(await readTransactionPage(l.ctx.db, 0, 100_000)).map((u) => [u.tenantId, u.featureId, u.hour, u.revision, u.quantity, u.amount]);

beforeAll(async () => {
  store = await openTestStore(sharedClickHouseUrl(inject('clickhouseUrl')), 'ledger');
  await migrateUsageStore(store);
  const events: UsageRow[] = [];
  // 1200 api calls for acme on 2 March 10:00 in 12 events, 9000 more on 5 March, 0.5 GB egress, a voided event.
  for (let i = 0; i < 12; i++) events.push(row({ tenantId: 'acme', featureId: 'api_calls', quantity: '100', eventTimeMs: at(2, 10, i) }));
  events.push(row({ tenantId: 'acme', featureId: 'api_calls', quantity: '9000', eventTimeMs: at(5, 9, 30) }));
  events.push(row({ tenantId: 'acme', featureId: 'egress_gb', quantity: '100.5', eventTimeMs: at(6, 0, 1) }));
  const mistaken = row({ tenantId: 'acme', featureId: 'api_calls', quantity: '50000', eventTimeMs: at(7, 1) });
  events.push(mistaken, row({ tenantId: 'acme', featureId: 'api_calls', quantity: '0', eventTimeMs: at(7, 2), correction: 'void', correctsEventId: mistaken.eventId }));
  events.push(row({ tenantId: 'globex', featureId: 'api_calls', quantity: '3', eventTimeMs: at(3, 4) }));
  await insert(events);
  await insert(events.slice(0, 6)); // a retried batch: deduplicated by event id
});
afterAll(async () => {
  for (const l of ledgers) await l.close();
  await store?.exec(`DROP DATABASE IF EXISTS ${store.database}`);
  await store?.close();
});

describe('rating from real ClickHouse usage', () => {
  it('rates deduplicated, corrected hourly usage with cumulative tiers; re-running writes nothing', async () => {
    const l = await ledger();
    const run = await rateUsage(l.ctx, usageReaderOver(store));
    expect(await usageCharges(l)).toEqual([
      ['acme', 'api_calls', '2026-03-02T10:00:00.000Z', 0, '1200', '0.4'], // 200 above the free 1000 at 0.002
      ['acme', 'api_calls', '2026-03-05T09:00:00.000Z', 0, '9000', '17.8'], // 8800 × 0.002 + 200 × 0.001
      ['acme', 'egress_gb', '2026-03-06T00:00:00.000Z', 0, '100.5', '0.045'], // 0.5 GB over the included 100
      ['globex', 'api_calls', '2026-03-03T04:00:00.000Z', 0, '3', '0.03'],
    ]);
    expect(run.written).toBe(2 + 1); // a usage transaction per tenant (the voided 50000 never counted); acme's monthly fee
    expect((await rateUsage(l.ctx, usageReaderOver(store))).written).toBe(0);
  });

  it('a fresh database rated from the same ClickHouse data holds identical transactions', async () => {
    const a = await ledger();
    const b = await ledger();
    await rateUsage(a.ctx, usageReaderOver(store));
    await rateUsage(b.ctx, usageReaderOver(store));
    expect(content(await readTransactionPage(b.ctx.db, 0, 100_000))).toEqual(content(await readTransactionPage(a.ctx.db, 0, 100_000)));
  });

  it('late events arriving after their hour was rated become adjustment lines', async () => {
    const l = await ledger();
    await rateUsage(l.ctx, usageReaderOver(store));
    await insert([row({ tenantId: 'acme', featureId: 'api_calls', quantity: '300', eventTimeMs: at(2, 10, 999), receivedAtMs: Date.UTC(2026, 2, 20, 13) })]);
    l.clock.now = new Date('2026-03-20T14:00:00Z');
    const run = await rateUsage(l.ctx, usageReaderOver(store));
    expect(run.written).toBe(1);
    const adjustments = (await usageCharges(l)).filter(([, , , revision]) => revision === 1);
    expect(adjustments).toEqual([
      ['acme', 'api_calls', '2026-03-02T10:00:00.000Z', 1, '300', '0.6'], // 1500 now: 500 above the free tier
      ['acme', 'api_calls', '2026-03-05T09:00:00.000Z', 1, '0', '-0.3'], // the 9000 now reach the cheaper tier sooner
    ]);
    // 10500 calls: 9000 × 0.002 + 500 × 0.001 = 18.5; egress 0.045; fee 10.
    expect((await getBalance(l.ctx, 'acme')).unbilled).toBe('28.545');
  });
});
