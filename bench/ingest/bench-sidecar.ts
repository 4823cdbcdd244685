import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openUsageStore } from '../../common/clickhouse/store.js';
import { freePort, waitFor } from '../../tests/harness/ports.js';
import { sidecarCommandArgs } from '../check/targets.js';
import { BENCH_FEATURE, BENCH_TENANTS, WARM_UP_TENANT } from './events.js';

/** The shipper's batch size in the benches' sidecars, and the raw insert's. */
export const SHIP_BATCH = 50_000;

export function storeSettings(url: string, database: string) {
  return { url, username: 'default', database, embeddedPath: '', requestTimeoutMs: 120_000 };
}

function sidecarConfig(dir: string, database: string): string {
  const tenants = [...BENCH_TENANTS, WARM_UP_TENANT].map((t) => `  - { id: ${t}, plan: bench }`).join('\n');
  return `data_dir: ${dir}
plans:
  - id: bench
    features:
      - id: ${BENCH_FEATURE}
tenants:
${tenants}
usage:
  max_batch_events: 10000
  clickhouse: { database: ${database} }
  shipper: { batch_events: ${SHIP_BATCH}, batch_interval_ms: 200 }
`;
}

/** A value from Prometheus text, by its full name (labels included); NaN when absent. */
export function metricValue(metrics: string, name: string): number {
  const escaped = name.replace(/[{}"]/g, (c) => `\\${c}`);
  return Number(new RegExp(`^${escaped} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
}

/** CPU the sidecar process used (user + system), from its own /metrics: robust to other load on the machine. */
export function sidecarCpuSeconds(metrics: string): number {
  return metricValue(metrics, 'tollgate_process_process_cpu_seconds_total');
}

/** Full (mark-compact) collections of the sidecar's main thread so far, from its /metrics. */
export function majorCollections(metrics: string): number {
  return metricValue(metrics, 'tollgate_process_nodejs_gc_duration_seconds_count{kind="major"}') || 0;
}

/**
 * Where a sidecar's CPU went between two readings: its main thread, its busiest other thread (the scan worker, by far
 * the busiest of the others while ReportBatch load runs), and the rest (V8's GC and compiler threads, libuv's pool).
 */
export function threadSplit(pid: number, before: Map<number, number>, after: Map<number, number>): { main: number; busiest: number; rest: number } {
  const deltas = [...after].map(([tid, seconds]) => ({ tid, seconds: seconds - (before.get(tid) ?? 0) }));
  const main = deltas.find((d) => d.tid === pid)?.seconds ?? NaN;
  const others = deltas.filter((d) => d.tid !== pid).sort((a, b) => b.seconds - a.seconds);
  return { main, busiest: others[0]?.seconds ?? 0, rest: others.slice(1).reduce((n, d) => n + d.seconds, 0) };
}

export interface BenchSidecar {
  pid: number;
  socketPath: string;
  grpcAddress: string;
  metrics(): Promise<string>;
  /** Resolves once the sidecar's /metrics say it shipped `events` events in all (read every 20 ms). */
  shippedAtLeast(events: number): Promise<void>;
  /** Stops the sidecar, removes its directory and drops its database. */
  stop(): Promise<void>;
}

/**
 * `node dist/cli/tollgate.js sidecar` as an operator starts it, on a private directory and a database of its own in
 * the ClickHouse at `url`, with the bench tenants; Redis is left out (limits are not what these benches measure).
 */
export async function startBenchSidecar(url: string, database: string, nodeFlags: string[] = []): Promise<BenchSidecar> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-ingest-'));
  const configFile = join(dir, 'tollgate.yaml');
  writeFileSync(configFile, sidecarConfig(dir, database));
  const grpcPort = await freePort();
  const socketPath = join(dir, 'sidecar.sock');
  const httpPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, CLICKHOUSE_URL: url, LOG_LEVEL: 'warn' };
  delete env.REDIS_URL;
  const child = spawn(
    process.execPath,
    [...nodeFlags, ...sidecarCommandArgs(configFile, grpcPort, httpPort, socketPath)],
    { stdio: ['ignore', 'inherit', 'inherit'], env },
  );
  const metrics = async () => (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
    await dropDatabase(url, database);
  };
  try {
    await waitFor('the sidecar to be ready', async () => (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).ok || undefined, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    pid: child.pid!,
    socketPath,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    metrics,
    async shippedAtLeast(events) {
      while (metricValue(await metrics(), 'tollgate_usage_shipped_events_total') < events) await new Promise((r) => setTimeout(r, 20));
    },
    stop,
  };
}

/** So that a later round's clock does not pay for merging an earlier round's parts. */
export async function dropDatabase(url: string, database: string): Promise<void> {
  const store = await openUsageStore(storeSettings(url, database));
  try {
    await store.exec(`DROP DATABASE IF EXISTS ${database}`);
  } finally {
    await store.close();
  }
}
