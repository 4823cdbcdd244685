import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisServer } from '../../tests/harness/redis.js';
import { compareBatch } from './batch-throughput.js';
import { compareCheck } from './check-h2load.js';
import { ensureH2load } from './h2load.js';
import { leaseSettings } from './bench-catalog.js';
import { hotKeyOverAdmission } from './hot-key.js';
import { batchSections, checkSection, failedSection, header, hotKeySection, type Section } from './report.js';
import { formatTable } from './table.js';
import { startNoopTarget, startSidecarTarget, type Target } from './targets.js';

/**
 * `npm run bench:check`: the sidecar's decision path against baselines measured in the same run; one table.
 *   --stand-in  put a second no-op server where the sidecar goes (to exercise the harness itself)
 *   --quick     shorter runs, for working on the harness; numbers are noisier
 */
const flags = new Set(process.argv.slice(2));
const standIn = flags.has('--stand-in');
const quick = flags.has('--quick');

const checkShape = { connections: 4, streamsPerConnection: 16, fixedRateConnections: 10, durationS: quick ? 1 : 2, warmUpS: 1, rounds: quick ? 1 : 5 };
const batchShape = {
  itemsPerCall: 100,
  connections: 4,
  streamLevels: [8, 16, 32],
  consumeLevels: [100, 400, 800, 1600],
  durationS: quick ? 1 : 2,
  warmUpS: 1,
  rounds: quick ? 1 : 3,
};
const hotKeyShape = { callsInFlight: 64, durationS: quick ? 2 : 4, settleMs: 2 * leaseSettings.ttl_ms + 500 };

async function main(): Promise<void> {
  ensureH2load();
  const workDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-check-'));
  const started: { stop(): Promise<void> }[] = [];
  const startedAt = Date.now();
  const loadAtStart = loadavg()[0];
  try {
    const redis = await RedisServer.start();
    started.push(redis);
    const baseline = await startNoopTarget('no-op grpc-js server');
    started.push(baseline);
    const reference = await startNoopTarget('no-op node:http2 server', 'http2');
    started.push(reference);
    const tollgate: Target = standIn ? await startNoopTarget('no-op stand-in') : await startSidecarTarget('tollgate sidecar', redis.url);
    started.push(tollgate);

    const sections: Section[] = [];
    const measure = async (part: string, run: () => Promise<Section>) => {
      log(part);
      sections.push(await run().catch((err: unknown) => failedSection(part, err)));
    };
    await measure(`Check over h2load -c${checkShape.connections} -m${checkShape.streamsPerConnection}, ${checkShape.rounds} rounds of ${checkShape.durationS} s per side and load`, async () =>
      checkSection(await compareCheck(baseline, tollgate, checkShape, workDir, reference)),
    );
    await measure(`CheckBatch ×${batchShape.itemsPerCall} vs rate-limiter-flexible, uniform and zipf keys, ${batchShape.rounds} rounds of ${batchShape.durationS} s`, async () =>
      batchSections([
        await compareBatch(tollgate.grpcAddress, tollgate.metricsUrl, redis.url, batchShape, 'uniform'),
        await compareBatch(tollgate.grpcAddress, tollgate.metricsUrl, redis.url, batchShape, 'zipf'),
      ]),
    );
    const metricsUrl = tollgate.metricsUrl;
    if (metricsUrl) {
      await measure(`hot key, ${hotKeyShape.callsInFlight} Check calls in flight for ${hotKeyShape.durationS} s`, async () => {
        // The batch rows leave a lease on each of their 1,000 keys; the sidecar returns them to Redis once they
        // expire (one script call each). Let that happen first, or those calls land in the hot key's round trips.
        await new Promise((resolve) => setTimeout(resolve, hotKeyShape.settleMs));
        return hotKeySection(await hotKeyOverAdmission(tollgate.grpcAddress, metricsUrl, hotKeyShape));
      });
    }

    const elapsedS = (Date.now() - startedAt) / 1000;
    const table = formatTable(sections.flatMap((s) => s.rows));
    const notes = sections.flatMap((s) => s.notes).join('\n');
    process.stdout.write(`\n${header({ quick, standIn, elapsedS, loadAtStart })}\n\n${table}\n\n${notes}\n`);
  } finally {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  }
}

function log(message: string): void {
  process.stderr.write(`bench:check ${message}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:check failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
