import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { parseTsv } from './sql-text.js';
import type { UsageStore, UsageStoreSettings } from './store.js';

class ServerStore implements UsageStore {
  readonly kind = 'server' as const;
  constructor(
    private readonly client: ClickHouseClient,
    readonly location: string,
    readonly database: string,
  ) {}

  async exec(sql: string): Promise<void> {
    await this.client.command({ query: sql });
  }

  async rows(sql: string): Promise<string[][]> {
    const result = await this.client.query({ query: sql, format: 'TabSeparated' });
    return parseTsv(await result.text());
  }

  async insertTsv(table: string, columns: readonly string[], body: Buffer | Buffer[]): Promise<void> {
    await this.client.insert({
      table: `${this.database}.${table}`,
      columns: columns as [string, ...string[]],
      // Streamed chunk by chunk: a batch of spool records is sent without being copied into one buffer.
      values: Readable.from(Array.isArray(body) ? body : [body], { objectMode: false }),
      format: 'TabSeparated',
    });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export function openServerStore(settings: UsageStoreSettings): UsageStore {
  const url = new URL(settings.url!);
  const client = createClient({
    url: `${url.protocol}//${url.host}`,
    username: decodeURIComponent(url.username) || settings.username,
    password: decodeURIComponent(url.password) || settings.password || '',
    request_timeout: settings.requestTimeoutMs,
    // 18.16 knows neither the newer settings the client would send nor HTTP compression negotiation of today.
    compression: { request: false, response: false },
    keep_alive: { enabled: true },
    // Failures surface as rejected calls that the shipper logs (rate-limited); the client's own console log would
    // print every retry while ClickHouse is down.
    log: { level: ClickHouseLogLevel.OFF },
  });
  return new ServerStore(client, `${url.protocol}//${url.host}`, settings.database);
}
