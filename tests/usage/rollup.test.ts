import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrateUsageStore } from '../../common/clickhouse/migrations.js';
import type { UsageStore } from '../../common/clickhouse/store.js';
import { USAGE_ROW_COLUMNS, usageRowTsv, type UsageRow } from '../../common/clickhouse/usage-row.js';
import { usageReaderOver } from '../../common/clickhouse/usage-reader.js';
import { createLogger } from '../../common/log.js';
import { RollupRefresher } from '../../sidecar/src/usage/rollup.js';
import { sharedClickHouseUrl } from '../harness/clickhouse.js';
import { openTestStore, row } from './helpers.js';

const HOUR = Date.UTC(2026, 10, 21, 10);
const INTERVAL_MS = 5_000;

/** A clock the test moves; with `perRead` set, every reading also moves it, so that work appears to take time. */
function testClock() {
  const clock = { now: 1_000_000_000, perRead: 0, read: () => (clock.now += clock.perRead) };
  return clock;
}

describe('the dashboard rollup refresher (ClickHouse server)', () => {
  let store: UsageStore;
  beforeAll(async () => {
    store = await openTestStore(sharedClickHouseUrl(inject('clickhouseUrl')), 'rollup');
    await migrateUsageStore(store);
  });
  afterAll(async () => {
    await store?.exec(`DROP DATABASE IF EXISTS ${store.database}`);
    await store?.close();
  });

  const insert = (rows: UsageRow[]) => store.insertTsv('usage_events', USAGE_ROW_COLUMNS, Buffer.from(rows.map(usageRowTsv).join('')));
  const rolledUp = async (tenantId: string) =>
    (await usageReaderOver(store).rollup({ from: new Date(HOUR), to: new Date(HOUR + 3_600_000), tenantId, featureId: 'tokens' }))[0]?.events ?? 0;
  const shipped = (refresher: RollupRefresher, tenantId: string) => refresher.noteShipped([{ hours: [[tenantId, 'tokens', HOUR]], corrections: [] }]);

  it('recomputes a touched hour at every refresh while recomputing is cheap', async () => {
    const clock = testClock();
    const refresher = new RollupRefresher(store, INTERVAL_MS, createLogger('test', 'silent'), clock.read);
    await insert([row({ tenantId: 'cheap', featureId: 'tokens', quantity: '1', eventTimeMs: HOUR + 1 })]);
    shipped(refresher, 'cheap');
    await refresher.refresh();
    expect(await rolledUp('cheap')).toBe(1);
    await insert([row({ tenantId: 'cheap', featureId: 'tokens', quantity: '1', eventTimeMs: HOUR + 2 })]);
    shipped(refresher, 'cheap');
    clock.now += INTERVAL_MS;
    await refresher.refresh();
    expect(await rolledUp('cheap')).toBe(2);
  });

  it('after an expensive recompute, waits 19 times as long before the next for that tenant and feature', async () => {
    const clock = testClock();
    const refresher = new RollupRefresher(store, INTERVAL_MS, createLogger('test', 'silent'), clock.read);
    await insert([row({ tenantId: 'costly', featureId: 'tokens', quantity: '1', eventTimeMs: HOUR + 1 })]);
    shipped(refresher, 'costly');
    clock.perRead = 1_000; // the recompute's three clock readings span 2 s
    await refresher.refresh();
    clock.perRead = 0;
    expect(await rolledUp('costly')).toBe(1);

    // 2 s of work: nothing more for this (tenant, feature) during the next 38 s; what shipped meanwhile waits.
    await insert([row({ tenantId: 'costly', featureId: 'tokens', quantity: '1', eventTimeMs: HOUR + 2 })]);
    shipped(refresher, 'costly');
    clock.now += INTERVAL_MS;
    await refresher.refresh();
    expect(await rolledUp('costly')).toBe(1);
    clock.now += 30_000;
    await refresher.refresh();
    expect(await rolledUp('costly')).toBe(1);
    clock.now += 5_000;
    await refresher.refresh();
    expect(await rolledUp('costly')).toBe(2);

    // Stopping refreshes everything still waiting.
    clock.perRead = 1_000;
    await insert([row({ tenantId: 'costly', featureId: 'tokens', quantity: '1', eventTimeMs: HOUR + 3 })]);
    shipped(refresher, 'costly');
    await refresher.refresh();
    clock.perRead = 0;
    await insert([row({ tenantId: 'costly', featureId: 'tokens', quantity: '1', eventTimeMs: HOUR + 4 })]);
    shipped(refresher, 'costly');
    await refresher.refresh();
    expect(await rolledUp('costly')).toBe(3);
    await refresher.refresh(true);
    expect(await rolledUp('costly')).toBe(4);
  });
});
