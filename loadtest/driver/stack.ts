import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { generateApiKey } from '../../common/api-key.js';
import { packageRoot } from '../../common/paths.js';
import { FEATURE, tenantId } from '../workloads.js';

/**
 * A local stack to load: redis-server (unless REDIS_URL is set), the sidecar and the gateway as child processes
 * started with the real `tollgate` CLI (so the load generator does not share their event loop), and an in-process
 * upstream that answers a small JSON body. Needs `npm run build` first.
 */
export interface LocalStack {
  sidecarTarget: string;
  sidecarTcp: string;
  sidecarHttp: string;
  gatewayUrl: string;
  upstreamUrl: string;
  keys: string[];
  configFile: string;
  stop(): Promise<void>;
}

export interface StackOptions {
  tenants: number;
  /** Per-tenant token bucket of the load-tested feature. */
  perSecond: number;
  burst: number;
}

export async function startLocalStack(options: StackOptions): Promise<LocalStack> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-load-'));
  const children: ChildProcess[] = [];
  const stops: Array<() => Promise<void>> = [];
  try {
    let redisUrl = process.env.REDIS_URL;
    if (!redisUrl) {
      const port = await freePort();
      children.push(spawnChild('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {}));
      redisUrl = `redis://127.0.0.1:${port}`;
      await waitFor(`redis on ${port}`, () => canConnect(port));
    }

    const upstream = await startUpstream();
    stops.push(() => new Promise((r) => upstream.server.close(() => r())));

    const keys = Array.from({ length: options.tenants }, () => generateApiKey('test'));
    const [grpcPort, httpPort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
    const socket = join(dir, 'sidecar.sock');
    const config = {
      data_dir: join(dir, 'data'),
      redis: { url: redisUrl, key_prefix: `load-${Date.now().toString(36)}` },
      sidecar: { grpc: `127.0.0.1:${grpcPort}`, socket, http: `127.0.0.1:${httpPort}` },
      plans: [{ id: 'load', features: [{ id: FEATURE, rate_limit: { per_second: options.perSecond, burst: options.burst } }] }],
      tenants: keys.map((k, i) => ({ id: tenantId(i), plan: 'load', api_keys: [{ id: k.id, sha256: k.sha256 }] })),
      edge: {
        upstreams: [{ id: 'app', url: upstream.url, connections: 256 }],
        routes: [{ prefix: '/api/', feature: FEATURE, upstream: 'app' }],
        gateway: { listen: `127.0.0.1:${gatewayPort}`, sidecar: `unix:${socket}` },
      },
    };
    const configFile = join(dir, 'tollgate.yaml');
    writeFileSync(configFile, stringify(config));

    const cli = resolve(packageRoot, 'dist/cli/tollgate.js');
    const env = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', REDIS_URL: redisUrl };
    children.push(spawnChild(process.execPath, [cli, 'sidecar', '--config', configFile], env));
    await waitFor('sidecar /readyz', async () => (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).ok || undefined);
    children.push(spawnChild(process.execPath, [cli, 'gateway', '--config', configFile], env));
    await waitFor('gateway', () => canConnect(gatewayPort));

    return {
      sidecarTarget: `unix:${socket}`,
      sidecarTcp: `127.0.0.1:${grpcPort}`,
      sidecarHttp: `http://127.0.0.1:${httpPort}`,
      gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
      upstreamUrl: upstream.url,
      keys: keys.map((k) => k.key),
      configFile,
      async stop() {
        for (const child of children.reverse()) await stopChild(child);
        for (const stop of stops) await stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const child of children.reverse()) await stopChild(child);
    for (const stop of stops) await stop();
    throw err;
  }
}

/** The stand-in product API: a small JSON answer, as fast as Node can give it. */
export async function startUpstream(): Promise<{ server: Server; url: string }> {
  const body = JSON.stringify({ items: [{ id: 1, name: 'widget' }] });
  const server = createHttpServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function spawnChild(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { env: Object.keys(env).length ? env : process.env, stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('error', (err) => process.stderr.write(`cannot start ${command}: ${err.message}\n`));
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createNetServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

function canConnect(port: number): Promise<true | undefined> {
  return new Promise((r) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      r(true);
    });
    socket.once('error', () => r(undefined));
  });
}

async function waitFor(what: string, probe: () => Promise<unknown>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
