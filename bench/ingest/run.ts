/**
 * npm run bench:ingest — usage ingestion throughput.
 *
 * Baseline: the N generated events, already encoded as TabSeparated rows, bulk-inserted straight into ClickHouse
 * in batches of the shipper's size. Tollgate: the same N events end to end — in-repo driver → ReportBatch → sidecar
 * validation → spool with fsync → shipper → ClickHouse — timed until GetUsage shows every event. Same ClickHouse, same
 * run. Target: end to end ≥ 0.5× the raw insert rate.
 *
 * BENCH_INGEST_EVENTS (default 500000), BENCH_INGEST_BATCH (ReportBatch size, default 1000),
 * BENCH_INGEST_CONCURRENCY (calls in flight, default 16), CLICKHOUSE_URL (else a private clickhouse-server),
 * BENCH_INGEST_PROFILE_DIR (write a CPU profile of the sidecar there).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { migrateUsageStore } from '../../common/clickhouse/migrations.js';
import { openUsageStore } from '../../common/clickhouse/store.js';
import { USAGE_ROW_COLUMNS, usageRowTsv } from '../../common/clickhouse/usage-row.js';
import { packageRoot } from '../../common/paths.js';
import { ClickHouseServer } from '../../tests/harness/clickhouse.js';
import { freePort, waitFor } from '../../tests/harness/ports.js';
import { percentileOfSorted } from '../check/stats.js';
import { fmt, formatTable, type Row } from '../check/table.js';
import { IngestDriver } from './driver.js';
import { BENCH_FEATURE, BENCH_TENANTS, generateEvents, rowsOf } from './events.js';

const N = Number(process.env.BENCH_INGEST_EVENTS ?? 500_000);
const REPORT_BATCH = Number(process.env.BENCH_INGEST_BATCH ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_INGEST_CONCURRENCY ?? 16);
const SHIP_BATCH = 50_000;
const WINDOW = { start: '2000-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z' };

function settings(url: string, database: string) {
  return { url, username: 'default', database, embeddedPath: '', requestTimeoutMs: 120_000 };
}

async function rawInsert(url: string, events: ReturnType<typeof generateEvents>): Promise<number> {
  const store = await openUsageStore(settings(url, `bench_raw_${Date.now()}`));
  try {
    await migrateUsageStore(store);
    const rows = rowsOf(events, Date.now());
    const bodies: Buffer[] = [];
    for (let i = 0; i < rows.length; i += SHIP_BATCH) bodies.push(Buffer.from(rows.slice(i, i + SHIP_BATCH).map(usageRowTsv).join('')));
    const started = performance.now();
    for (const body of bodies) await store.insertTsv('usage_events', USAGE_ROW_COLUMNS, body);
    const seconds = (performance.now() - started) / 1000;
    const [[count]] = await store.rows(`SELECT count() FROM ${store.database}.usage_events`);
    if (Number(count) !== events.length) throw new Error(`raw insert stored ${count} of ${events.length} rows`);
    await store.exec(`DROP DATABASE ${store.database}`);
    return seconds;
  } finally {
    await store.close();
  }
}

/** CPU the sidecar process used (user + system), from its own /metrics: robust to other load on the machine. */
function sidecarCpuSeconds(metrics: string): number {
  return Number(/^tollgate_process_process_cpu_seconds_total (\S+)$/m.exec(metrics)?.[1] ?? NaN);
}

