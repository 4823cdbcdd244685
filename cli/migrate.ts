import { configFrom, parseCommandArgs } from './args.js';
import { migrateClickHouse } from './migrate-clickhouse.js';
import { migratePostgres } from './migrate-postgres.js';

/**
 * `tollgate migrate [--config FILE] [--only clickhouse|postgres]`: applies the versioned, forward-only migrations
 * of the usage store (ClickHouse) and of the ledger (Postgres).
 */
export async function runMigrateCommand(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs('migrate', argv, { config: { type: 'string' }, only: { type: 'string' } });
  const config = configFrom(values.config);
  if (values.only !== 'postgres') process.stdout.write(await migrateClickHouse(config));
  if (values.only !== 'clickhouse') process.stdout.write(await migratePostgres(config));
}
