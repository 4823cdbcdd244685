import type { TollgateConfig } from '../config/schema.js';

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

/** What the ledger's rating reads from the usage store (ClickHouse server or embedded chdb). */
export interface UsageReader {
  /** Hours with start in [from, to), optionally for one tenant, ordered by tenant, feature, hour. */
  hourly(params: { from: Date; to: Date; tenantId?: string }): Promise<HourlyUsageRow[]>;
  close(): Promise<void>;
}

/** Implemented by the usage component; opens the store named by config (CLICKHOUSE_URL or embedded chdb). */
export async function openUsageReader(_config: TollgateConfig): Promise<UsageReader> {
  throw new Error('usage reader not implemented yet');
}