function sidecarConfig(dir: string, database: string): string {
  const tenants = BENCH_TENANTS.map((t) => `  - { id: ${t}, plan: bench }`).join('\n');
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

async function endToEnd(url: string, events: ReturnType<typeof generateEvents>) {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-ingest-'));
  const database = `bench_e2e_${Date.now()}`;
  const configFile = join(dir, 'tollgate.yaml');
  writeFileSync(configFile, sidecarConfig(dir, database));
  const grpcPort = await freePort();
  const httpPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, CLICKHOUSE_URL: url, LOG_LEVEL: 'warn' };
  delete env.REDIS_URL;
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_INGEST_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_INGEST_PROFILE_DIR}`] : []),
      resolve(packageRoot, 'dist/cli/tollgate.js'),
      'sidecar', '--config',
      configFile,
      '--grpc',
      `127.0.0.1:${grpcPort}`,
      '--http',
      `127.0.0.1:${httpPort}`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'], env },
  );
  const metricsUrl = `http://127.0.0.1:${httpPort}/metrics`;
  try {
    await waitFor('the sidecar to be ready', async () => (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).ok || undefined, 60_000);
    const driver = new IngestDriver(`127.0.0.1:${grpcPort}`);
    const batches = driver.encodeBatches(events, REPORT_BATCH);
    // Warm the connection and the code paths with one call outside the clock (an empty batch spools nothing).
    await driver.send([Buffer.alloc(0)], 1);

    const cpuBefore = sidecarCpuSeconds(await (await fetch(metricsUrl)).text());
    const started = performance.now();
    const sent = await driver.send(batches, CONCURRENCY);
    const ackedSeconds = (performance.now() - started) / 1000;
    if (sent.accepted !== events.length) throw new Error(`sidecar accepted ${sent.accepted} of ${events.length} events (${sent.rejected} rejected)`);
    let visible = 0;
    while (visible < events.length) {
      const totals = await Promise.all(BENCH_TENANTS.map((t) => driver.usage(t, BENCH_FEATURE, WINDOW.start, WINDOW.end)));
      visible = totals.reduce((n, u) => n + Number(u.events), 0);
      if (visible < events.length) await new Promise((r) => setTimeout(r, 100));
    }
    const totalSeconds = (performance.now() - started) / 1000;
    const metrics = await (await fetch(metricsUrl)).text();
    const cpuSeconds = sidecarCpuSeconds(metrics) - cpuBefore;
    const appended = Number(/^tollgate_usage_spool_appended_bytes_total (\S+)$/m.exec(metrics)?.[1] ?? NaN);
    driver.close();
    const latencies = sent.latenciesMs.sort((a, b) => a - b);
    return {
      totalSeconds,
      ackedSeconds,
      ackP50: percentileOfSorted(latencies, 50),
      ackP99: percentileOfSorted(latencies, 99),
      spoolBytesPerEvent: appended / events.length,
      sidecarCpuUsPerEvent: (cpuSeconds * 1e6) / events.length,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  let server: ClickHouseServer | undefined;
  const url = process.env.CLICKHOUSE_URL ?? (server = await ClickHouseServer.start()).url;
  try {
    const events = generateEvents(N, Date.now());
    const rawSeconds = await rawInsert(url, events);
    const e2e = await endToEnd(url, events);
    const rawRate = N / rawSeconds;
    const e2eRate = N / e2e.totalSeconds;
    const ratio = e2eRate / rawRate;
    const rows: Row[] = [
      {
        measurement: `throughput, ${N.toLocaleString('en-US')} events (events/s)`,
        baseline: `${fmt.rate(rawRate)} raw insert`,
        tollgate: `${fmt.rate(e2eRate)} end to end`,
        comparison: fmt.ratio(ratio),
        target: '≥ 0.50×',
        pass: ratio >= 0.5,
      },
      { measurement: 'wall time (s)', baseline: rawSeconds.toFixed(2), tollgate: e2e.totalSeconds.toFixed(2), comparison: '', target: '' },
      { measurement: 'acknowledged (durable in spool), events/s', baseline: '', tollgate: fmt.rate(N / e2e.ackedSeconds), comparison: '', target: '' },
      { measurement: `ReportBatch ack p50 (ms, ${REPORT_BATCH} events/call, ${CONCURRENCY} in flight)`, baseline: '', tollgate: fmt.ms(e2e.ackP50), comparison: '', target: '' },
      { measurement: 'ReportBatch ack p99 (ms)', baseline: '', tollgate: fmt.ms(e2e.ackP99), comparison: '', target: '' },
      { measurement: 'spool bytes per event (record header included)', baseline: '', tollgate: e2e.spoolBytesPerEvent.toFixed(1), comparison: '', target: '' },
      { measurement: 'sidecar CPU per event (µs, user+system, whole pipeline)', baseline: '', tollgate: e2e.sidecarCpuUsPerEvent.toFixed(2), comparison: '', target: '' },
    ];
    process.stdout.write(
      `\nusage ingestion — ClickHouse ${server ? 'clickhouse-server 18.16 (private, temp dir)' : url}, ${cpus().length} CPUs, load ${loadavg()[0].toFixed(2)}\n\n${formatTable(rows)}\n`,
    );
    if (ratio < 0.5) process.exitCode = 1;
  } finally {
    await server?.destroy();
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`bench:ingest failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
