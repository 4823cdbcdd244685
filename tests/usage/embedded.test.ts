import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monotonicFactory } from 'ulid';
import { openUsageReader } from '../../common/clickhouse/usage-reader.js';
import type { TollgateConfig } from '../../common/config/schema.js';
import { eventually, startUsageSidecar, usageTestConfig, WIDE, type UsageClient } from './support.js';

const ulid = monotonicFactory();

// No ClickHouse URL: the sidecar stores usage in the embedded chdb engine with the same migrations and SQL.
describe.skipIf(Boolean(process.env.CLICKHOUSE_URL))('embedded usage store (chdb)', () => {
  let config: TollgateConfig;
  let client: UsageClient;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    config = usageTestConfig({ clickhouseUrl: undefined });
    ({ client, stop } = await startUsageSidecar(config));
  });
  afterAll(async () => stop?.());

  it('ingests, deduplicates and corrects through chdb', async () => {
    const id = ulid();
    const events = [
      { eventId: id, tenantId: 'acme', featureId: 'tokens', quantity: '1.5' },
      { eventId: id, tenantId: 'acme', featureId: 'tokens', quantity: '1.5' },
      { tenantId: 'acme', featureId: 'tokens', quantity: '2' },
    ];
    expect((await client.reportBatch({ events })).accepted).toBe(3);
    expect(await eventually(() => client.getUsage({ tenantId: 'acme', featureId: 'tokens', ...WIDE }), (u) => u.events === '2')).toMatchObject({ quantity: '3.5', events: '2' });
    await client.report({ tenantId: 'acme', featureId: 'tokens', correction: 'VOID', correctsEventId: id });
    expect(await eventually(() => client.getUsage({ tenantId: 'acme', featureId: 'tokens', ...WIDE }), (u) => u.events === '1')).toMatchObject({ quantity: '2', events: '1' });
  });

  it('serves the ledger reader from the same embedded store in the same process', async () => {
    const reader = await openUsageReader(config);
    try {
      const rows = await reader.hourly({ from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 3_600_000) });
      expect(rows.filter((r) => r.tenantId === 'acme' && r.featureId === 'tokens').reduce((n, r) => n + r.events, 0)).toBe(1);
    } finally {
      await reader.close();
    }
  });
});
