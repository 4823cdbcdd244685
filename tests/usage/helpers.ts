import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monotonicFactory } from 'ulid';

// Monotonic: ids made in one millisecond still sort in creation order, as corrections rely on.
const ulid = monotonicFactory();
import { openUsageStore, type UsageStore, type UsageStoreSettings } from '../../common/clickhouse/store.js';
import type { UsageRow } from '../../common/clickhouse/usage-row.js';

export function uniqueDatabase(label: string): string {
  return `t_${label}_${ulid().toLowerCase()}`;
}

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `tollgate-${label}-`));
}

export function storeSettings(url: string | undefined, database: string, embeddedPath = tempDir('chdb')): UsageStoreSettings {
  return { url, username: 'default', database, embeddedPath, requestTimeoutMs: 10_000 };
}

export async function openTestStore(url: string | undefined, label: string): Promise<UsageStore> {
  return openUsageStore(storeSettings(url, uniqueDatabase(label)));
}

export function row(overrides: Partial<UsageRow> & Pick<UsageRow, 'tenantId' | 'featureId' | 'quantity' | 'eventTimeMs'>): UsageRow {
  return {
    eventId: ulid(),
    serviceId: 'svc',
    attributes: {},
    correction: '',
    correctsEventId: '',
    receivedAtMs: overrides.eventTimeMs,
    ...overrides,
  };
}
