import { resolve } from 'node:path';
import type { TollgateConfig } from '../config/schema.js';

/**
 * The usage store as the usage component and the ledger's reader see it: a ClickHouse server or the embedded chdb
 * engine, driven with the same SQL. Only TabSeparated goes over this seam, the one text format both read and write
 * identically (18.16 cannot read quoted decimals in JSON, and prints large Decimal128 values wrongly via toString).
 */
export interface UsageStore {
  readonly kind: 'server' | 'embedded';
  /** Where it is, for logs: a URL without credentials, or a directory. */
  readonly location: string;
  readonly database: string;
  /** A statement without a result (DDL, INSERT ... SELECT). */
  exec(sql: string): Promise<void>;
  /** A query's rows, as TabSeparated fields (unescaped). */
  rows(sql: string): Promise<string[][]>;
  /** Inserts TabSeparated rows (each ending in "\n"), given as one or more chunks, into `table` of the store's database. */
  insertTsv(table: string, columns: readonly string[], body: Buffer | Buffer[]): Promise<void>;
  close(): Promise<void>;
}

export interface UsageStoreSettings {
  /** Unset: embedded. */
  url?: string;
  username: string;
  password?: string;
  database: string;
  embeddedPath: string;
  requestTimeoutMs: number;
}

/** CLICKHOUSE_URL and CLICKHOUSE_PASSWORD win over the file, so one file serves every environment. */
export function usageStoreSettings(config: TollgateConfig, env: NodeJS.ProcessEnv = process.env): UsageStoreSettings {
  const ch = config.usage.clickhouse;
  return {
    url: env.CLICKHOUSE_URL || ch.url,
    username: ch.username,
    password: env.CLICKHOUSE_PASSWORD,
    database: env.CLICKHOUSE_DATABASE || ch.database,
    embeddedPath: resolve(ch.embedded_path ?? resolve(config.data_dir, 'chdb')),
    requestTimeoutMs: config.usage.shipper.request_timeout_ms,
  };
}

export async function openUsageStore(settings: UsageStoreSettings): Promise<UsageStore> {
  if (settings.url) {
    const { openServerStore } = await import('./server-store.js');
    return openServerStore(settings);
  }
  // Loaded only when used: the native engine is large and a server deployment never needs it.
  const { openEmbeddedStore } = await import('./embedded-store.js');
  return openEmbeddedStore(settings);
}

/**
 * ClickHouse error codes meaning "this data cannot be stored" (a row it cannot parse), as opposed to a server that is
 * down or a schema that is missing: retrying the same rows cannot succeed.
 */
const DATA_REJECTION_CODES = new Set([6, 26, 27, 32, 33, 38, 41, 53, 69, 70, 72, 117, 131]);

export function isDataRejection(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  const numeric = typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : Number(/\bCode: (\d+)/.exec((err as Error)?.message ?? '')?.[1]);
  return DATA_REJECTION_CODES.has(numeric);
}
