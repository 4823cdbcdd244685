import { sqlString } from './sql-text.js';
import type { UsageStore } from './store.js';

/**
 * Versioned, forward-only migrations of the usage store. Each statement is idempotent (IF NOT EXISTS), so two
 * processes migrating at once, or a migration interrupted half-way, converge. The SQL runs on ClickHouse 18.16 and on
 * current releases (chdb): no DateTime64, no Map, no LowCardinality, no query parameters.
 */
export interface Migration {
  version: number;
  name: string;
  statements(database: string): string[];
}

export const USAGE_EVENTS_COLUMNS = [
  'tenant_id',
  'feature_id',
  'event_time',
  'event_ms',
  'event_id',
  'service_id',
  'quantity',
  'attribute_keys',
  'attribute_values',
  'correction',
  'corrects_event_id',
  'received_at',
] as const;

/** A rollup table: one row per computation of a (tenant, feature, bucket); the newest computation wins. */
function rollupTableSql(db: string, table: string, bucket: 'hour' | 'minute'): string {
  return `CREATE TABLE IF NOT EXISTS ${db}.${table} (
        tenant_id String,
        feature_id String,
        ${bucket} DateTime('UTC'),
        quantity Decimal(38, 9),
        events UInt64,
        computed_at_ms UInt64
      ) ENGINE = ReplacingMergeTree(computed_at_ms)
      PARTITION BY toYYYYMM(${bucket})
      ORDER BY (tenant_id, feature_id, ${bucket})`;
}

export const usageMigrations: Migration[] = [
  {
    version: 1,
    name: 'raw usage events',
    statements: (db) => [
      // Partitioned by month and ordered for per-tenant, per-feature time ranges. Duplicates (a retried batch, a
      // replayed spool) collapse in the background, but totals never rely on that: every query groups by event_id.
      `CREATE TABLE IF NOT EXISTS ${db}.usage_events (
        tenant_id String,
        feature_id String,
        event_time DateTime('UTC'),
        event_ms UInt16,
        event_id String,
        service_id String,
        quantity Decimal(38, 9),
        attribute_keys Array(String),
        attribute_values Array(String),
        correction Enum8('' = 0, 'void' = 1, 'amend' = 2),
        corrects_event_id String,
        received_at DateTime('UTC')
      ) ENGINE = ReplacingMergeTree
      PARTITION BY toYYYYMM(event_time)
      ORDER BY (tenant_id, feature_id, event_time, event_id)`,
    ],
  },
  {
    version: 2,
    name: 'hourly rollup for dashboards',
    statements: (db) => [
      // Recomputed from the deduplicated, corrected raw events for the hours each shipped batch touched; the newest
      // computation of an hour wins, so concurrent sidecars refreshing the same hour converge.
      rollupTableSql(db, 'usage_hourly', 'hour'),
    ],
  },
  {
    version: 3,
    name: 'per-minute rollup under the hourly one',
    statements: (db) => [
      // The rollup recomputes only the minutes a shipped batch touched, then sums the hour from its minutes: a refresh
      // costs what was shipped, not the whole hour. Also a finer table for dashboards; the newest computation wins.
      rollupTableSql(db, 'usage_minutely', 'minute'),
    ],
  },
];

async function appliedVersions(store: UsageStore): Promise<Set<number>> {
  const rows = await store.rows(`SELECT DISTINCT version FROM ${store.database}.schema_migrations`);
  return new Set(rows.map((r) => Number(r[0])));
}

/** Applies the migrations not yet applied; returns one line per migration applied or already present. */
export async function migrateUsageStore(store: UsageStore, now: () => Date = () => new Date()): Promise<string[]> {
  const db = store.database;
  await store.exec(`CREATE DATABASE IF NOT EXISTS ${db}`);
  await store.exec(
    `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (version UInt32, name String, applied_at DateTime('UTC')) ENGINE = MergeTree ORDER BY version`,
  );
  const applied = await appliedVersions(store);
  const report: string[] = [];
  for (const migration of usageMigrations) {
    if (applied.has(migration.version)) {
      report.push(`  ${migration.version} ${migration.name}: already applied`);
      continue;
    }
    for (const statement of migration.statements(db)) await store.exec(statement);
    const at = Math.floor(now().getTime() / 1000);
    await store.exec(
      `INSERT INTO ${db}.schema_migrations (version, name, applied_at) SELECT ${migration.version}, ${sqlString(migration.name)}, toDateTime(${at})`,
    );
    report.push(`  ${migration.version} ${migration.name}: applied`);
  }
  return report;
}
