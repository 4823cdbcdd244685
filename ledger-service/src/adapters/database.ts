import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import { CopyIn } from './copy-in.js';

/** What the ledger's adapters need from a database: parameterised queries and transactions. */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /**
   * Bulk load through COPY FROM STDIN of `text` (COPY's text format, one line per row; see copyField), where the
   * driver supports it (not on PGlite: callers fall back to INSERT).
   */
  copyIn?(table: string, columns: readonly string[], text: string | Buffer): Promise<void>;
}

export interface Database extends Sql {
  readonly kind: 'postgres' | 'pglite';
  /** BEGIN … COMMIT around `fn`; ROLLBACK when it throws. Deferred constraints are checked at the COMMIT. */
  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseTarget {
  /** Postgres URL; when absent the embedded PGlite database at `embeddedPath` is used. */
  url?: string;
  embeddedPath?: string;
}

export interface OpenOptions {
  /** Every session acts as this role (SET ROLE), which may only SELECT and INSERT ledger rows. */
  role?: string;
  poolSize?: number;
}

// Keep numeric and bigint as exact text; never let a driver turn money into a float.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  constructor(private readonly pool: pg.Pool) {}

  async query<T>(text: string, params?: unknown[]): Promise<T[]> {
    return (await this.pool.query(text, params as unknown[])).rows as T[];
  }

  async transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A server that dies mid-transaction makes the client emit 'error'; the failing query reports it to the caller.
    const onError = (err: Error) => (broken = err);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await fn({
        query: async <R>(text: string, params?: unknown[]) => (await client.query(text, params as unknown[])).rows as R[],
        copyIn: async (table, columns, text) => {
          const copy = new CopyIn(`COPY ${table} (${columns.join(', ')}) FROM STDIN`, typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
          client.query(copy as unknown as pg.Submittable);
          await copy.done;
        },
      });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw err;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  async exec(text: string): Promise<void> {
    await this.pool.query(text);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

interface PGliteLike {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(text: string): Promise<unknown>;
  transaction<T>(fn: (tx: { query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }> }) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

class EmbeddedDatabase implements Database {
  readonly kind = 'pglite' as const;
  constructor(private readonly db: PGliteLike) {}

  async query<T>(text: string, params?: unknown[]): Promise<T[]> {
    return (await this.db.query<T>(text, params)).rows;
  }

  async transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn({ query: async <R>(text: string, params?: unknown[]) => (await tx.query<R>(text, params)).rows }));
  }

  async exec(text: string): Promise<void> {
    await this.db.exec(text);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

const embedded = new Map<string, { db: Promise<PGliteLike>; refs: number }>();

/** PGlite allows one open instance per directory and process: handles share it and the last close closes it. */
async function openEmbedded(path: string): Promise<PGliteLike> {
  let entry = embedded.get(path);
  if (!entry) {
    entry = {
      refs: 0,
      db: (async () => {
        const { PGlite, types } = await import('@electric-sql/pglite');
        mkdirSync(dirname(path), { recursive: true });
        return (await PGlite.create(path, {
          parsers: { [types.NUMERIC]: (v: string) => v, [types.INT8]: (v: string) => v },
        })) as unknown as PGliteLike;
      })(),
    };
    embedded.set(path, entry);
  }
  entry.refs++;
  return entry.db;
}

async function closeEmbedded(path: string): Promise<void> {
  const entry = embedded.get(path);
  if (!entry || --entry.refs > 0) return;
  embedded.delete(path);
  await (await entry.db).close();
}

export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<Database> {
  if (target.url) {
    // `-c role=…` makes every session act as the service role from its first statement.
    const pool = new pg.Pool({ connectionString: target.url, max: options.poolSize ?? 10, options: options.role ? `-c role=${options.role}` : undefined });
    // A restarted server kills idle connections; the pool drops them and reconnects on the next query.
    pool.on('error', () => undefined);
    return new PostgresDatabase(pool);
  }
  const path = target.embeddedPath;
  if (!path) throw new Error('no database: set ledger.database.url, DATABASE_URL, or an embedded path');
  const db = await openEmbedded(path);
  // The embedded database has one session: once the service opens it, it acts as the service role for good.
  if (options.role) await db.exec(`SET ROLE ${options.role}`);
  return new EmbeddedDatabase({
    query: (t, p) => db.query(t, p),
    exec: (t) => db.exec(t),
    transaction: (fn) => db.transaction(fn),
    close: () => closeEmbedded(path),
  });
}
