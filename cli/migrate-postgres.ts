import type { TollgateConfig } from '../common/config/schema.js';
import { openDatabase } from '../ledger-service/src/adapters/database.js';
import { applyMigrations } from '../ledger-service/src/adapters/migrations.js';
import { databaseTarget } from '../ledger-service/src/settings.js';

/** Applies the ledger's forward-only Postgres migrations (or PGlite's, without DATABASE_URL); returns a report. */
export async function migratePostgres(config: TollgateConfig): Promise<string> {
  const target = databaseTarget(config);
  const db = await openDatabase(target);
  try {
    const applied = await applyMigrations(db, config.ledger.database.service_role);
    const where = target.url ? new URL(target.url).host + new URL(target.url).pathname : `embedded ${target.embeddedPath}`;
    return applied.length > 0 ? `postgres (${where}): applied ${applied.join(', ')}\n` : `postgres (${where}): up to date\n`;
  } finally {
    await db.close();
  }
}
