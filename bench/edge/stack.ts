import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { generateApiKey } from '../../common/api-key.js';
import { packageRoot } from '../../common/paths.js';
import { ChildServer } from '../check/child.js';

export interface EdgeStack {
  apiKey: string;
  redisUrl: string;
  upstreamUrl: string;
  /** A do-nothing Node proxy to the same upstream (minimal-proxy.ts): what any Node proxy adds on this machine. */
  minimalProxyUrl: string;
  gatewayUrl: string;
  gatewayMetricsUrl: string;
  sidecarGrpc: string;
  /** The sidecar's unix socket (gRPC and its local call protocol). */
  sidecarSocket: string;
  noopAuthz: string;
  /** Process ids of the upstream, the gateway, the sidecar and the do-nothing proxy, for CPU accounting. */
  pids: { upstream?: number; gateway?: number; sidecar?: number; minimalProxy?: number };
  stop(): Promise<void>;
}

/**
 * Every server in a process of its own, started the way an operator would: the upstream, `tollgate sidecar` and
 * `tollgate gateway` from the built CLI, and the no-op ext_authz server.
 */
export async function startEdgeStack(
  redisUrl: string,
  dir: string,
  ports: { grpc: number; http: number; gateway: number; gatewayMetrics: number },
  options: { reportUsage: boolean } = { reportUsage: true },
): Promise<EdgeStack> {
  const children: ChildServer[] = [];
  // BENCH_EDGE_PROFILE_DIR: CPU profiles of every process here, one directory each (tollgate-gateway/, ...), written
  // when the stack stops; read them with node dist/bench/profile-summary.js.
  const profileDir = process.env.BENCH_EDGE_PROFILE_DIR;
  const profiling = (name: string) => (profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name.replace(/\W+/g, '-'))}`] : []);
  const spawnJs = (name: string, file: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) => {
    const child = ChildServer.spawn(name, [...profiling(name), resolve(packageRoot, file), ...args], env);
    children.push(child);
    return child;
  };
  try {
    const upstream = spawnJs('upstream', 'dist/bench/edge/upstream-server.js');
    const upstreamUrl = `http://127.0.0.1:${(await upstream.firstJsonLine<{ port: number }>()).port}`;
    const minimalProxy = spawnJs('do-nothing proxy', 'dist/bench/edge/minimal-proxy.js', [upstreamUrl]);
    const minimalProxyUrl = `http://127.0.0.1:${(await minimalProxy.firstJsonLine<{ port: number }>()).port}`;
    const noop = spawnJs('no-op ext_authz', 'dist/bench/edge/noop-authz-server.js');
    const noopAuthz = `127.0.0.1:${(await noop.firstJsonLine<{ port: number }>()).port}`;

    const key = generateApiKey('test');
    const socket = join(dir, 'sidecar.sock');
    const configFile = join(dir, 'tollgate.yaml');
    writeFileSync(
      configFile,
      stringify({
        data_dir: join(dir, 'data'),
        redis: { url: redisUrl, key_prefix: 'bench-edge' },
        sidecar: { grpc: `127.0.0.1:${ports.grpc}`, socket, http: `127.0.0.1:${ports.http}` },
        // Limits far above the offered load: the benchmark measures the cost of deciding, not of refusing.
        plans: [{ id: 'bench', features: [{ id: 'api-calls', rate_limit: { per_second: 1_000_000, burst: 1_000_000 } }] }],
        tenants: [{ id: 'bench-tenant', plan: 'bench', api_keys: [{ id: key.id, sha256: key.sha256 }] }],
        edge: {
          upstreams: [{ id: 'app', url: upstreamUrl, connections: 64 }],
          routes: [{ prefix: '/api/', feature: 'api-calls', upstream: 'app' }],
          gateway: { listen: `127.0.0.1:${ports.gateway}`, sidecar: `unix:${socket}`, report_usage: options.reportUsage, metrics: `127.0.0.1:${ports.gatewayMetrics}` },
        },
      }),
    );
    const cli = 'dist/cli/tollgate.js';
    const env = { LOG_LEVEL: 'warn', REDIS_URL: redisUrl };
    const sidecar = spawnJs('tollgate sidecar', cli, ['sidecar', '--config', configFile], env);
    await waitFor('sidecar /readyz', async () => (await fetch(`http://127.0.0.1:${ports.http}/readyz`)).ok);
    const gateway = spawnJs('tollgate gateway', cli, ['gateway', '--config', configFile], env);
    await waitFor('gateway', async () => (await fetch(`http://127.0.0.1:${ports.gateway}/api/items`)).status === 401);

    return {
      apiKey: key.key,
      redisUrl,
      upstreamUrl,
      minimalProxyUrl,
      gatewayUrl: `http://127.0.0.1:${ports.gateway}`,
      gatewayMetricsUrl: `http://127.0.0.1:${ports.gatewayMetrics}/metrics`,
      sidecarGrpc: `127.0.0.1:${ports.grpc}`,
      sidecarSocket: socket,
      noopAuthz,
      pids: { upstream: upstream.pid, gateway: gateway.pid, sidecar: sidecar.pid, minimalProxy: minimalProxy.pid },
      async stop() {
        for (const c of children.reverse()) await c.stop();
      },
    };
  } catch (err) {
    for (const c of children.reverse()) await c.stop();
    throw err;
  }
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
