/**
 * npm run bench:ingest:rollup — what one dashboard rollup refresh costs ClickHouse once an hour is large.
 *
 * One tenant's hour holds BENCH_ROLLUP_EVENTS (default 1,000,000) events spread over the hour so far; the refresher
 * computes it whole once, then, BENCH_ROLLUP_ROUNDS (default 5) times, 1,000 more events arrive in the last minute
 * and one refresh runs (the touched minute and the two before it, then the hour summed from its minutes). Baseline,
 * in the same rounds: the same hour recomputed whole from the raw events (hourlySql), as every refresh did before
 * 2026-11-22. Medians of ClickHouse CPU (the private server's /proc) and of wall time. CLICKHOUSE_URL: wall time only.
 */
import { migrateUsageStore } from '../../common/clickhouse/migrations.js';
import { openUsageStore, type UsageStore } from '../../common/clickhouse/store.js';
import { hourlySql } from '../../common/clickhouse/usage-queries.js';
import { USAGE_ROW_COLUMNS, usageRowTsv, type UsageRow } from '../../common/clickhouse/usage-row.js';
import { createLogger } from '../../common/log.js';
import { SummaryBuilder } from '../../sidecar/src/usage/adapters/usage-record.js';
import { RollupRefresher } from '../../sidecar/src/usage/rollup.js';
import { ClickHouseServer } from '../../tests/harness/clickhouse.js';
import { pidWithCommandLine, processCpuSeconds } from '../check/process-cpu.js';
import { median } from '../check/stats.js';
import { fmt, formatTable } from '../check/table.js';
import { storeSettings } from './bench-sidecar.js';
import { generateEvents, rowsOf } from './events.js';

const EVENTS = Number(process.env.BENCH_ROLLUP_EVENTS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROLLUP_ROUNDS ?? 5);
const TENANT = 'tenant-busy';
const HOUR_MS = 3_600_000;

/** `n` generated events of the busy tenant, evenly over [fromMs, toMs). */
function rowsBetween(n: number, fromMs: number, toMs: number, seed: number): UsageRow[] {
  const events = generateEvents(n, toMs, [TENANT], seed).map((e, i) => ({ ...e, timestamp: new Date(fromMs + Math.floor((i * (toMs - fromMs)) / n)).toISOString() }));
  return rowsOf(events, toMs);
}

async function insert(store: UsageStore, rows: UsageRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100_000) await store.insertTsv('usage_events', USAGE_ROW_COLUMNS, Buffer.from(rows.slice(i, i + 100_000).map(usageRowTsv).join('')));
}

function summaryOf(rows: UsageRow[]) {
  const builder = new SummaryBuilder();
  for (const r of rows) builder.add(r.tenantId, r.featureId, r.eventTimeMs, r.correctsEventId);
  return builder.build();
}

async function main(): Promise<void> {
  let server: ClickHouseServer | undefined;
  const url = process.env.CLICKHOUSE_URL ?? (server = await ClickHouseServer.start()).url;
  const chPid = server ? pidWithCommandLine(server.dir) : undefined;
  const store = await openUsageStore(storeSettings(url, `bench_rollup_${Date.now()}`));
  try {
    await migrateUsageStore(store);
    // The hour so far, at least 10 minutes of it, ends a minute ago; later events go into the last minute.
    const now = Date.now();
    const hour = now - (now % HOUR_MS) - (now % HOUR_MS < 11 * 60_000 ? HOUR_MS : 0);
    const end = Math.min(now, hour + HOUR_MS) - 60_000;
    const bulk = rowsBetween(EVENTS, hour, end, 1);
    await insert(store, bulk);
    const refresher = new RollupRefresher(store, 5_000, createLogger('bench', 'silent'));
    const measure = async (work: () => Promise<unknown>) => {
      const cpu = processCpuSeconds(chPid) ?? NaN;
      const started = performance.now();
      await work();
      return { ms: performance.now() - started, cpuMs: ((processCpuSeconds(chPid) ?? NaN) - cpu) * 1000 };
    };
    refresher.noteShipped([summaryOf(bulk)]);
    const first = await measure(() => refresher.refresh(true));
    const refreshes: Array<{ ms: number; cpuMs: number }> = [];
    const wholeHours: Array<{ ms: number; cpuMs: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const more = rowsBetween(1_000, end + round, end + 60_000, 10 + round);
      await insert(store, more);
      refresher.noteShipped([summaryOf(more)]);
      refreshes.push(await measure(() => refresher.refresh(true)));
      wholeHours.push(await measure(() => store.rows(hourlySql(store.database, { tenantId: TENANT, featureId: 'tokens', fromMs: hour, toMs: hour + HOUR_MS }))));
    }
    const [[rolledUp]] = await store.rows(`SELECT argMax(events, computed_at_ms) FROM ${store.database}.usage_hourly WHERE tenant_id = '${TENANT}' AND hour = toDateTime(${hour / 1000})`);
    if (Number(rolledUp) !== EVENTS + ROUNDS * 1_000) throw new Error(`the rollup holds ${rolledUp} events, expected ${EVENTS + ROUNDS * 1_000}`);
    const cpu = (runs: Array<{ cpuMs: number }>) => median(runs.map((r) => r.cpuMs));
    const wall = (runs: Array<{ ms: number }>) => median(runs.map((r) => r.ms));
    process.stdout.write(
      `\nrollup refresh — one tenant's hour of ${fmt.rate(EVENTS)} events, then ${ROUNDS} rounds of 1,000 more in its last minute; medians\n\n${formatTable([
        {
          measurement: 'ClickHouse CPU per refresh (ms)',
          baseline: `${cpu(wholeHours).toFixed(0)} hour recomputed whole`,
          tollgate: `${cpu(refreshes).toFixed(0)} minutes, then the hour from them`,
          comparison: fmt.ratio(cpu(refreshes) / cpu(wholeHours)),
          target: '',
        },
        { measurement: 'wall time per refresh (ms)', baseline: wall(wholeHours).toFixed(0), tollgate: wall(refreshes).toFixed(0), comparison: fmt.ratio(wall(refreshes) / wall(wholeHours)), target: '' },
        { measurement: "first refresh: the hour's sixty minutes, CPU / wall (ms)", baseline: '', tollgate: `${first.cpuMs.toFixed(0)} / ${first.ms.toFixed(0)}`, comparison: '', target: '' },
      ])}\n`,
    );
  } finally {
    await store.exec(`DROP DATABASE IF EXISTS ${store.database}`).catch(() => {});
    await store.close();
    await server?.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:ingest:rollup failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
