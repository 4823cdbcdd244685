import { monotonicFactory } from 'ulid';
import { migrateUsageStore } from '../../common/clickhouse/migrations.js';
import { openUsageStore, type UsageStore } from '../../common/clickhouse/store.js';
import { usageReaderOver, type UsageReader } from '../../common/clickhouse/usage-reader.js';
import { USAGE_ROW_COLUMNS, usageRowTsv, type UsageRow } from '../../common/clickhouse/usage-row.js';
import { ANCHOR, FEATURES } from './workload.js';

const ulid = monotonicFactory();

/** Days of March the big tenant's events fall in (all inside one billing period, all before the rating watermark). */
export const EVENT_DAYS = 20;

/**
 * A ClickHouse usage store holding `events` raw events of one tenant, spread over every hour of EVENT_DAYS days and
 * the five features, inserted the way the shipper does (TabSeparated batches into usage_events).
 */
export async function storeWithEvents(url: string, tenantId: string, events: number): Promise<{ store: UsageStore; reader: UsageReader }> {
  const store = await openUsageStore({ url, username: 'default', database: `bench_ledger_${Date.now()}`, embeddedPath: '', requestTimeoutMs: 300_000 });
  await migrateUsageStore(store);
  const spanMs = EVENT_DAYS * 24 * 3_600_000;
  const batch = 100_000;
  for (let start = 0; start < events; start += batch) {
    const rows: string[] = [];
    for (let i = start; i < Math.min(events, start + batch); i++) {
      const eventTimeMs = ANCHOR.getTime() + Math.floor((i / events) * spanMs);
      const row: UsageRow = {
        eventId: ulid(eventTimeMs),
        tenantId,
        serviceId: 'api',
        featureId: FEATURES[i % FEATURES.length],
        quantity: i % FEATURES.length === 4 ? '0.25' : '1',
        eventTimeMs,
        attributes: {},
        correction: '',
        correctsEventId: '',
        receivedAtMs: eventTimeMs,
      };
      rows.push(usageRowTsv(row));
    }
    await store.insertTsv('usage_events', USAGE_ROW_COLUMNS, Buffer.from(rows.join('')));
  }
  return { store, reader: usageReaderOver(store) };
}
