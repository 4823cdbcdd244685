import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../common/paths.js';
import { RedisServer } from '../../tests/harness/redis.js';
import { freePort } from '../../tests/harness/ports.js';
import { ensureH2load } from '../check/h2load.js';
import { processCpuSeconds } from '../check/process-cpu.js';
import { fmt, formatTable, type Row } from '../check/table.js';
import { authorizationService } from '../../sidecar/src/envoy/proto.js';
import { authzCheckPath, framedAuthzRequest } from './authz-frame.js';
import { h2load, median, type LoadShape, type RunResult } from './h2load-runs.js';
import { instructionsPerCall } from './instructions.js';
import { questionLatency } from './question-latency.js';
import { startEdgeStack, type EdgeStack } from './stack.js';
import { timerLateness, type TimerLateness } from './timer-lateness.js';

/**
 * `npm run bench:edge`: one table.
 *  1. The gateway vs the same upstream called directly, at the same offered rate (h2load --h1, fixed rate per
 *     connection): the gateway's added p99 (and p50). Target ≤ 1 ms added at p99. In the same rounds, a do-nothing
 *     Node proxy (minimal-proxy.ts) to the same upstream: what any Node proxy adds on this machine (context).
 *  2. The sidecar's ext_authz Check vs a no-op grpc-js server on the same Envoy proto, both at full speed with
 *     the same connections and streams: throughput ratio. Target ≥ 0.8×.
 * Rounds alternate baseline and Tollgate; medians of rounds are quoted.
 *   --quick  one short round each (for working on the harness)
 *   --instructions  also count the instructions per ext_authz Check of both servers under valgrind (callgrind),
 *                   a measure the machine's other load does not move (~10 minutes more)
 */
const quick = process.argv.includes('--quick');
const countInstructions = process.argv.includes('--instructions');
const rounds = quick ? 1 : 3;
// h2load paces --rps with a timer of at least 10 ms and sends every request due at each tick (see
// bench/check/RESULTS.md): 100/s per connection is one request per connection per tick, so arrivals come in bursts
// of `connections`, not of hundreds.
const proxyShape: LoadShape = { connections: 4, streams: 1, durationS: quick ? 2 : 5, warmUpS: 1, ratePerConnection: 100 };
const sequentialShape: LoadShape = { connections: 1, streams: 1, durationS: quick ? 1 : 3, warmUpS: 1 };
const authzShape: LoadShape = { connections: 4, streams: 16, durationS: quick ? 1 : 3, warmUpS: 1 };

