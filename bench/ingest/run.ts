/**
 * npm run bench:ingest — usage ingestion throughput.
 *
 * Baseline: the N generated events, already encoded as TabSeparated rows, bulk-inserted straight into ClickHouse
 * in batches of the shipper's size. Tollgate: the same N events end to end — in-repo driver → ReportBatch → sidecar
 * validation → spool with fsync → shipper → ClickHouse — timed until GetUsage shows every event; the driver calls
 * ReportBatch on the sidecar's unix socket in the local call protocol, as the gateway does, and
 * each round also measures it as gRPC over loopback TCP. Same ClickHouse, same
 * run. Target: end to end ≥ 0.5× the raw insert rate. BENCH_INGEST_ROUNDS (default 3) rounds of both, interleaved;
 * medians quoted, the other rows from the median round.
 *
 * GetUsage is asked once the sidecar's /metrics say every event was shipped (it is a deduplicating query over the
 * whole table; polling it every 100 ms took ClickHouse CPU from the inserts being measured). Besides the sidecar's
 * CPU per event, the ClickHouse server's (from /proc, private server only) and the bench process's own (the driver)
 * are printed: all three share the machine's cores.
 *
 * BENCH_INGEST_EVENTS (default 2000000), BENCH_INGEST_BATCH (ReportBatch size, default 1000),
 * BENCH_INGEST_CONCURRENCY (calls in flight, default 16), BENCH_INGEST_WARM_UP (events sent, and inserted, before the
 * clock starts, default 100000), CLICKHOUSE_URL (else a private clickhouse-server),
 * BENCH_INGEST_PROFILE_DIR (write a CPU profile of the sidecar there), BENCH_INGEST_COMPARE_TCP=0 (skip the gRPC/TCP
 * comparison run of each round), BENCH_INGEST_SIDECAR_NODE_FLAGS (node flags for the sidecar, e.g. "--trace-gc").
 */
import { cpus, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { migrateUsageStore } from '../../common/clickhouse/migrations.js';
import { openUsageStore } from '../../common/clickhouse/store.js';
import { USAGE_ROW_COLUMNS, usageRowTsv } from '../../common/clickhouse/usage-row.js';
import { ClickHouseServer } from '../../tests/harness/clickhouse.js';
import { pidWithCommandLine, processCpuSeconds, threadCpuSeconds, type CpuPart } from '../check/process-cpu.js';
import { median, percentileOfSorted } from '../check/stats.js';
import { fmt, formatTable, type Row } from '../check/table.js';
import { metricValue, SHIP_BATCH, sidecarCpuSeconds, startBenchSidecar, storeSettings, threadSplit } from './bench-sidecar.js';
import { encodeReportBatches, IngestDriver } from './driver.js';
import { BENCH_FEATURE, BENCH_TENANTS, generateEvents, rowsOf, WARM_UP_TENANT } from './events.js';

/**
 * 2,000,000 since 00:21 on 2026-11-22 (500,000 before): the raw insert of 500,000 events took 0.3–0.4 s and its rate
 * moved between 1.2M and 1.7M events/s from round to round, and the end-to-end clock's fixed part (shipping the
 * batches in flight at the last acknowledgement, then the GetUsage checks: ~0.15 s) was a fifth of its window. Both
 * sides now run for seconds; BENCH_INGEST_EVENTS=500000 measures the short window.
 */
const N = Number(process.env.BENCH_INGEST_EVENTS ?? 2_000_000);
const REPORT_BATCH = Number(process.env.BENCH_INGEST_BATCH ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_INGEST_CONCURRENCY ?? 16);
/**
 * Events of a tenant of their own sent through each fresh sidecar, and inserted into each raw-insert table, before the
 * clock starts, so that both sides are measured warm, as they run in production. Without this, a large part of the
 * measured events ran through a sidecar process whose code V8 had not optimised yet, while the ClickHouse server and
 * the raw insert's client were warm from the first round on. BENCH_INGEST_WARM_UP=0 measures the cold sidecar.
 */
const WARM_UP = Number(process.env.BENCH_INGEST_WARM_UP ?? 100_000);
/** Rounds of (raw insert, end to end), interleaved; medians are quoted. The raw insert's rate moves by ±15 % from round
 * to round on this VM even over 2,000,000 events. */
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 3);
/**
 * How the driver reaches the sidecar. `local`: its unix socket in the local call protocol, as the gateway's usage reports
 * go (the headline); `tcp`: gRPC over loopback TCP, measured in the same rounds for comparison.
 */
