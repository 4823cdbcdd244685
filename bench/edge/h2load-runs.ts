import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseH2loadSummary, parseRequestLog } from '../check/h2load.js';
import { percentileOfSorted } from '../check/stats.js';

const run = promisify(execFile);

export interface LoadShape {
  connections: number;
  /** Streams per connection (HTTP/2) — 1 for HTTP/1.1. */
  streams: number;
  durationS: number;
  warmUpS: number;
  /** Requests per second per connection; absent = as fast as answered. */
  ratePerConnection?: number;
}

export interface RunResult {
  requestsPerSecond: number;
  succeeded: number;
  /** Including the warm-up (h2load leaves it out of `succeeded`), which runs at the same pace. */
  served: number;
  failed: number;
  non2xx: number;
  dataBytesPerRequest: number;
  p50Ms: number;
  p99Ms: number;
}

/** One h2load run: HTTP/1.1 GETs (`http1`) or HTTP/2 gRPC POSTs of a framed body. */
export async function h2load(url: string, shape: LoadShape, workDir: string, request: { http1: true; headers: string[] } | { http1: false; headers: string[]; body: Buffer }): Promise<RunResult> {
  const tag = process.hrtime.bigint();
  const logFile = join(workDir, `h2load-${tag}.log`);
  const args = [
    '--threads=1',
    `--clients=${shape.connections}`,
    `--max-concurrent-streams=${shape.streams}`,
    `--duration=${shape.durationS}`,
    `--warm-up-time=${shape.warmUpS}`,
    `--log-file=${logFile}`,
    ...request.headers.map((h) => `--header=${h}`),
    ...(shape.ratePerConnection ? [`--rps=${shape.ratePerConnection}`] : []),
  ];
  let bodyFile: string | undefined;
  if (request.http1) args.push('--h1');
  else {
    bodyFile = join(workDir, `body-${tag}.bin`);
    await writeFile(bodyFile, request.body);
    args.push(`--data=${bodyFile}`);
  }
  args.push(url);
  const { stdout } = await run('h2load', args, { maxBuffer: 16 * 1024 * 1024 });
  const summary = parseH2loadSummary(stdout);
  const status = /^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/m.exec(stdout);
  const latencies = parseRequestLog(await readFile(logFile, 'utf8'));
  await rm(logFile, { force: true });
  if (bodyFile) await rm(bodyFile, { force: true });
  return {
    ...summary,
    served: (summary.succeeded * (shape.warmUpS + shape.durationS)) / shape.durationS,
    non2xx: status ? Number(status[2]) + Number(status[3]) + Number(status[4]) : 0,
    p50Ms: percentileOfSorted(latencies, 50) / 1000,
    p99Ms: percentileOfSorted(latencies, 99) / 1000,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
