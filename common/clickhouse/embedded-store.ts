import { mkdirSync } from 'node:fs';
import { Session } from 'chdb';
import { parseTsv } from './sql-text.js';
import type { UsageStore, UsageStoreSettings } from './store.js';

/** chdb allows one session per data directory in a process; readers and the shipper share it. */
const sessions = new Map<string, { session: Session; users: number }>();

class EmbeddedStore implements UsageStore {
  readonly kind = 'embedded' as const;
  private closed = false;
  constructor(
    private readonly session: Session,
    readonly location: string,
    readonly database: string,
  ) {}

  async exec(sql: string): Promise<void> {
    await this.session.queryAsync(sql, { format: 'TabSeparated' });
  }

  async rows(sql: string): Promise<string[][]> {
    const result = await this.session.queryAsync(sql, { format: 'TabSeparated' });
    return parseTsv(result.text());
  }

  async insertTsv(table: string, columns: readonly string[], body: Buffer | Buffer[]): Promise<void> {
    const values = Array.isArray(body) ? Buffer.concat(body) : body;
    await this.session.insert({ table: `${this.database}.${table}`, values, format: 'TabSeparated', columns });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const shared = sessions.get(this.location);
    if (!shared) return;
    shared.users -= 1;
    if (shared.users === 0) {
      sessions.delete(this.location);
      shared.session.close();
    }
  }
}

export function openEmbeddedStore(settings: UsageStoreSettings): UsageStore {
  let shared = sessions.get(settings.embeddedPath);
  if (!shared) {
    mkdirSync(settings.embeddedPath, { recursive: true });
    shared = { session: new Session(settings.embeddedPath), users: 0 };
    sessions.set(settings.embeddedPath, shared);
  }
  shared.users += 1;
  return new EmbeddedStore(shared.session, settings.embeddedPath, settings.database);
}
