import type { TollgateConfig } from '../common/config/schema.js';

/** Applies Postgres migrations; returns a human-readable report. Owned by the ledger component. */
export async function migratePostgres(_config: TollgateConfig): Promise<string> {
  return 'postgres: no migrations yet\n';
}
