import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrateUsageStore } from '../../common/clickhouse/migrations.js';
import type { UsageStore } from '../../common/clickhouse/store.js';
import { USAGE_ROW_COLUMNS, usageRowTsv, type UsageRow } from '../../common/clickhouse/usage-row.js';
import { usageReaderOver } from '../../common/clickhouse/usage-reader.js';
import { sharedClickHouseUrl } from '../harness/clickhouse.js';
import { openTestStore, row } from './helpers.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

async function insert(store: UsageStore, rows: UsageRow[]): Promise<void> {
  await store.insertTsv('usage_events', USAGE_ROW_COLUMNS, Buffer.from(rows.map(usageRowTsv).join('')));
}

// The same SQL on Debian's clickhouse-server 18.16 and on the current engine embedded by chdb.
describe.each([
  ['server', () => sharedClickHouseUrl(inject('clickhouseUrl'))],
  ['embedded', () => undefined],
])('usage store (%s)', (kind, url) => {
  let store: UsageStore;
  beforeAll(async () => {
    store = await openTestStore(url(), kind);
    await migrateUsageStore(store);
  });
  afterAll(async () => {
    await store?.exec(`DROP DATABASE IF EXISTS ${store.database}`);
    await store?.close();
  });

  it('migrates idempotently and records versions', async () => {
    const again = await migrateUsageStore(store);
    expect(again).toEqual(['  1 raw usage events: already applied', '  2 hourly rollup for dashboards: already applied', '  3 per-minute rollup under the hourly one: already applied']);
  });

  it('counts each event id once, applies void and amend, and sums exactly', async () => {
    const reader = usageReaderOver(store);
    const a = row({ tenantId: 'acme', featureId: 'tokens', quantity: '0.1', eventTimeMs: T0 + 1 });
    const b = row({ tenantId: 'acme', featureId: 'tokens', quantity: '0.2', eventTimeMs: T0 + 2, attributes: { model: "it's\ttabbed\\", 'k\n': 'v' } });
    const c = row({ tenantId: 'acme', featureId: 'tokens', quantity: '99999999999999999999.123456789', eventTimeMs: T0 + HOUR + 5 });
    const d = row({ tenantId: 'acme', featureId: 'tokens', quantity: '5', eventTimeMs: T0 + 3 });
    const voidD = row({ tenantId: 'acme', featureId: 'tokens', quantity: '0', eventTimeMs: T0 + 2 * HOUR, correction: 'void', correctsEventId: d.eventId });
    const amendB1 = row({ tenantId: 'acme', featureId: 'tokens', quantity: '7', eventTimeMs: T0 + 2 * HOUR, correction: 'amend', correctsEventId: b.eventId });
    const amendB2 = row({ tenantId: 'acme', featureId: 'tokens', quantity: '0.7', eventTimeMs: T0 + 2 * HOUR + 1, correction: 'amend', correctsEventId: b.eventId });
    const other = row({ tenantId: 'other', featureId: 'tokens', quantity: '1000', eventTimeMs: T0 });
    await insert(store, [a, b, c, d, other]);
    await insert(store, [a, b, a, voidD]); // a retried batch
    await insert(store, [amendB1, amendB2, amendB2]);

    const total = await reader.total({ tenantId: 'acme', featureId: 'tokens', from: new Date(T0), to: new Date(T0 + 3 * HOUR) });
    expect(total).toEqual({ quantity: '99999999999999999999.923456789', events: 3 });

    const firstHour = await reader.total({ tenantId: 'acme', featureId: 'tokens', from: new Date(T0), to: new Date(T0 + HOUR) });
    expect(firstHour).toEqual({ quantity: '0.8', events: 2 });

    // Millisecond bounds: [T0+2, ...) excludes a.
    const fromB = await reader.total({ tenantId: 'acme', featureId: 'tokens', from: new Date(T0 + 2), to: new Date(T0 + HOUR) });
    expect(fromB).toEqual({ quantity: '0.7', events: 1 });

    const hourly = await reader.hourly({ from: new Date(T0), to: new Date(T0 + 3 * HOUR) });
    expect(hourly).toEqual([
      { tenantId: 'acme', featureId: 'tokens', hourStart: new Date(T0).toISOString(), quantity: '0.8', events: 2 },
      { tenantId: 'acme', featureId: 'tokens', hourStart: new Date(T0 + HOUR).toISOString(), quantity: '99999999999999999999.123456789', events: 1 },
      { tenantId: 'other', featureId: 'tokens', hourStart: new Date(T0).toISOString(), quantity: '1000', events: 1 },
    ]);
    expect(await reader.hourly({ from: new Date(T0), to: new Date(T0 + 3 * HOUR), tenantId: 'other' })).toHaveLength(1);

    // No correction and no event stored twice: the one-pass total, exact to the last digit.
    const plain = [
      row({ tenantId: 'plain', featureId: 'tokens', quantity: '0.000000001', eventTimeMs: T0 }),
      row({ tenantId: 'plain', featureId: 'tokens', quantity: '12345678901234567890.5', eventTimeMs: T0 + 1 }),
      row({ tenantId: 'plain', featureId: 'other', quantity: '7', eventTimeMs: T0 + 2 }),
    ];
    await insert(store, plain);
    expect(await reader.total({ tenantId: 'plain', featureId: 'tokens', from: new Date(T0), to: new Date(T0 + HOUR) })).toEqual({
      quantity: '12345678901234567890.500000001',
      events: 2,
    });

    // Without a correction in range (the cheaper query) and with one (the general query): first received wins.
    const x = row({ tenantId: 'solo', featureId: 'tokens', quantity: '1', eventTimeMs: T0 });
    const xLater = { ...x, quantity: '5', receivedAtMs: T0 + 1000 };
    const y = row({ tenantId: 'solo', featureId: 'tokens', quantity: '2.5', eventTimeMs: T0 + 10 });
    await insert(store, [xLater, y]);
    await insert(store, [x, y]);
    const soloRange = { tenantId: 'solo', featureId: 'tokens', from: new Date(T0), to: new Date(T0 + HOUR) };
    expect(await reader.total(soloRange)).toEqual({ quantity: '3.5', events: 2 });
    expect(await reader.total({ ...soloRange, from: new Date(T0 + 5) })).toEqual({ quantity: '2.5', events: 1 });
    expect(await reader.total({ ...soloRange, tenantId: 'nobody' })).toEqual({ quantity: '0', events: 0 });
    await insert(store, [row({ tenantId: 'solo', featureId: 'tokens', quantity: '0', eventTimeMs: T0 + 2 * HOUR, correction: 'void', correctsEventId: y.eventId })]);
    expect(await reader.total(soloRange)).toEqual({ quantity: '1', events: 1 });

    // Bounds on whole seconds (event_time alone) and inside a second (milliseconds too) cut at the same instants.
    const edges = [T0 - 1, T0, T0 + 999, T0 + 1000, T0 + 1001].map((ms) => row({ tenantId: 'edges', featureId: 'tokens', quantity: '1', eventTimeMs: ms }));
    await insert(store, edges);
    const edgeCount = async (fromMs: number, toMs: number) =>
      (await reader.total({ tenantId: 'edges', featureId: 'tokens', from: new Date(fromMs), to: new Date(toMs) })).events;
    expect(await edgeCount(T0, T0 + 1000)).toBe(2); // T0, T0+999
    expect(await edgeCount(T0 - 1000, T0)).toBe(1); // T0-1
    expect(await edgeCount(T0 + 1, T0 + 1000)).toBe(1); // T0+999
    expect(await edgeCount(T0, T0 + 1001)).toBe(3); // T0, T0+999, T0+1000
    expect(await edgeCount(T0 - 1, T0 + 999)).toBe(2); // T0-1, T0
    expect(await edgeCount(T0 + 1000, T0 + 2000)).toBe(2); // T0+1000, T0+1001

    const attrs = await store.rows(
      `SELECT attribute_keys[1], attribute_values[1], attribute_keys[2], attribute_values[2] FROM ${store.database}.usage_events WHERE event_id = '${b.eventId}' LIMIT 1`,
    );
    expect(attrs[0]).toEqual(['model', "it's\ttabbed\\", 'k\n', 'v']);
  });
});
