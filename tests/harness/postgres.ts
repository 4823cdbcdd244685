import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ensureDebianPackage } from './debian.js';
import { freePort, waitFor } from './ports.js';

const PG_BIN = '/usr/lib/postgresql/15/bin';

function postgresUser(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/** Postgres refuses to run as root; the tests run as root, so its programs run as the `postgres` OS user. */
function asPostgres(program: string, args: string[]): string {
  const full = join(PG_BIN, program);
  const isRoot = process.getuid?.() === 0;
  const [cmd, cmdArgs] = isRoot ? ['runuser', ['-u', 'postgres', '--', full, ...args]] : [full, args];
  return execFileSync(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

/**
 * A Postgres 15 of the tests' own: a fresh cluster in a temp dir, on a free TCP port on 127.0.0.1, with its unix
 * socket in the same temp dir. stop/start keep the data and the port, so clients can reconnect after a restart.
 */
export class PostgresServer {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** Superuser URL of the `postgres` database. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(options: { durable?: boolean } = {}): Promise<PostgresServer> {
    ensureDebianPackage(join(PG_BIN, 'initdb'), 'postgresql-15');
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-pg-'));
    if (process.getuid?.() === 0) {
      const { uid, gid } = postgresUser();
      chownSync(dir, uid, gid);
    }
    asPostgres('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    const server = new PostgresServer(dir, await freePort());
    server.durable = options.durable ?? false;
    await server.start();
    return server;
  }

  private durable = false;

  async start(): Promise<void> {
    const settings = [
      `-p ${this.port}`,
      `-k ${this.dir}`,
      `-c listen_addresses=127.0.0.1`,
      `-c max_connections=200`,
      `-c shared_buffers=128MB`,
      // Tests lose nothing to an OS crash; a killed postmaster still recovers from the WAL in the page cache.
      ...(this.durable ? [] : ['-c fsync=off', '-c full_page_writes=off']),
    ].join(' ');
    asPostgres('pg_ctl', ['-D', this.dataDir, '-l', join(this.dir, 'postgres.log'), '-o', settings, '-w', '-t', '60', 'start']);
    await waitFor(`postgres on port ${this.port}`, async () => {
      const client = new pg.Client({ connectionString: this.url });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } finally {
        await client.end().catch(() => undefined);
      }
    });
  }

  /** Immediate shutdown: every connection drops mid-conversation, as in a crash; start() recovers from the WAL. */
  async stop(): Promise<void> {
    try {
      asPostgres('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
    } catch {
      /* already stopped */
    }
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Creates an empty database on the server at `serverUrl` and returns its URL. */
export async function createDatabase(serverUrl: string, prefix = 'tg'): Promise<string> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The shared server's URL: DATABASE_URL when set, else the one global setup started. */
export function sharedDatabaseUrl(injected: string | undefined): string {
  const url = process.env.DATABASE_URL ?? injected;
  if (!url) throw new Error('no Postgres: global setup did not provide one and DATABASE_URL is not set');
  return url;
}

/** Shared Postgres server for the tests; DATABASE_URL, when set, is used instead of starting one. */
export async function startSharedPostgres(): Promise<{ url: string; stop: () => Promise<void> } | undefined> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => undefined };
  const server = await PostgresServer.start();
  return { url: server.url, stop: () => server.destroy() };
}
