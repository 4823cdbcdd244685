import { spawnSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../ledger-service/src/adapters/database.js';
import { applyMigrations, MigrationError } from '../../ledger-service/src/adapters/migrations.js';
import { createDatabase, sharedDatabaseUrl } from '../harness/postgres.js';

const migrate = (url: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'cli/tollgate.ts', 'migrate', '--only', 'postgres'], {
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });

describe('tollgate migrate (Postgres)', () => {
  it('applies the versioned migrations once, then reports the database up to date', async () => {
    const url = await createDatabase(sharedDatabaseUrl(inject('databaseUrl')), 'migrate');
    const where = `${new URL(url).host}${new URL(url).pathname}`;
    const first = migrate(url);
    expect([first.status, first.stdout]).toEqual([0, `postgres (${where}): applied 0001_ledger, 0002_api_keys, 0003_batch_checks, 0004_usage_lines\n`]);
    const second = migrate(url);
    expect([second.status, second.stdout]).toEqual([0, `postgres (${where}): up to date\n`]);
  });

  it('is forward-only: an applied migration whose file changed is refused, not re-run', async () => {
    const url = await createDatabase(sharedDatabaseUrl(inject('databaseUrl')), 'migrate');
    const db = await openDatabase({ url });
    try {
      await applyMigrations(db, 'tollgate_service');
      await db.query(`UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1`);
      const err = await applyMigrations(db, 'tollgate_service').catch((e) => e);
      expect(err).toBeInstanceOf(MigrationError);
      expect(err.message).toBe('migration 0001_ledger was changed after it was applied (forward-only: add a new migration instead)');
    } finally {
      await db.close();
    }
  });
});