type Transport = 'local' | 'tcp';
const COMPARE_TCP = process.env.BENCH_INGEST_COMPARE_TCP !== '0';
const WINDOW = { start: '2000-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z' };

async function rawInsert(url: string, bodies: Buffer[], warmUpBodies: Buffer[], chPid: number | undefined): Promise<{ seconds: number; chCpuSeconds: number }> {
  const store = await openUsageStore(storeSettings(url, `bench_raw_${Date.now()}`));
  try {
    await migrateUsageStore(store);
    for (const body of warmUpBodies) await store.insertTsv('usage_events', USAGE_ROW_COLUMNS, body);
    const chCpuBefore = cpuSecondsOrNaN(chPid);
    const started = performance.now();
    for (const body of bodies) await store.insertTsv('usage_events', USAGE_ROW_COLUMNS, body);
    const seconds = (performance.now() - started) / 1000;
    const chCpuSeconds = cpuSecondsOrNaN(chPid) - chCpuBefore;
    const [[count]] = await store.rows(`SELECT count() FROM ${store.database}.usage_events WHERE tenant_id != '${WARM_UP_TENANT}'`);
    if (Number(count) !== N) throw new Error(`raw insert stored ${count} of ${N} rows`);
    await store.exec(`DROP DATABASE ${store.database}`);
    return { seconds, chCpuSeconds };
  } finally {
    await store.close();
  }
}

/** processCpuSeconds, NaN when unknown (so that a difference with an unknown side is NaN, printed as such). */
function cpuSecondsOrNaN(pid: number | undefined, part: CpuPart = 'both'): number {
  return processCpuSeconds(pid, part) ?? NaN;
}

const ownCpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

interface Inputs {
  /** The raw insert's TabSeparated bodies. */
  bodies: Buffer[];
  /** The driver's encoded ReportBatchRequests. */
  batches: Buffer[];
}

/** The measured events and the warm-up events, encoded both ways before any clock runs. */
function encodeInputs(): { measured: Inputs; warmUp: Inputs } {
  const encode = (events: ReturnType<typeof generateEvents>): Inputs => {
    const rows = rowsOf(events, Date.now());
    const bodies: Buffer[] = [];
    for (let i = 0; i < rows.length; i += SHIP_BATCH) bodies.push(Buffer.from(rows.slice(i, i + SHIP_BATCH).map(usageRowTsv).join('')));
    return { bodies, batches: encodeReportBatches(events, REPORT_BATCH) };
  };
  return { measured: encode(generateEvents(N, Date.now())), warmUp: encode(generateEvents(WARM_UP, Date.now(), [WARM_UP_TENANT], 7)) };
}