async function main(): Promise<void> {
  ensureH2load();
  const workDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-edge-'));
  const loadAtStart = loadavg()[0];
  let redis: RedisServer | undefined;
  let stack: EdgeStack | undefined;
  try {
    redis = await RedisServer.start();
    stack = await startEdgeStack(redis.url, workDir, { grpc: await freePort(), http: await freePort(), gateway: await freePort(), gatewayMetrics: await freePort() }, { reportUsage: !process.argv.includes('--no-usage') });
    await sanityChecks(stack);
    const idle = await idleCpuMsPerSecond(stack);

    const offered = proxyShape.connections * proxyShape.ratePerConnection!;
    log(`gateway vs direct at ${offered} req/s, ${rounds} round(s) of ${proxyShape.durationS} s each`);
    const auth = [`authorization: Bearer ${stack.apiKey}`];
    const direct: RunResult[] = [];
    const viaGateway: RunResult[] = [];
    const viaMinimal: RunResult[] = [];
    const cpu = { direct: new CpuMeter([stack.pids.upstream]), gateway: new CpuMeter([stack.pids.gateway]), sidecar: new CpuMeter([stack.pids.sidecar]), upstream: new CpuMeter([stack.pids.upstream]), minimal: new CpuMeter([stack.pids.minimalProxy]) };
    for (let i = 0; i < rounds; i++) {
      direct.push(await cpu.direct.during(() => h2load(`${stack!.upstreamUrl}/api/items`, proxyShape, workDir, { http1: true, headers: auth })));
      viaGateway.push(await cpu.gateway.during(() => cpu.sidecar.during(() => cpu.upstream.during(() => h2load(`${stack!.gatewayUrl}/api/items`, proxyShape, workDir, { http1: true, headers: auth })))));
      viaMinimal.push(await cpu.minimal.during(() => h2load(`${stack!.minimalProxyUrl}/api/items`, proxyShape, workDir, { http1: true, headers: auth })));
    }

    const sidecarQuestion = await meanSidecarSeconds(stack.gatewayMetricsUrl);
    log(`gateway vs direct, one request at a time, ${rounds} round(s) of ${sequentialShape.durationS} s`);
    const directOne: RunResult[] = [];
    const gatewayOne: RunResult[] = [];
    for (let i = 0; i < rounds; i++) {
      directOne.push(await h2load(`${stack.upstreamUrl}/api/items`, sequentialShape, workDir, { http1: true, headers: auth }));
      gatewayOne.push(await h2load(`${stack.gatewayUrl}/api/items`, sequentialShape, workDir, { http1: true, headers: auth }));
    }
    log(`the gateway's question one at a time, gRPC over HTTP/2 then the local call protocol, ${rounds} round(s) of 2,000 calls each`);
    const questions: Array<Awaited<ReturnType<typeof questionLatency>>> = [];
    for (let i = 0; i < rounds; i++) questions.push(await questionLatency(stack.sidecarSocket, 'bench-tenant', 'api-calls', 2000));
    log(`ext_authz Check at full speed: h2load -c${authzShape.connections} -m${authzShape.streams}, ${rounds} round(s) of ${authzShape.durationS} s`);
    const grpcHeaders = ['content-type: application/grpc', 'te: trailers'];
    const body = framedAuthzRequest('/api/items', stack.apiKey);
    const noop: RunResult[] = [];
    const sidecar: RunResult[] = [];
    const noopOne: RunResult[] = [];
    const sidecarOne: RunResult[] = [];
    for (let i = 0; i < rounds; i++) {
      noop.push(await h2load(`http://${stack.noopAuthz}${authzCheckPath}`, authzShape, workDir, { http1: false, headers: grpcHeaders, body }));
      sidecar.push(await h2load(`http://${stack.sidecarGrpc}${authzCheckPath}`, authzShape, workDir, { http1: false, headers: grpcHeaders, body }));
    }
    for (let i = 0; i < rounds; i++) {
      noopOne.push(await h2load(`http://${stack.noopAuthz}${authzCheckPath}`, sequentialShape, workDir, { http1: false, headers: grpcHeaders, body }));
      sidecarOne.push(await h2load(`http://${stack.sidecarGrpc}${authzCheckPath}`, sequentialShape, workDir, { http1: false, headers: grpcHeaders, body }));
    }

    const m = (runs: RunResult[], pick: (r: RunResult) => number) => median(runs.map(pick));
    const addedP99 = m(viaGateway, (r) => r.p99Ms) - m(direct, (r) => r.p99Ms);
    const addedP50 = m(viaGateway, (r) => r.p50Ms) - m(direct, (r) => r.p50Ms);
    const ratio = m(sidecar, (r) => r.requestsPerSecond) / m(noop, (r) => r.requestsPerSecond);
    const errors = [...direct, ...viaGateway, ...viaMinimal, ...directOne, ...gatewayOne].reduce((n, r) => n + r.failed + r.non2xx, 0) + [...noop, ...sidecar, ...noopOne, ...sidecarOne].reduce((n, r) => n + r.failed, 0);
    const rows: Row[] = [
      { measurement: `p50 at ${offered} req/s`, baseline: `${fmt.ms(m(direct, (r) => r.p50Ms))} ms direct`, tollgate: `${fmt.ms(m(viaGateway, (r) => r.p50Ms))} ms gateway`, comparison: fmt.deltaMs(addedP50), target: 'report' },
      {
        measurement: `p99 at ${offered} req/s`,
        baseline: `${fmt.ms(m(direct, (r) => r.p99Ms))} ms direct`,
        tollgate: `${fmt.ms(m(viaGateway, (r) => r.p99Ms))} ms gateway`,
        comparison: fmt.deltaMs(addedP99),
        target: '≤ +1.000 ms',
        pass: addedP99 <= 1,
      },
      {
        measurement: `p50 / p99 at ${offered} req/s, a do-nothing Node proxy (context)`,
        baseline: `${fmt.ms(m(direct, (r) => r.p50Ms))} / ${fmt.ms(m(direct, (r) => r.p99Ms))} ms direct`,
        tollgate: `${fmt.ms(m(viaMinimal, (r) => r.p50Ms))} / ${fmt.ms(m(viaMinimal, (r) => r.p99Ms))} ms node:http + undici, ${fmt.us(cpu.minimal.perRequest(viaMinimal))} µs CPU/request`,
        comparison: `${fmt.deltaMs(m(viaMinimal, (r) => r.p50Ms) - m(direct, (r) => r.p50Ms))} / ${fmt.deltaMs(m(viaMinimal, (r) => r.p99Ms) - m(direct, (r) => r.p99Ms))}`,
        target: '—',
      },
      {
        measurement: `CPU per request at ${offered} req/s, µs (context)`,
        baseline: `${fmt.us(cpu.direct.perRequest(direct))} upstream`,
        tollgate: `${fmt.us(cpu.gateway.perRequest(viaGateway))} gateway + ${fmt.us(cpu.sidecar.perRequest(viaGateway))} sidecar + ${fmt.us(cpu.upstream.perRequest(viaGateway))} upstream`,
        comparison: `+${fmt.us(cpu.gateway.perRequest(viaGateway) + cpu.sidecar.perRequest(viaGateway) + cpu.upstream.perRequest(viaGateway) - cpu.direct.perRequest(direct))} µs`,
        target: '—',
      },
      {
        measurement: 'idle CPU before any load, ms per second (context)',
        baseline: '—',
        tollgate: `${idle.gateway.toFixed(1)} gateway, ${idle.sidecar.toFixed(1)} sidecar`,
        comparison: '—',
        target: '—',
      },
      {
        measurement: 'a 1 ms timer fires late, idle machine, p99 / p99.9 / max (context: each wake-up of each hop)',
        baseline: '—',
        tollgate: `${fmt.ms(idle.lateness.p99Ms)} / ${fmt.ms(idle.lateness.p999Ms)} / ${fmt.ms(idle.lateness.maxMs)} ms (${idle.lateness.samples} timers)`,
        comparison: '—',
        target: '—',
      },
      {
        measurement: 'ext_authz Check throughput',
        baseline: `${fmt.rate(m(noop, (r) => r.requestsPerSecond))}/s no-op`,
        tollgate: `${fmt.rate(m(sidecar, (r) => r.requestsPerSecond))}/s sidecar`,
        comparison: fmt.ratio(ratio),
        target: '≥ 0.80×',
        pass: ratio >= 0.8,
      },
      {
        measurement: 'p50 / p99, one request at a time',
        baseline: `${fmt.ms(m(directOne, (r) => r.p50Ms))} / ${fmt.ms(m(directOne, (r) => r.p99Ms))} ms direct`,
        tollgate: `${fmt.ms(m(gatewayOne, (r) => r.p50Ms))} / ${fmt.ms(m(gatewayOne, (r) => r.p99Ms))} ms gateway`,
        comparison: `${fmt.deltaMs(m(gatewayOne, (r) => r.p50Ms) - m(directOne, (r) => r.p50Ms))} / ${fmt.deltaMs(m(gatewayOne, (r) => r.p99Ms) - m(directOne, (r) => r.p99Ms))}`,
        target: 'report',
      },
      {
        measurement: "gateway's question, one at a time, p50 / p99 (context)",
        baseline: `${fmt.ms(median(questions.map((q) => q.grpc.p50Ms)))} / ${fmt.ms(median(questions.map((q) => q.grpc.p99Ms)))} ms gRPC (HTTP/2)`,
        tollgate: `${fmt.ms(median(questions.map((q) => q.local.p50Ms)))} / ${fmt.ms(median(questions.map((q) => q.local.p99Ms)))} ms local protocol`,
        comparison: `${fmt.deltaMs(median(questions.map((q) => q.local.p50Ms)) - median(questions.map((q) => q.grpc.p50Ms)))} / ${fmt.deltaMs(median(questions.map((q) => q.local.p99Ms)) - median(questions.map((q) => q.grpc.p99Ms)))}`,
        target: '—',
      },
      {
        measurement: 'ext_authz Check p50 / p99, one call at a time',
        baseline: `${fmt.ms(m(noopOne, (r) => r.p50Ms))} / ${fmt.ms(m(noopOne, (r) => r.p99Ms))} ms no-op`,
        tollgate: `${fmt.ms(m(sidecarOne, (r) => r.p50Ms))} / ${fmt.ms(m(sidecarOne, (r) => r.p99Ms))} ms sidecar`,
        comparison: `${fmt.deltaMs(m(sidecarOne, (r) => r.p50Ms) - m(noopOne, (r) => r.p50Ms))} / ${fmt.deltaMs(m(sidecarOne, (r) => r.p99Ms) - m(noopOne, (r) => r.p99Ms))}`,
        target: 'report',
      },
    ];
    if (countInstructions) {
      log('ext_authz instructions per Check under callgrind (no-op, then sidecar; each starts under valgrind, ~5 min)');
      const perCheck = await authzInstructions(stack, workDir, body);
      rows.push({
        measurement: 'ext_authz instructions per Check (callgrind; implied throughput ratio)',
        baseline: `${fmt.rate(perCheck.noop)} no-op`,
        tollgate: `${fmt.rate(perCheck.sidecar)} sidecar`,
        comparison: fmt.ratio(perCheck.noop / perCheck.sidecar),
        target: '≥ 0.80×',
        pass: perCheck.noop / perCheck.sidecar >= 0.8,
      });
    }
    const perRound = [
      `gateway → sidecar question (Check over the unix socket), mean as the gateway measured it: ${fmt.ms(sidecarQuestion * 1000)} ms`,
      ...direct.map((r, i) => `round ${i + 1}: direct p50 ${fmt.ms(r.p50Ms)} p99 ${fmt.ms(r.p99Ms)} | gateway p50 ${fmt.ms(viaGateway[i].p50Ms)} p99 ${fmt.ms(viaGateway[i].p99Ms)} | do-nothing proxy p50 ${fmt.ms(viaMinimal[i].p50Ms)} p99 ${fmt.ms(viaMinimal[i].p99Ms)} ms`),
      ...noop.map((r, i) => `round ${i + 1}: ext_authz no-op ${fmt.rate(r.requestsPerSecond)}/s | sidecar ${fmt.rate(sidecar[i].requestsPerSecond)}/s (${fmt.ratio(sidecar[i].requestsPerSecond / r.requestsPerSecond)})`),
    ];
    process.stdout.write(
      `\nbench:edge — ${rounds} round(s), medians quoted; ${cpus().length} CPU(s), load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end` +
        `${errors ? `; ${errors} failed or non-2xx responses` : ''}\n\n${formatTable(rows)}\n\n${perRound.join('\n')}\n`,
    );
  } finally {
    await stack?.stop().catch(() => undefined);
    await redis?.stop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Both sides must really answer: the gateway proxies (200), and both ext_authz servers answer OK on this request. */
async function sanityChecks(stack: EdgeStack): Promise<void> {
  const res = await fetch(`${stack.gatewayUrl}/api/items`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
  if (res.status !== 200) throw new Error(`gateway answered ${res.status}: ${await res.text()}`);
  await res.text();
  for (const target of [stack.noopAuthz, stack.sidecarGrpc]) {
    const Client = grpc.makeGenericClientConstructor(authorizationService(), 'Authorization');
    const client = new Client(target, grpc.credentials.createInsecure()) as grpc.Client & Record<string, Function>;
    const reply = await new Promise<{ status: { code: number } }>((resolve, reject) =>
      client.Check(
        { attributes: { request: { http: { method: 'GET', path: '/api/items', headers: { 'x-api-key': stack.apiKey } } } } },
        (err: Error | null, r: { status: { code: number } }) => (err ? reject(err) : resolve(r)),
      ),
    );
    client.close();
    if (reply.status.code !== 0) throw new Error(`ext_authz at ${target} did not allow the benchmark request: ${JSON.stringify(reply)}`);
  }
}

/** Both ext_authz servers under callgrind: a second sidecar on the stack's config, with its own ports and data. */
async function authzInstructions(stack: EdgeStack, workDir: string, body: Buffer): Promise<{ noop: number; sidecar: number }> {
  const url = (target: string) => `http://${target}${authzCheckPath}`;
  const noop = await instructionsPerCall(
    {
      name: 'noop',
      args: [resolve(packageRoot, 'dist/bench/edge/noop-authz-server.js')],
      target: async (out) => {
        const port = /"port":(\d+)/.exec(out())?.[1];
        return port ? `127.0.0.1:${port}` : undefined;
      },
    },
    url,
    body,
    workDir,
  );
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const config = join(workDir, 'tollgate-callgrind.yaml');
  writeFileSync(config, readFileSync(join(workDir, 'tollgate.yaml'), 'utf8').replace(/^data_dir: .*$/m, `data_dir: ${join(workDir, 'data-callgrind')}`));
  const sidecar = await instructionsPerCall(
    {
      name: 'sidecar',
      args: [resolve(packageRoot, 'dist/cli/tollgate.js'), 'sidecar', '--config', config, '--grpc', `127.0.0.1:${grpcPort}`, '--http', `127.0.0.1:${httpPort}`, '--socket', join(workDir, 'callgrind.sock')],
      env: { LOG_LEVEL: 'warn', REDIS_URL: stack.redisUrl },
      target: async () => ((await fetch(`http://127.0.0.1:${httpPort}/readyz`)).ok ? `127.0.0.1:${grpcPort}` : undefined),
    },
    url,
    body,
    workDir,
  );
  return { noop, sidecar };
}

/**
 * CPU the gateway and the sidecar spend doing nothing (timers, metrics sampling), over 10 s after a 2 s settle; and,
 * in the same 10 s, how late a 1 ms timer fires in this process.
 */
async function idleCpuMsPerSecond(stack: EdgeStack): Promise<{ gateway: number; sidecar: number; lateness: TimerLateness }> {
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const gateway = new CpuMeter([stack.pids.gateway]);
  const sidecar = new CpuMeter([stack.pids.sidecar]);
  const lateness = await gateway.during(() => sidecar.during(() => timerLateness(10_000)));
  return { gateway: gateway.total * 100, sidecar: sidecar.total * 100, lateness };
}

/** CPU seconds (user + system, all threads, from /proc) that some processes spend during measured runs. */
class CpuMeter {
  private seconds = 0;
  constructor(private readonly pids: Array<number | undefined>) {}

  /** CPU seconds measured so far. */
  get total(): number {
    return this.seconds;
  }

  async during<T>(run: () => Promise<T>): Promise<T> {
    const before = this.now();
    const result = await run();
    this.seconds += this.now() - before;
    return result;
  }

  /** µs per request served by `runs` (warm-up included: h2load's warm-up runs at the same rate). */
  perRequest(runs: RunResult[]): number {
    const served = runs.reduce((n, r) => n + r.served, 0);
    return served > 0 ? (this.seconds * 1e6) / served : NaN;
  }

  private now(): number {
    return this.pids.reduce((sum: number, pid) => sum + (processCpuSeconds(pid) ?? NaN), 0);
  }
}

/** Mean of the gateway's tollgate_gateway_sidecar_seconds histogram. */
async function meanSidecarSeconds(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const sum = Number(/^tollgate_gateway_sidecar_seconds_sum (\S+)/m.exec(text)?.[1] ?? NaN);
  const count = Number(/^tollgate_gateway_sidecar_seconds_count (\S+)/m.exec(text)?.[1] ?? NaN);
  return sum / count;
}

function log(message: string): void {
  process.stderr.write(`bench:edge ${message}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:edge failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
