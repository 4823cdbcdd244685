import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisServer } from '../../tests/harness/redis.js';
import { benchCheckRequest } from './check-h2load.js';
import { checkPath, framedCheckRequest, grpcRequestHeaders } from './grpc-frame.js';
import { ensureH2load, runH2load } from './h2load.js';
import { scrapeCounters } from './metrics.js';
import { fmt } from './table.js';
import { startNoopTarget, startSidecarTarget, type Target } from './targets.js';

/**
 * `npm run bench:check:gc -- [rate] [seconds]`: what V8's garbage collector does to each server during the
 * "p99 at half rate" measurement of bench:check. Each server runs with --trace-gc-nvp; it first gets 5 s at full
 * speed (as the max-throughput rounds before the fixed-rate ones), then `rate` req/s for `seconds` on 10 connections
 * (the fixed-rate shape), and the collections of that second run are summed. A diagnostic, not a benchmark: one run
 * per server, no interleaving. Default: 16,000 req/s for 5 s.
 */
const [rate = 16_000, seconds = 5] = process.argv.slice(2).map(Number);
const gcFlags = ['--trace-gc', '--trace-gc-nvp'];

interface Collection {
  kind: string;
  pauseMs: number;
  promotedBytes: number;
  weakReferencesMs: number;
  externalStringsMs: number;
}

/** The `gc=… pause=… promoted=…` lines that --trace-gc-nvp prints, one per collection. */
function parseNvp(text: string): Collection[] {
  const collections: Collection[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes(' gc=')) continue;
    const field = (name: string) => Number(new RegExp(`[ \\t]${name.replace('.', '\\.')}=([\\d.]+)`).exec(line)?.[1] ?? 0);
    collections.push({
      kind: /[ \t]gc=(\w+)/.exec(line)![1]!,
      pauseMs: field('pause'),
      promotedBytes: field('promoted'),
      weakReferencesMs: field('clear.weak_references'),
      externalStringsMs: field('clear.external_string_table'),
    });
  }
  return collections;
}

async function traceOne(target: Target, bodyFile: string, workDir: string): Promise<string> {
  const load = { url: `http://${target.grpcAddress}${checkPath}`, bodyFile, headers: grpcRequestHeaders, warmUpS: 1 };
  await runH2load({ ...load, connections: 4, streamsPerConnection: 16, durationS: 5 }, workDir);
  const counters = ['tollgate_decisions_total', 'tollgate_lease_hits_total'];
  const before = target.metricsUrl ? await scrapeCounters(target.metricsUrl, counters) : undefined;
  const stopTap = target.tap!();
  const result = await runH2load({ ...load, connections: 10, streamsPerConnection: 16, durationS: seconds, ratePerConnection: Math.round(rate / 10) }, workDir);
  const collections = parseNvp(stopTap());
  const after = target.metricsUrl ? await scrapeCounters(target.metricsUrl, counters) : undefined;
  const scavenges = collections.filter((c) => c.kind === 's');
  const fulls = collections.filter((c) => c.kind === 'mc');
  const longest = fulls.reduce<Collection | undefined>((a, c) => (!a || c.pauseMs > a.pauseMs ? c : a), undefined);
  const sum = (cs: Collection[], f: (c: Collection) => number) => cs.reduce((n, c) => n + f(c), 0);
  const leaseMisses = before && after ? ` | ${fmt.rate(after.tollgate_decisions_total! - before.tollgate_decisions_total! - (after.tollgate_lease_hits_total! - before.tollgate_lease_hits_total!))} decisions waited for Redis` : '';
  return [
    `${target.label}: p50 ${fmt.ms(result.p50Ms)} ms, p99 ${fmt.ms(result.p99Ms)} ms`,
    `  scavenges ${scavenges.length} (pauses ${sum(scavenges, (c) => c.pauseMs).toFixed(1)} ms in all, longest ${Math.max(0, ...scavenges.map((c) => c.pauseMs)).toFixed(1)} ms), promoted ${(sum(scavenges, (c) => c.promotedBytes) / 1e6).toFixed(1)} MB`,
    `  mark-compacts ${fulls.length} (pauses ${sum(fulls, (c) => c.pauseMs).toFixed(1)} ms in all` +
      (longest ? `, longest ${longest.pauseMs.toFixed(1)} ms: clearing weak references ${longest.weakReferencesMs.toFixed(1)} ms, external strings ${longest.externalStringsMs.toFixed(1)} ms)` : ')') +
      leaseMisses,
  ].join('\n');
}

async function main(): Promise<void> {
  ensureH2load();
  const workDir = mkdtempSync(join(tmpdir(), 'tollgate-gc-trace-'));
  const redis = await RedisServer.start();
  try {
    const bodyFile = join(workDir, 'check-request.bin');
    writeFileSync(bodyFile, framedCheckRequest(benchCheckRequest));
    console.log(`GC during Check at ${fmt.rate(rate)} req/s for ${seconds} s (10 connections), after 5 s at full speed (4 × 16 streams)`);
    const starts = [
      () => startNoopTarget('no-op grpc-js server', 'grpc-js', gcFlags),
      () => startNoopTarget('no-op node:http2 server', 'http2', gcFlags),
      () => startSidecarTarget('tollgate sidecar', redis.url, gcFlags),
    ];
    for (const start of starts) {
      const target = await start();
      try {
        console.log(await traceOne(target, bodyFile, workDir));
      } finally {
        await target.stop();
      }
    }
  } finally {
    await redis.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
