/**
 * npm run bench:ledger — rating throughput and invoice preview latency.
 *
 * 1. Baseline: raw `\copy` of N postings (TabSeparated, through psql) into a plain table shaped like the ledger's
 *    postings, in the same Postgres. Tollgate: rating N hourly usage aggregates through the service — pricing,
 *    idempotency keys and input hashes, hash chain, accounts, transactions and postings (a usage line per aggregate,
 *    with its unique key), the database's checks at COMMIT. Fresh databases each round; rounds interleaved; medians.
 *    Target: ≥ 0.3× the raw rows/s.
 * 2. Invoice preview for a tenant with 1M raw usage events in the period, stored in ClickHouse and rated from there.
 *    Baseline: the naive preview, summing the period's raw events in ClickHouse per feature. Tollgate: PreviewInvoice,
 *    which reads the ledger's usage lines — one per feature and hour, whatever the number of events.
 *
 * BENCH_LEDGER_ROWS (default 100000), BENCH_LEDGER_ROUNDS (default 3), BENCH_LEDGER_EVENTS (default 1000000),
 * BENCH_LEDGER_PREVIEWS (default 200), DATABASE_URL (else a private Postgres 15), CLICKHOUSE_URL (else a private
 * clickhouse-server).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../common/log.js';
import { openDatabase } from '../../ledger-service/src/adapters/database.js';
import { applyMigrations } from '../../ledger-service/src/adapters/migrations.js';
import { plansOf, type LedgerContext } from '../../ledger-service/src/app/context.js';
import { previewInvoice } from '../../ledger-service/src/app/invoices.js';
import { rateUsage } from '../../ledger-service/src/app/rating.js';
import { createTenant } from '../../ledger-service/src/app/tenants.js';
import { ClickHouseServer } from '../../tests/harness/clickhouse.js';
import { createDatabase, PostgresServer } from '../../tests/harness/postgres.js';
import { median, percentileOfSorted } from '../check/stats.js';
import { fmt, formatTable, type Row } from '../check/table.js';
import { EVENT_DAYS, storeWithEvents } from './preview.js';
import { rawCopySeconds } from './raw-copy.js';
import { ANCHOR, benchConfig, FEATURES, hourlyAggregates, memoryReader, NOW, tenantIds } from './workload.js';

const N = Number(process.env.BENCH_LEDGER_ROWS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_LEDGER_ROUNDS ?? 3);
const EVENTS = Number(process.env.BENCH_LEDGER_EVENTS ?? 1_000_000);
const PREVIEWS = Number(process.env.BENCH_LEDGER_PREVIEWS ?? 200);
const TENANTS = 100;

const config = benchConfig();
const logger = createLogger('bench-ledger', 'silent');

async function openLedger(serverUrl: string): Promise<{ ctx: LedgerContext; close: () => Promise<void> }> {
  const url = await createDatabase(serverUrl, 'bench_ledger');
  const owner = await openDatabase({ url });
  await applyMigrations(owner, config.ledger.database.service_role);
  await owner.close();
  const db = await openDatabase({ url }, { role: config.ledger.database.service_role, poolSize: 4 });
  const ctx: LedgerContext = { db, config, plans: plansOf(config), clock: () => NOW, logger, snapshots: { tenantsChanged: async () => undefined } };
  return { ctx, close: () => db.close() };
}

function percentiles(samplesMs: number[]): { p50: number; p99: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { p50: percentileOfSorted(sorted, 50), p99: percentileOfSorted(sorted, 99) };
}

async function ratingRounds(serverUrl: string, dir: string): Promise<Row[]> {
  const rows = hourlyAggregates(N, TENANTS);
  const raw: number[] = [];
  const rated: number[] = [];
  const rerun: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const rawUrl = await createDatabase(serverUrl, 'bench_raw');
    raw.push(N / rawCopySeconds(rawUrl, N, dir));

    const ledger = await openLedger(serverUrl);
    for (const tenantId of tenantIds(rows)) await createTenant(ledger.ctx, { tenantId, planId: 'bench', billingAnchor: ANCHOR });
    const started = performance.now();
    const run = await rateUsage(ledger.ctx, memoryReader(rows), { now: NOW });
    const seconds = (performance.now() - started) / 1000;
    const [{ lines }] = await ledger.ctx.db.query<{ lines: string }>('SELECT count(*) AS lines FROM postings WHERE revision IS NOT NULL');
    if (Number(lines) !== N) throw new Error(`rating wrote ${lines} usage lines for ${N} aggregates (${run.written} transactions)`);
    rated.push(N / seconds);
    const again = performance.now();
    if ((await rateUsage(ledger.ctx, memoryReader(rows), { now: NOW })).written !== 0) throw new Error('re-rating wrote something');
    rerun.push(N / ((performance.now() - again) / 1000));
    await ledger.close();
    process.stderr.write(`round ${round + 1}/${ROUNDS}: raw COPY ${fmt.rate(raw[round])} rows/s, rating ${fmt.rate(rated[round])} aggregates/s\n`);
  }
  const ratio = median(rated) / median(raw);
  return [
    {
      measurement: `rows/s: raw COPY of ${N.toLocaleString('en-US')} postings vs rating ${N.toLocaleString('en-US')} hourly aggregates`,
      baseline: fmt.rate(median(raw)),
      tollgate: fmt.rate(median(rated)),
      comparison: fmt.ratio(ratio),
      target: '≥ 0.30×',
      pass: ratio >= 0.3,
    },
    {
      measurement: 'aggregates/s: re-rating the same usage (writes nothing)',
      baseline: '—',
      tollgate: fmt.rate(median(rerun)),
      comparison: '—',
      target: 'writes 0',
      pass: true,
    },
  ];
}

async function previewRows(serverUrl: string): Promise<Row[]> {
  let ch: ClickHouseServer | undefined;
  const url = process.env.CLICKHOUSE_URL ?? (ch = await ClickHouseServer.start()).url;
  const { store, reader } = await storeWithEvents(url, 'big', EVENTS);
  const ledger = await openLedger(serverUrl);
  try {
    await createTenant(ledger.ctx, { tenantId: 'big', planId: 'bench', billingAnchor: ANCHOR });
    const started = performance.now();
    const run = await rateUsage(ledger.ctx, reader, { now: NOW });
    const ratingSeconds = (performance.now() - started) / 1000;

    const periodEnd = new Date('2026-04-01T00:00:00Z');
    const naive: number[] = [];
    for (let i = 0; i < Math.max(10, Math.floor(PREVIEWS / 10)); i++) {
      const t = performance.now();
      for (const featureId of FEATURES) await reader.total({ tenantId: 'big', featureId, from: ANCHOR, to: periodEnd });
      naive.push(performance.now() - t);
    }
    const previews: number[] = [];
    let lines = 0;
    for (let i = 0; i < PREVIEWS; i++) {
      const t = performance.now();
      const preview = await previewInvoice(ledger.ctx, 'big');
      previews.push(performance.now() - t);
      lines = preview.lines.length;
    }
    const [n, p] = [percentiles(naive), percentiles(previews)];
    return [
      {
        measurement: `rating ${EVENTS.toLocaleString('en-US')} events (${run.usageRows.toLocaleString('en-US')} hourly aggregates) from ClickHouse`,
        baseline: '—',
        tollgate: `${ratingSeconds.toFixed(2)} s`,
        comparison: `${run.written} transactions, ${run.usageLines} lines`,
        target: '—',
      },
      {
        measurement: `invoice preview p50, tenant with ${EVENTS.toLocaleString('en-US')} events in the period (${lines} lines)`,
        baseline: `${fmt.ms(n.p50)} ms`,
        tollgate: `${fmt.ms(p.p50)} ms`,
        comparison: fmt.ratio(n.p50 / p.p50),
        target: 'report',
      },
      {
        measurement: 'invoice preview p99',
        baseline: `${fmt.ms(n.p99)} ms`,
        tollgate: `${fmt.ms(p.p99)} ms`,
        comparison: fmt.ratio(n.p99 / p.p99),
        target: 'report',
      },
    ];
  } finally {
    await ledger.close();
    await store.exec(`DROP DATABASE IF EXISTS ${store.database}`).catch(() => undefined);
    await store.close();
    await ch?.destroy();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-ledger-'));
  const pg = process.env.DATABASE_URL ? undefined : await PostgresServer.start({ durable: true });
  const serverUrl = process.env.DATABASE_URL ?? pg!.url;
  try {
    const rows = [...(await ratingRounds(serverUrl, dir)), ...(await previewRows(serverUrl))];
    process.stdout.write(
      `\nbench:ledger — ${cpus().length} CPUs, Postgres 15 (${pg ? 'private, fsync on' : 'DATABASE_URL'}), N=${N}, ${ROUNDS} rounds (medians), ` +
        `${EVENTS} events over ${EVENT_DAYS} days × ${FEATURES.length} features, ${PREVIEWS} previews\n\n${formatTable(rows)}\n`,
    );
    if (rows.some((r) => r.pass === false)) process.exitCode = 1;
  } finally {
    await pg?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:ledger failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
