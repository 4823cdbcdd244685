import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckRequest } from '../../proto/gen/tollgate/v1/CheckRequest.js';
import { checkPath, framedCheckRequest, grpcRequestHeaders } from './grpc-frame.js';
import { runH2load, type H2loadResult } from './h2load.js';
import { perDecision, roundTripCounters, scrapeCounters } from './metrics.js';
import { QuotaClient } from './quota-client.js';
import { processCpuSeconds } from './process-cpu.js';
import { median } from './stats.js';
import type { Target } from './targets.js';

export interface CheckLoadShape {
  connections: number;
  streamsPerConnection: number;
  /** Connections of the fixed-rate runs: more of them, opened 1 ms apart, make h2load's pacing less bursty. */
  fixedRateConnections: number;
  durationS: number;
  warmUpS: number;
  rounds: number;
}

export interface SideResult {
  maxRps: number;
  /** At the fixed rate. */
  p50Ms: number;
  p99Ms: number;
  /** One call at a time on one connection: the latency of a decision without any queueing. */
  serialP50Ms: number;
  serialP99Ms: number;
  /** Server CPU (all threads) per request during the fixed-rate runs, µs; undefined without /proc. */
  cpuUsPerRequest?: number;
}

export interface CheckComparison {
  shape: CheckLoadShape;
  /** Total request rate of the latency runs: half the baseline's median maximum. */
  fixedRate: number;
  baseline: SideResult;
  tollgate: SideResult;
  /** tollgate/baseline max throughput of each interleaved round, to show the spread behind the median. */
  roundThroughputRatios: number[];
  /** Max throughput of the plain node:http2 no-op (the fast path's transport without a decision), when measured. */
  referenceMaxRps?: number;
  /** Redis round trips per decision on the sidecar during the maximum-throughput runs (one hot key, all allowed). */
  roundTripsPerDecision?: number;
}

export const benchCheckRequest: CheckRequest = { tenantId: 't000', featureId: 'check', cost: 1, dryRun: false };

/** A real call first: h2load sees only HTTP status 200, not grpc-status, so make sure the answer is a decision. */
async function expectAllowed(target: Target): Promise<void> {
  const client = new QuotaClient(target.grpcAddress);
  try {
    const response = await client.check(benchCheckRequest);
    if (!response.allowed) throw new Error(`${target.label}: the benchmark request was not allowed (${response.reason})`);
  } finally {
    client.close();
  }
}

function assertAnswered(label: string, result: H2loadResult): void {
  if (result.failed > 0 || result.succeeded === 0) throw new Error(`${label}: h2load saw ${result.failed} failed of ${result.succeeded + result.failed}`);
  // A gRPC error reply carries no message; a decision is at least the 5-byte frame prefix plus fields.
  if (result.dataBytesPerRequest < 6) throw new Error(`${label}: responses carry ${result.dataBytesPerRequest} data bytes: gRPC errors, not decisions`);
}

/**
 * Both servers under identical h2load load, rounds interleaved (A B, B A, …) so drift hits both alike: first
 * as fast as they answer, then at half the baseline's maximum, where latency is read, then one call at a time.
 *
 * h2load paces --rps with a timer of at least 10 ms (nghttp2: repeat = max(0.01, 1/rps)) and sends everything due
 * at each tick, so even with staggered connections the fixed-rate runs arrive in small bursts and their latency
 * includes draining them. The one-at-a-time runs show the latency of a decision without any queueing.
 */
export async function compareCheck(baseline: Target, tollgate: Target, shape: CheckLoadShape, workDir: string, reference?: Target): Promise<CheckComparison> {
  await Promise.all([expectAllowed(baseline), expectAllowed(tollgate), ...(reference ? [expectAllowed(reference)] : [])]);
  const bodyFile = join(workDir, 'check-request.bin');
  writeFileSync(bodyFile, framedCheckRequest(benchCheckRequest));
  const load = (target: Target, ratePerConnection?: number, serial = false) =>
    runH2load(
      {
        url: `http://${target.grpcAddress}${checkPath}`,
        bodyFile,
        headers: grpcRequestHeaders,
        connections: serial ? 1 : ratePerConnection ? shape.fixedRateConnections : shape.connections,
        streamsPerConnection: serial ? 1 : shape.streamsPerConnection,
        durationS: shape.durationS,
        warmUpS: shape.warmUpS,
        ratePerConnection,
      },
      workDir,
    ).then((result) => {
      assertAnswered(target.label, result);
      return result;
    });
  const interleaved = async (ratePerConnection?: number, serial = false, withReference = false) => {
    const runs = { baseline: [] as H2loadResult[], tollgate: [] as H2loadResult[], reference: [] as H2loadResult[] };
    const cpuUsPerRequest = { baseline: [] as number[], tollgate: [] as number[], reference: [] as number[] };
    const targets = { baseline, tollgate, reference };
    for (let round = 0; round < shape.rounds; round++) {
      const order = round % 2 === 0 ? (['baseline', 'tollgate'] as const) : (['tollgate', 'baseline'] as const);
      const sides: Array<'baseline' | 'tollgate' | 'reference'> = withReference && reference ? [...order, 'reference'] : [...order];
      for (const side of sides) {
        const target = targets[side]!;
        const cpuBefore = processCpuSeconds(target.pid);
        const result = await load(target, ratePerConnection, serial);
        const cpuAfter = processCpuSeconds(target.pid);
        runs[side].push(result);
        if (cpuBefore !== undefined && cpuAfter !== undefined) cpuUsPerRequest[side].push(((cpuAfter - cpuBefore) / result.served) * 1e6);
      }
    }
    return { ...runs, cpuUsPerRequest };
  };

  const countersBefore = tollgate.metricsUrl ? await scrapeCounters(tollgate.metricsUrl, roundTripCounters) : undefined;
  const max = await interleaved(undefined, false, true);
  const countersAfter = tollgate.metricsUrl ? await scrapeCounters(tollgate.metricsUrl, roundTripCounters) : undefined;
  const baselineMax = median(max.baseline.map((r) => r.requestsPerSecond));
  const ratePerConnection = Math.max(1, Math.round(baselineMax / 2 / shape.fixedRateConnections));
  const fixed = await interleaved(ratePerConnection);
  const serial = await interleaved(undefined, true);

  const cpuPerRequest = (key: 'baseline' | 'tollgate') => (fixed.cpuUsPerRequest[key].length === shape.rounds ? median(fixed.cpuUsPerRequest[key]) : undefined);
  const side = (key: 'baseline' | 'tollgate'): SideResult => ({
    maxRps: median(max[key].map((r) => r.requestsPerSecond)),
    p50Ms: median(fixed[key].map((r) => r.p50Ms)),
    p99Ms: median(fixed[key].map((r) => r.p99Ms)),
    serialP50Ms: median(serial[key].map((r) => r.p50Ms)),
    serialP99Ms: median(serial[key].map((r) => r.p99Ms)),
    cpuUsPerRequest: cpuPerRequest(key),
  });
  return {
    shape,
    fixedRate: ratePerConnection * shape.fixedRateConnections,
    baseline: side('baseline'),
    tollgate: side('tollgate'),
    roundThroughputRatios: max.tollgate.map((t, i) => t.requestsPerSecond / max.baseline[i].requestsPerSecond),
    referenceMaxRps: max.reference.length > 0 ? median(max.reference.map((r) => r.requestsPerSecond)) : undefined,
    roundTripsPerDecision: countersBefore && countersAfter ? perDecision(countersBefore, countersAfter) : undefined,
  };
}
