import { UsageError } from './args.js';

/** `tollgate migrate`: ClickHouse (usage) and Postgres (ledger) migrations. Filled in by those components. */
export async function runMigrateCommand(_argv: string[]): Promise<void> {
  throw new UsageError('migrate: no migrations are wired yet');
}
