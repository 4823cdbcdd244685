/**
 * npm run bench:ledger:cpu — where rating's time goes: CPU per aggregate of Node (this process, every thread) and of
 * Postgres (the private server's postmaster and every backend, read while the connections are open), and wall time,
 * for rating N hourly aggregates into a fresh database, as bench:ledger's rating row does. Medians of the rounds.
 * Not a comparison with a baseline: bench:ledger is that; this explains it.
 *
 * BENCH_LEDGER_ROWS (default 100000), BENCH_LEDGER_ROUNDS (default 5), BENCH_LEDGER_SQL (run by the database owner
 * after the migrations, for experiments: e.g. `DROP INDEX postings_usage_line_key`).
 */
import { createLogger } from '../../common/log.js';
import { openDatabase } from '../../ledger-service/src/adapters/database.js';
import { applyMigrations } from '../../ledger-service/src/adapters/migrations.js';
import { plansOf, type LedgerContext } from '../../ledger-service/src/app/context.js';
import { rateUsage } from '../../ledger-service/src/app/rating.js';
import { createTenant } from '../../ledger-service/src/app/tenants.js';
import { createDatabase, PostgresServer } from '../../tests/harness/postgres.js';
import { childPids, pidWithCommandLine, processCpuSeconds } from '../check/process-cpu.js';
import { median } from '../check/stats.js';
import { formatTable } from '../check/table.js';
import { ANCHOR, benchConfig, hourlyAggregates, memoryReader, NOW, tenantIds } from './workload.js';

const N = Number(process.env.BENCH_LEDGER_ROWS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_LEDGER_ROUNDS ?? 5);
const config = benchConfig();
const EXPERIMENT_SQL = process.env.BENCH_LEDGER_SQL;

/** The postmaster whose command line names `dir`, and its children (the backends and background processes). */
function serverPids(dir: string): number[] {
  const postmaster = pidWithCommandLine(dir);
  if (postmaster === undefined) throw new Error(`no postgres process for ${dir}`);
  return [postmaster, ...childPids(postmaster)];
}

function postgresCpuSeconds(dir: string): number {
  return serverPids(dir).reduce((sum, pid) => sum + (processCpuSeconds(pid) ?? 0), 0);
}

/** Microseconds per aggregate. */
interface CpuSplit {
  wall: number;
  node: number;
  postgres: number;
}

async function round(pg: PostgresServer): Promise<CpuSplit> {
  const url = await createDatabase(pg.url, 'bench_ledger_cpu');
  const owner = await openDatabase({ url });
  await applyMigrations(owner, config.ledger.database.service_role);
  if (EXPERIMENT_SQL) await owner.exec(EXPERIMENT_SQL);
  await owner.close();
  const db = await openDatabase({ url }, { role: config.ledger.database.service_role, poolSize: 4 });
  const ctx: LedgerContext = { db, config, plans: plansOf(config), clock: () => NOW, logger: createLogger('bench-ledger', 'silent'), snapshots: { tenantsChanged: async () => undefined } };
  try {
    const rows = hourlyAggregates(N, 100);
    for (const tenantId of tenantIds(rows)) await createTenant(ctx, { tenantId, planId: 'bench', billingAnchor: ANCHOR });
    const node = process.cpuUsage();
    const postgres = postgresCpuSeconds(pg.dir);
    const started = performance.now();
    const run = await rateUsage(ctx, memoryReader(rows), { now: NOW });
    const wall = (performance.now() - started) / 1000;
    const nodeUsed = process.cpuUsage(node);
    const postgresUsed = postgresCpuSeconds(pg.dir) - postgres; // before the backends exit with their connections
    if (run.usageLines !== N) throw new Error(`rating wrote ${run.usageLines} usage lines for ${N} aggregates`);
    return { wall: (wall * 1e6) / N, node: (nodeUsed.user + nodeUsed.system) / N, postgres: (postgresUsed * 1e6) / N };
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  const pg = await PostgresServer.start({ durable: true });
  try {
    const rounds: CpuSplit[] = [];
    for (let i = 1; i <= ROUNDS; i++) {
      const r = await round(pg);
      rounds.push(r);
      process.stderr.write(`round ${i}/${ROUNDS}: wall ${r.wall.toFixed(1)} µs, Node ${r.node.toFixed(1)} µs, Postgres ${r.postgres.toFixed(1)} µs per aggregate\n`);
    }
    const m = (f: (r: CpuSplit) => number) => `${median(rounds.map(f)).toFixed(1)} µs`;
    process.stdout.write(
      `\nbench:ledger:cpu — rating ${N.toLocaleString('en-US')} hourly aggregates, Postgres 15 (private, fsync on), medians of ${ROUNDS} rounds` +
        `${EXPERIMENT_SQL ? `, after: ${EXPERIMENT_SQL}` : ''}\n\n` +
        `${formatTable([
          { measurement: 'wall time per aggregate', baseline: '', tollgate: m((r) => r.wall), comparison: '', target: '' },
          { measurement: 'Node CPU per aggregate (pricing, hashing, encoding, pg client)', baseline: '', tollgate: m((r) => r.node), comparison: '', target: '' },
          { measurement: 'Postgres CPU per aggregate (COPY, indexes, checks, commit)', baseline: '', tollgate: m((r) => r.postgres), comparison: '', target: '' },
        ])}\n`,
    );
  } finally {
    await pg.destroy();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:ledger:cpu failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
