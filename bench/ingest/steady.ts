/**
 * npm run bench:ingest:steady — one sidecar under sustained ReportBatch load. A diagnostic beside bench:ingest, with
 * no baseline and no target: bench:ingest measures 2,000,000 events right after a 100,000-event warm-up, when V8 is
 * still optimising the sidecar's code; this shows what the same work costs a sidecar that has run for a while.
 *
 * BENCH_STEADY_ROUNDS (default 6) rounds of BENCH_INGEST_EVENTS (default 500,000) events, 1000 per ReportBatch, 16
 * calls in flight, go through one sidecar on its unix socket (local call protocol), each round until shipped into a
 * private clickhouse-server (or CLICKHOUSE_URL). Per round: the acknowledged rate, the sidecar's CPU per event by
 * thread (main / scan worker / the rest: V8's GC and compiler threads, libuv's pool), and the full (mark-compact)
 * collections of its main thread, from its /metrics. TOLLGATE_HEAP_GROWING_PERCENT=0 against the default shows what
 * common/heap-growth.ts changes.
 */
import { ClickHouseServer } from '../../tests/harness/clickhouse.js';
import { threadCpuSeconds } from '../check/process-cpu.js';
import { fmt } from '../check/table.js';
import { majorCollections, startBenchSidecar, threadSplit } from './bench-sidecar.js';
import { encodeReportBatches, IngestDriver } from './driver.js';
import { generateEvents } from './events.js';

const N = Number(process.env.BENCH_INGEST_EVENTS ?? 500_000);
const ROUNDS = Number(process.env.BENCH_STEADY_ROUNDS ?? 6);
const BATCH = 1000;
const CONCURRENCY = 16;

async function main(): Promise<void> {
  let server: ClickHouseServer | undefined;
  const url = process.env.CLICKHOUSE_URL ?? (server = await ClickHouseServer.start()).url;
  const sidecar = await startBenchSidecar(url, `bench_steady_${Date.now()}`);
  const driver = new IngestDriver(`unix:${sidecar.socketPath}`);
  try {
    // The same events every round: ids repeat, which totals deduplicate; only the work per event matters here.
    const batches = encodeReportBatches(generateEvents(N, Date.now()), BATCH);
    const heap = process.env.TOLLGATE_HEAP_GROWING_PERCENT;
    process.stdout.write(`bench:ingest:steady — ${ROUNDS} rounds of ${fmt.rate(N)} events through one sidecar (TOLLGATE_HEAP_GROWING_PERCENT ${heap === undefined || heap === '' ? 'unset: the default' : heap})\n\n`);
    process.stdout.write('| round | acknowledged, events/s | sidecar CPU µs/event: main / scan worker / rest | full collections (main thread) |\n|---|---|---|---|\n');
    for (let round = 1; round <= ROUNDS; round++) {
      const majorsBefore = majorCollections(await sidecar.metrics());
      const threadsBefore = threadCpuSeconds(sidecar.pid);
      const started = performance.now();
      const sent = await driver.send(batches, CONCURRENCY);
      const ackedSeconds = (performance.now() - started) / 1000;
      if (sent.accepted !== N) throw new Error(`sidecar accepted ${sent.accepted} of ${N} events (${sent.rejected} rejected)`);
      await sidecar.shippedAtLeast(round * N);
      const threads = threadSplit(sidecar.pid, threadsBefore, threadCpuSeconds(sidecar.pid));
      const majors = majorCollections(await sidecar.metrics()) - majorsBefore;
      const us = (seconds: number) => ((seconds * 1e6) / N).toFixed(2);
      process.stdout.write(`| ${round} | ${fmt.rate(N / ackedSeconds)} | ${us(threads.main)} / ${us(threads.busiest)} / ${us(threads.rest)} | ${majors} |\n`);
    }
  } finally {
    driver.close();
    await sidecar.stop();
    await server?.destroy();
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`bench:ingest:steady failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
