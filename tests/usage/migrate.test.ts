import { describe, expect, inject, it } from 'vitest';
import { migrateClickHouse } from '../../cli/migrate-clickhouse.js';
import { sharedClickHouseUrl } from '../harness/clickhouse.js';
import { usageTestConfig } from './support.js';

describe('tollgate migrate (ClickHouse part)', () => {
  it('applies versioned migrations once and reports them', async () => {
    const config = usageTestConfig({ clickhouseUrl: sharedClickHouseUrl(inject('clickhouseUrl')) });
    const first = await migrateClickHouse(config);
    expect(first).toMatch(/^clickhouse \(server http:\/\/127\.0\.0\.1:\d+, database t_sidecar_\w+\):\n/);
    expect(first).toContain('  1 raw usage events: applied\n  2 hourly rollup for dashboards: applied\n  3 per-minute rollup under the hourly one: applied');
    const second = await migrateClickHouse(config);
    expect(second).toContain('  1 raw usage events: already applied\n  2 hourly rollup for dashboards: already applied\n  3 per-minute rollup under the hourly one: already applied');
  });

  it('refuses to run against an unreachable server with the server named in the error', async () => {
    const config = usageTestConfig({ clickhouseUrl: 'http://127.0.0.1:1' });
    await expect(migrateClickHouse(config)).rejects.toThrow(/^clickhouse migration failed \(server http:\/\/127\.0\.0\.1:1, database t_sidecar_\w+\): .*ECONNREFUSED/);
  });
});