/**
 * A full collection now, so that the bench process's garbage from generating and encoding the events (hundreds of MB
 * of objects) is not collected during a measurement, on the CPU the measured processes share.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function endToEnd(url: string, batches: Buffer[], warmUpBatches: Buffer[], chPid: number | undefined, transport: Transport) {
  const sidecar = await startBenchSidecar(url, `bench_e2e_${Date.now()}`, [
    ...(process.env.BENCH_INGEST_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_INGEST_PROFILE_DIR}`] : []),
    ...(process.env.BENCH_INGEST_SIDECAR_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? []),
  ]);
  const pid = sidecar.pid;
  try {
    const driver = new IngestDriver(transport === 'tcp' ? sidecar.grpcAddress : `unix:${sidecar.socketPath}`);
    // Warm the connection and the code paths outside the clock: the warm-up tenant's events, until they are shipped.
    await driver.send([Buffer.alloc(0)], 1);
    const warmedUp = warmUpBatches.length > 0 ? (await driver.send(warmUpBatches, CONCURRENCY)).accepted : 0;
    await sidecar.shippedAtLeast(warmedUp);

    const metricsBefore = await sidecar.metrics();
    const cpuBefore = sidecarCpuSeconds(metricsBefore);
    const appendedBefore = metricValue(metricsBefore, 'tollgate_usage_spool_appended_bytes_total');
    const chCpuBefore = cpuSecondsOrNaN(chPid);
    const systemBefore = cpuSecondsOrNaN(pid, 'system');
    const threadsBefore = threadCpuSeconds(pid);
    const driverCpuBefore = ownCpuSeconds();
    const started = performance.now();
    const sent = await driver.send(batches, CONCURRENCY);
    const ackedSeconds = (performance.now() - started) / 1000;
    if (sent.accepted !== N) throw new Error(`sidecar accepted ${sent.accepted} of ${N} events (${sent.rejected} rejected)`);
    // GetUsage decides when the clock stops. It is asked once the sidecar says it shipped every event (a cheap
    // /metrics read every 20 ms), not every 100 ms meanwhile: each GetUsage is a deduplicating query over the whole
    // table, and polling it during the catch-up took ClickHouse CPU from the inserts being measured.
    await sidecar.shippedAtLeast(warmedUp + N);
    const shippedSeconds = (performance.now() - started) / 1000;
    const chCpuShippedSeconds = cpuSecondsOrNaN(chPid) - chCpuBefore;
    let visible = 0;
    while (visible < N) {
      const totals = await Promise.all(BENCH_TENANTS.map((t) => driver.usage(t, BENCH_FEATURE, WINDOW.start, WINDOW.end)));
      visible = totals.reduce((n, u) => n + Number(u.events), 0);
      if (visible < N) await new Promise((r) => setTimeout(r, 20));
    }
    const totalSeconds = (performance.now() - started) / 1000;
    const chCpuSeconds = cpuSecondsOrNaN(chPid) - chCpuBefore;
    const systemSeconds = cpuSecondsOrNaN(pid, 'system') - systemBefore;
    const threads = threadSplit(pid, threadsBefore, threadCpuSeconds(pid));
    const driverCpuSeconds = ownCpuSeconds() - driverCpuBefore;
    const metrics = await sidecar.metrics();
    const cpuSeconds = sidecarCpuSeconds(metrics) - cpuBefore;
    const appended = metricValue(metrics, 'tollgate_usage_spool_appended_bytes_total') - appendedBefore;
    // Outside the CPU readings above: one tenant's GetUsage once everything is visible, as a dashboard would ask.
    const getUsageMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const asked = performance.now();
      await driver.usage(BENCH_TENANTS[0], BENCH_FEATURE, WINDOW.start, WINDOW.end);
      getUsageMs.push(performance.now() - asked);
    }
    driver.close();
    const latencies = sent.latenciesMs.sort((a, b) => a - b);
    return {
      totalSeconds,
      ackedSeconds,
      shippedSeconds,
      getUsageP50Ms: median(getUsageMs),
      ackP50: percentileOfSorted(latencies, 50),
      ackP99: percentileOfSorted(latencies, 99),
      spoolBytesPerEvent: appended / N,
      sidecarCpuUsPerEvent: (cpuSeconds * 1e6) / N,
      chCpuUsPerEvent: (chCpuSeconds * 1e6) / N,
      chCpuUntilShippedUsPerEvent: (chCpuShippedSeconds * 1e6) / N,
      sidecarSystemUsPerEvent: (systemSeconds * 1e6) / N,
      sidecarMainThreadUsPerEvent: (threads.main * 1e6) / N,
      sidecarBusiestOtherThreadUsPerEvent: (threads.busiest * 1e6) / N,
      sidecarOtherThreadsUsPerEvent: (threads.rest * 1e6) / N,
      driverCpuUsPerEvent: (driverCpuSeconds * 1e6) / N,
    };
  } finally {
    await sidecar.stop();
  }
}

async function main(): Promise<void> {
  let server: ClickHouseServer | undefined;
  const url = process.env.CLICKHOUSE_URL ?? (server = await ClickHouseServer.start()).url;
  try {
    const inputs = encodeInputs();
    const { bodies, batches } = inputs.measured;
    const chPid = server ? pidWithCommandLine(server.dir) : undefined;
    type EndToEnd = Awaited<ReturnType<typeof endToEnd>>;
    const rounds: Array<{ raw: Awaited<ReturnType<typeof rawInsert>>; e2e: EndToEnd; tcp?: EndToEnd }> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      collectGarbage();
      const raw = await rawInsert(url, bodies, inputs.warmUp.bodies, chPid);
      // The two transports take turns going first, so neither always follows the raw insert.
      const order: Transport[] = !COMPARE_TCP ? ['local'] : round % 2 === 1 ? ['local', 'tcp'] : ['tcp', 'local'];
      const measured = new Map<Transport, EndToEnd>();
      for (const transport of order) {
        collectGarbage();
        measured.set(transport, await endToEnd(url, batches, inputs.warmUp.batches, chPid, transport));
      }
      const e2e = measured.get('local')!;
      const tcp = measured.get('tcp');
      rounds.push({ raw, e2e, tcp });
      const tcpText = tcp ? `, over gRPC/TCP ${fmt.rate(N / tcp.totalSeconds)} events/s` : '';
      process.stdout.write(
        `round ${round}/${ROUNDS}: raw insert ${fmt.rate(N / raw.seconds)} events/s, end to end ${fmt.rate(N / e2e.totalSeconds)} events/s (${fmt.ratio(raw.seconds / e2e.totalSeconds)})${tcpText}\n`,
      );
    }
    const rawRate = median(rounds.map((r) => N / r.raw.seconds));
    const e2eRate = median(rounds.map((r) => N / r.e2e.totalSeconds));
    const ratio = e2eRate / rawRate;
    const tcpRates = rounds.flatMap((r) => (r.tcp ? [N / r.tcp.totalSeconds] : []));
    // The detail rows come from the round whose end-to-end rate is the median, and its raw insert.
    const { raw, e2e } = [...rounds].sort((a, b) => a.e2e.totalSeconds - b.e2e.totalSeconds)[Math.floor(rounds.length / 2)];
    const rawSeconds = raw.seconds;
    const rows: Row[] = [
      {
        measurement: `throughput, ${N.toLocaleString('en-US')} events (events/s, median of ${ROUNDS} rounds; unix socket, local call protocol)`,
        baseline: `${fmt.rate(rawRate)} raw insert`,
        tollgate: `${fmt.rate(e2eRate)} end to end`,
        comparison: fmt.ratio(ratio),
        target: '≥ 0.50×',
        pass: ratio >= 0.5,
      },
      ...(tcpRates.length > 0
        ? [
            {
              measurement: '… the same, ReportBatch as gRPC over loopback TCP (for comparison)',
              baseline: '',
              tollgate: `${fmt.rate(median(tcpRates))} end to end`,
              comparison: fmt.ratio(median(tcpRates) / rawRate),
              target: '',
            },
          ]
        : []),
      { measurement: 'wall time (s, the median round)', baseline: rawSeconds.toFixed(2), tollgate: e2e.totalSeconds.toFixed(2), comparison: '', target: '' },
      { measurement: 'acknowledged (durable in spool), events/s', baseline: '', tollgate: fmt.rate(N / e2e.ackedSeconds), comparison: '', target: '' },
      {
        measurement: 'after the last acknowledgement: shipped, then visible in GetUsage (s)',
        baseline: '',
        tollgate: `+${(e2e.shippedSeconds - e2e.ackedSeconds).toFixed(2)}, +${(e2e.totalSeconds - e2e.shippedSeconds).toFixed(2)}`,
        comparison: '',
        target: '',
      },
      {
        measurement: `GetUsage of one tenant's ${fmt.rate(N / BENCH_TENANTS.length)} events, p50 of 5 calls (ms)`,
        baseline: '',
        tollgate: fmt.ms(e2e.getUsageP50Ms),
        comparison: '',
        target: '',
      },
      { measurement: `ReportBatch ack p50 (ms, ${REPORT_BATCH} events/call, ${CONCURRENCY} in flight)`, baseline: '', tollgate: fmt.ms(e2e.ackP50), comparison: '', target: '' },
      { measurement: 'ReportBatch ack p99 (ms)', baseline: '', tollgate: fmt.ms(e2e.ackP99), comparison: '', target: '' },
      { measurement: 'spool bytes per event (record header included)', baseline: '', tollgate: e2e.spoolBytesPerEvent.toFixed(1), comparison: '', target: '' },
      { measurement: 'sidecar CPU per event (µs, user+system, whole pipeline)', baseline: '', tollgate: e2e.sidecarCpuUsPerEvent.toFixed(2), comparison: '', target: '' },
      {
        measurement: '… of which on its main thread / the scan worker / all other threads (µs; V8 GC and compiler, libuv)',
        baseline: '',
        tollgate: `${e2e.sidecarMainThreadUsPerEvent.toFixed(2)} / ${e2e.sidecarBusiestOtherThreadUsPerEvent.toFixed(2)} / ${e2e.sidecarOtherThreadsUsPerEvent.toFixed(2)}`,
        comparison: '',
        target: '',
      },
      { measurement: '… of which in the kernel (µs; sockets, spool writes, fdatasync)', baseline: '', tollgate: e2e.sidecarSystemUsPerEvent.toFixed(2), comparison: '', target: '' },
      {
        measurement: 'ClickHouse CPU per event (µs, while measured; in brackets: until shipped, before the GetUsage checks)',
        baseline: ((raw.chCpuSeconds * 1e6) / N).toFixed(2),
        tollgate: `${e2e.chCpuUsPerEvent.toFixed(2)} (${e2e.chCpuUntilShippedUsPerEvent.toFixed(2)})`,
        comparison: '',
        target: '',
      },
      { measurement: 'driver CPU per event (µs, the bench process: ReportBatch client, GetUsage polls)', baseline: '', tollgate: e2e.driverCpuUsPerEvent.toFixed(2), comparison: '', target: '' },
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
