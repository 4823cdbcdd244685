import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDebianPackage } from '../../tests/harness/debian.js';
import { percentileOfSorted } from './stats.js';

const run = promisify(execFile);

export interface H2loadLoad {
  url: string;
  bodyFile: string;
  headers: string[];
  connections: number;
  streamsPerConnection: number;
  durationS: number;
  /** Only for runs as fast as the server answers; fixed-rate runs start on an already warm server. */
  warmUpS: number;
  /** Fixed request rate per connection; absent = as fast as the server answers. */
  ratePerConnection?: number;
}

/**
 * h2load paces --rps with a timer of max(10 ms, 1/rps) per connection and sends every request due at each tick; all
 * connections opened at once tick together, so a fixed rate arrives in bursts of rate/100 every 10 ms. Opening the
 * connections one by one, 10 ms / connections apart (-r 1 --rate-period), spreads their ticks over the 10 ms.
 */
function fixedRateArgs(load: H2loadLoad, ratePerConnection: number): string[] {
  const staggerMs = Math.max(1, Math.round(10 / load.connections));
  return [
    `--rps=${ratePerConnection}`,
    '--rate=1',
    `--rate-period=${staggerMs}ms`,
    `--requests=${Math.round(ratePerConnection * load.connections * load.durationS)}`,
  ];
}

export interface H2loadResult {
  requestsPerSecond: number;
  /** Requests answered during the measurement (h2load leaves the warm-up out). */
  succeeded: number;
  /** Including the warm-up, which ran at the same pace. */
  served: number;
  failed: number;
  /** Response DATA bytes per request: a gRPC reply without a message (an error) would show 0. */
  dataBytesPerRequest: number;
  /** From h2load's per-request log: "time for request", first byte sent to end of response. */
  p50Ms: number;
  p99Ms: number;
}

export function ensureH2load(): void {
  ensureDebianPackage('h2load', 'nghttp2-client');
}

/** One h2load run. The summary gives throughput; percentiles come from --log-file, since h2load prints none. */
export async function runH2load(load: H2loadLoad, workDir: string): Promise<H2loadResult> {
  const logFile = join(workDir, `h2load-${process.hrtime.bigint()}.log`);
  const args = [
    '--threads=1',
    `--clients=${load.connections}`,
    `--max-concurrent-streams=${load.streamsPerConnection}`,
    ...(load.ratePerConnection ? fixedRateArgs(load, load.ratePerConnection) : [`--duration=${load.durationS}`, `--warm-up-time=${load.warmUpS}`]),
    `--data=${load.bodyFile}`,
    ...load.headers.map((h) => `--header=${h}`),
    `--log-file=${logFile}`,
    load.url,
  ];
  const { stdout } = await run('h2load', args, { maxBuffer: 16 * 1024 * 1024 });
  const summary = parseH2loadSummary(stdout);
  const latencies = parseRequestLog(await readFile(logFile, 'utf8'));
  await rm(logFile, { force: true });
  const warmUpS = load.ratePerConnection ? 0 : load.warmUpS;
  return {
    ...summary,
    served: (summary.succeeded * (warmUpS + load.durationS)) / load.durationS,
    p50Ms: percentileOfSorted(latencies, 50) / 1000,
    p99Ms: percentileOfSorted(latencies, 99) / 1000,
  };
}

/** The lines we rely on: "finished in 3.00s, 33333.33 req/s, …", "requests: … N succeeded, N failed", "traffic: … (N) data". */
export function parseH2loadSummary(stdout: string): Omit<H2loadResult, 'p50Ms' | 'p99Ms' | 'served'> {
  const finished = /^finished in [\d.]+\w*s?, ([\d.]+) req\/s/m.exec(stdout);
  const requests = /^requests: .*?(\d+) succeeded, (\d+) failed/m.exec(stdout);
  const traffic = /^traffic: .*\((\d+)\) data/m.exec(stdout);
  if (!finished || !requests || !traffic) throw new Error(`unexpected h2load output:\n${stdout}`);
  const succeeded = Number(requests[1]);
  return {
    requestsPerSecond: Number(finished[1]),
    succeeded,
    failed: Number(requests[2]),
    dataBytesPerRequest: succeeded ? Number(traffic[1]) / succeeded : 0,
  };
}

/** Microseconds per request from the log's third column, sorted ascending. */
export function parseRequestLog(text: string): Float64Array {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const values = new Float64Array(lines.length);
  lines.forEach((line, i) => {
    values[i] = Number(line.split('\t')[2]);
  });
  return values.sort();
}
