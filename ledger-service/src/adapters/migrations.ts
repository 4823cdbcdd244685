import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { packageRoot } from '../../../common/paths.js';
import type { Database } from './database.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export const migrationsDir = resolve(packageRoot, 'ledger-service/migrations');

/** `NNNN_name.sql` files in version order; `{{service_role}}` is replaced by the configured role. */
export function loadMigrations(serviceRole: string): Migration[] {
  return readdirSync(migrationsDir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const text = readFileSync(resolve(migrationsDir, file), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ''),
        sql: text.replaceAll('{{service_role}}', serviceRole),
        checksum: createHash('sha256').update(text).digest('hex'),
      };
    });
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * Forward-only: applies the migrations not yet recorded in schema_migrations, each atomically, in version order.
 * An applied migration whose file changed since is an error: history is never rewritten, a new migration is added.
 */
export async function applyMigrations(db: Database, serviceRole: string): Promise<string[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied = new Map(
    (await db.query<{ version: number; name: string; checksum: string }>('SELECT version, name, checksum FROM schema_migrations')).map((m) => [m.version, m]),
  );
  const report: string[] = [];
  for (const migration of loadMigrations(serviceRole)) {
    const done = applied.get(migration.version);
    if (done) {
      if (done.checksum !== migration.checksum) {
        throw new MigrationError(`migration ${migration.name} was changed after it was applied (forward-only: add a new migration instead)`);
      }
      continue;
    }
    // One simple-protocol message runs as one transaction: the migration and its record commit together.
    // A concurrent runner collides on the schema_migrations primary key and rolls back.
    await db.exec(
      `SELECT pg_advisory_xact_lock(726172);\n${migration.sql}\n;INSERT INTO schema_migrations (version, name, checksum) VALUES (${migration.version}, '${migration.name}', '${migration.checksum}');`,
    );
    report.push(migration.name);
  }
  return report;
}
