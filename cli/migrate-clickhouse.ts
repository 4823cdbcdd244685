import type { TollgateConfig } from '../common/config/schema.js';

/** Applies ClickHouse migrations; returns a human-readable report. Owned by the usage component. */
export async function migrateClickHouse(_config: TollgateConfig): Promise<string> {
  return 'clickhouse: no migrations yet\n';
}
