import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrateUsageStore } from '../../common/clickhouse/migrations.js';
import type { UsageStore } from '../../common/clickhouse/store.js';
import { USAGE_ROW_COLUMNS, usageRowTsv, type UsageRow } from '../../common/clickhouse/usage-row.js';
import { usageReaderOver } from '../../common/clickhouse/usage-reader.js';
import { createLogger } from '../../common/log.js';
import { SummaryBuilder } from '../../sidecar/src/usage/adapters/usage-record.js';
import { RollupRefresher } from '../../sidecar/src/usage/rollup.js';
import { sharedClickHouseUrl } from '../harness/clickhouse.js';
import { openTestStore, row } from './helpers.js';

const HOUR = Date.UTC(2026, 10, 21, 10);
const MINUTE = 60_000;
const INTERVAL_MS = 5_000;

/** A clock the test moves; with `perRead` set, every reading also moves it, so that work appears to take time. */
function testClock() {
  const clock = { now: 1_000_000_000, perRead: 0, read: () => (clock.now += clock.perRead) };
  return clock;
}

// The same SQL on Debian's clickhouse-server 18.16 and on the current engine embedded by chdb.
describe.each([
  ['ClickHouse server', () => sharedClickHouseUrl(inject('clickhouseUrl'))],
  ['embedded', () => undefined],
])('the dashboard rollup refresher (%s)', (_kind, url) => {
  let store: UsageStore;
  beforeAll(async () => {
    store = await openTestStore(url(), 'rollup');
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

  /** The summary the spool records for these rows, as ingestion writes it (minutes included). */
  const summaryOf = (rows: UsageRow[]) => {
    const builder = new SummaryBuilder();
    for (const r of rows) builder.add(r.tenantId, r.featureId, r.eventTimeMs, r.correctsEventId);
    return builder.build();
  };
  const hourOf = async (tenantId: string) =>
    (await usageReaderOver(store).rollup({ from: new Date(HOUR), to: new Date(HOUR + 3_600_000), tenantId, featureId: 'tokens' }))[0];
  /** The store, with every query it is asked kept in `asked`, and the table of every insert in `inserted`. */
  const recording = (asked: string[], inserted: string[] = []): UsageStore =>
    new Proxy(store, {
      get(target, property) {
        if (property === 'rows') return (sql: string) => (asked.push(sql), target.rows(sql));
        if (property === 'insertTsv') return (table: string, columns: readonly string[], body: Buffer) => (inserted.push(table), target.insertTsv(table, columns, body));
        const value = Reflect.get(target, property) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });

  it('writes a refresh in two inserts, minutes then hours, however many tenants it covers', async () => {
    const inserted: string[] = [];
    const refresher = new RollupRefresher(recording([], inserted), INTERVAL_MS, createLogger('test', 'silent'), testClock().read);
    const rows = ['many-a', 'many-b', 'many-c'].flatMap((tenantId) => [
      row({ tenantId, featureId: 'tokens', quantity: '1', eventTimeMs: HOUR + 5 * MINUTE }),
      row({ tenantId, featureId: 'tokens', quantity: '1', eventTimeMs: HOUR + 3_600_000 + 5 * MINUTE }),
    ]);
    await insert(rows);
    refresher.noteShipped([summaryOf(rows)]);
    await refresher.refresh();
    expect(inserted).toEqual(['usage_minutely', 'usage_hourly']);
    for (const tenantId of ['many-a', 'many-b', 'many-c']) expect(await hourOf(tenantId)).toMatchObject({ quantity: '1', events: 1 });
  });

  it('recomputes only the minutes shipped since it computed the hour whole, and sums the hour from its minutes', async () => {
    const clock = testClock();
    const asked: string[] = [];
    const refresher = new RollupRefresher(recording(asked), INTERVAL_MS, createLogger('test', 'silent'), clock.read);
    const first = [
      row({ tenantId: 'minutes', featureId: 'tokens', quantity: '1', eventTimeMs: HOUR + MINUTE + 1_000 }),
      row({ tenantId: 'minutes', featureId: 'tokens', quantity: '2.5', eventTimeMs: HOUR + 30 * MINUTE }),
    ];
    await insert(first);
    refresher.noteShipped([summaryOf(first)]);
    await refresher.refresh();
    expect(await hourOf('minutes')).toMatchObject({ quantity: '3.5', events: 2 });
    // The first time, all sixty minutes: those without events as explicit zeros.
    const [[minutes, withEvents]] = await store.rows(
      `SELECT count(), countIf(events > 0) FROM ${store.database}.usage_minutely WHERE tenant_id = 'minutes' AND minute >= toDateTime(${HOUR / 1000}) AND minute < toDateTime(${HOUR / 1000 + 3600})`,
    );
    expect([Number(minutes), Number(withEvents)]).toEqual([60, 2]);

    asked.length = 0;
    const later = [row({ tenantId: 'minutes', featureId: 'tokens', quantity: '4', eventTimeMs: HOUR + 45 * MINUTE + 59_999 })];
    await insert(later);
    refresher.noteShipped([summaryOf(later)]);
    clock.now += INTERVAL_MS;
    await refresher.refresh();
    expect(await hourOf('minutes')).toMatchObject({ quantity: '7.5', events: 3 });
    const eventReads = asked.filter((sql) => sql.includes('usage_events'));
    expect(eventReads).toHaveLength(1);
    // The minute, and two before it: where an earlier copy of a retried event would be.
    expect(eventReads[0]).toContain(`event_time >= toDateTime(${(HOUR + 43 * MINUTE) / 1000})`);
    expect(eventReads[0]).toContain(`event_time < toDateTime(${(HOUR + 46 * MINUTE) / 1000})`);
  });

  it("a void takes its original's minute, and the hour, down", async () => {
    const clock = testClock();
    const refresher = new RollupRefresher(store, INTERVAL_MS, createLogger('test', 'silent'), clock.read);
    const original = row({ tenantId: 'voids', featureId: 'tokens', quantity: '5', eventTimeMs: HOUR + 10 * MINUTE });
    const other = row({ tenantId: 'voids', featureId: 'tokens', quantity: '1', eventTimeMs: HOUR + 20 * MINUTE });
    await insert([original, other]);
    refresher.noteShipped([summaryOf([original, other])]);
    await refresher.refresh();
    expect(await hourOf('voids')).toMatchObject({ quantity: '6', events: 2 });

    const correction = row({ tenantId: 'voids', featureId: 'tokens', quantity: '0', eventTimeMs: HOUR + 50 * MINUTE, correction: 'void', correctsEventId: original.eventId });
    await insert([correction]);
    refresher.noteShipped([summaryOf([correction])]);
    clock.now += INTERVAL_MS;
    await refresher.refresh();
    expect(await hourOf('voids')).toMatchObject({ quantity: '1', events: 1 });
    const [[events]] = await store.rows(
      `SELECT argMax(events, computed_at_ms) FROM ${store.database}.usage_minutely WHERE tenant_id = 'voids' AND minute = toDateTime(${(HOUR + 10 * MINUTE) / 1000})`,
    );
    expect(Number(events)).toBe(0);
  });

  it('counts an event retried with the same id and a newer timestamp once, in the minute of the copy received first', async () => {
    const clock = testClock();
    const refresher = new RollupRefresher(store, INTERVAL_MS, createLogger('test', 'silent'), clock.read);
    const first = row({ tenantId: 'retries', featureId: 'tokens', quantity: '3', eventTimeMs: HOUR + 10 * MINUTE + 59_000 });
    await insert([first]);
    refresher.noteShipped([summaryOf([first])]);
    await refresher.refresh();
    const retried = { ...first, eventTimeMs: HOUR + 11 * MINUTE + 30_000, receivedAtMs: first.receivedAtMs + 31_000 };
    await insert([retried]);
    refresher.noteShipped([summaryOf([retried])]);
    clock.now += INTERVAL_MS;
    await refresher.refresh();
    expect(await hourOf('retries')).toMatchObject({ quantity: '3', events: 1 });
  });

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
