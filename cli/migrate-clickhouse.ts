import type { TollgateConfig } from '../common/config/schema.js';
import { migrateUsageStore } from '../common/clickhouse/migrations.js';
import { openUsageStore, usageStoreSettings } from '../common/clickhouse/store.js';

/** Applies ClickHouse migrations; returns a human-readable report. Owned by the usage component. */
export async function migrateClickHouse(config: TollgateConfig): Promise<string> {
  const store = await openUsageStore(usageStoreSettings(config));
  try {
    const lines = await migrateUsageStore(store).catch((err: unknown) => {
      throw new Error(`clickhouse migration failed (${store.kind} ${store.location}, database ${store.database}): ${(err as Error).message}`);
    });
    return `clickhouse (${store.kind} ${store.location}, database ${store.database}):\n${lines.join('\n')}\n`;
  } finally {
    await store.close();
  }
}
