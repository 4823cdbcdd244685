import type { TollgateConfig } from '../config/schema.js';
import { canonicalDecimal } from './quantity.js';
import { openUsageStore, usageStoreSettings, type UsageStore } from './store.js';
import { hourlySql, originalsTotalSql, plainTotalSql, rollupSql, totalSql } from './usage-queries.js';

/** One tenant's usage of one feature in one UTC hour, deduplicated by event_id and with corrections applied. */
export interface HourlyUsageRow {
  tenantId: string;
  featureId: string;
  /** ISO-8601 UTC start of the hour, e.g. "2026-11-21T10:00:00.000Z". */
  hourStart: string;
  /** Exact decimal string. */
  quantity: string;
  events: number;
}

export interface UsageTotal {
  /** Exact decimal string. */
  quantity: string;
  events: number;
}

/** What the ledger's rating reads from the usage store (ClickHouse server or embedded chdb). */
export interface UsageReader {
  /** Hours with start in [from, to), optionally for one tenant, ordered by tenant, feature, hour. */
  hourly(params: { from: Date; to: Date; tenantId?: string }): Promise<HourlyUsageRow[]>;
  /** One tenant's total of one feature over [from, to), exact to the millisecond. */
  total(params: { tenantId: string; featureId: string; from: Date; to: Date }): Promise<UsageTotal>;
  /** The dashboard rollup: like hourly(), but from the precomputed table (refreshed as batches are shipped). */
  rollup(params: { from: Date; to: Date; tenantId?: string; featureId?: string }): Promise<HourlyUsageRow[]>;
  close(): Promise<void>;
}

function hourlyRows(rows: string[][]): HourlyUsageRow[] {
  return rows.map(([tenantId, featureId, hour, quantity, events]) => ({
    tenantId,
    featureId,
    hourStart: new Date(Number(hour) * 1000).toISOString(),
    quantity: canonicalDecimal(quantity),
    events: Number(events),
  }));
}

/** A reader over an open store; closing the reader does not close the store. */
export function usageReaderOver(store: UsageStore): UsageReader {
  const db = store.database;
  return {
    async hourly({ from, to, tenantId }) {
      return hourlyRows(await store.rows(hourlySql(db, { fromMs: from.getTime(), toMs: to.getTime(), tenantId })));
    },
    async total({ tenantId, featureId, from, to }) {
      const scope = { fromMs: from.getTime(), toMs: to.getTime(), tenantId, featureId };
      // Most ranges hold no correction and no event stored twice: then one cheap pass gives the total. Otherwise a
      // deduplicating query does, the cheaper one when there is no correction. A correction or duplicate stored
      // between the two queries is seen by the next read, as one stored just after a single query would be.
      const [[corrections, originals, distinct, sum]] = await store.rows(plainTotalSql(db, scope));
      if (Number(corrections) === 0 && Number(originals) === Number(distinct)) return { quantity: canonicalDecimal(sum ?? '0'), events: Number(originals) };
      const [row] = await store.rows(Number(corrections) === 0 ? originalsTotalSql(db, scope) : totalSql(db, scope));
      return { quantity: canonicalDecimal(row?.[0] ?? '0'), events: Number(row?.[1] ?? 0) };
    },
    async rollup({ from, to, tenantId, featureId }) {
      return hourlyRows(await store.rows(rollupSql(db, { fromMs: from.getTime(), toMs: to.getTime(), tenantId, featureId })));
    },
    async close() {},
  };
}

/** Implemented by the usage component; opens the store named by config (CLICKHOUSE_URL or embedded chdb). */
export async function openUsageReader(config: TollgateConfig): Promise<UsageReader> {
  const store = await openUsageStore(usageStoreSettings(config));
  const reader = usageReaderOver(store);
  return { ...reader, close: () => store.close() };
}
