import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../common/paths.js';
import { freePort, waitFor } from '../../tests/harness/ports.js';
import { sidecarConfigYaml } from './bench-catalog.js';
import { ChildServer } from './child.js';

/** A gRPC server under test, running in a process of its own. */
export interface Target {
  label: string;
  /** HOST:PORT of the gRPC listener. */
  grpcAddress: string;
  /** Prometheus page, when the target has one. */
  metricsUrl?: string;
  /** The server's process, for its CPU time. */
  pid?: number;
  /** Starts keeping the server's stdout (see ChildServer.tap). */
  tap?(): () => string;
  stop(): Promise<void>;
}

/** `nodeFlags` go to node before the script (e.g. --trace-gc). */
export async function startNoopTarget(label: string, server: 'grpc-js' | 'http2' = 'grpc-js', nodeFlags: string[] = []): Promise<Target> {
  const file = server === 'grpc-js' ? 'dist/bench/check/noop-server.js' : 'dist/bench/check/noop-h2-server.js';
  const child = ChildServer.spawn(label, [...nodeFlags, resolve(packageRoot, file)]);
  const { port } = await child.firstJsonLine<{ port: number }>();
  return { label, grpcAddress: `127.0.0.1:${port}`, pid: child.pid, tap: () => child.tap(), stop: () => child.stop() };
}

/** `dist/cli/tollgate.js sidecar` with its config and loopback ports (and a unix socket), as node's arguments. */
export function sidecarCommandArgs(configFile: string, grpcPort: number, httpPort: number, socketPath?: string): string[] {
  const socket = socketPath === undefined ? [] : ['--socket', socketPath];
  return [resolve(packageRoot, 'dist/cli/tollgate.js'), 'sidecar', '--config', configFile, '--grpc', `127.0.0.1:${grpcPort}`, '--http', `127.0.0.1:${httpPort}`, ...socket];
}

/** `tollgate sidecar` exactly as an operator starts it, with the benchmark's catalog and its own Redis. */
export async function startSidecarTarget(label: string, redisUrl: string, nodeFlags: string[] = []): Promise<Target & { configFile: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-check-'));
  const configFile = join(dir, 'tollgate.yaml');
  writeFileSync(configFile, sidecarConfigYaml(redisUrl, join(dir, 'data')));
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const child = ChildServer.spawn(
    label,
    [...nodeFlags, ...sidecarCommandArgs(configFile, grpcPort, httpPort)],
    { LOG_LEVEL: 'warn', REDIS_URL: redisUrl },
  );
  const httpBase = `http://127.0.0.1:${httpPort}`;
  try {
    await waitFor(`${label} /readyz`, async () => {
      if (child.exited) throw new Error(`${label} exited:\n${child.recentOutput}`);
      const response = await fetch(`${httpBase}/readyz`).catch(() => undefined);
      return response?.ok ? true : undefined;
    }, 20_000);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return {
    label,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    metricsUrl: `${httpBase}/metrics`,
    pid: child.pid,
    tap: () => child.tap(),
    configFile,
    stop: async () => {
      await child.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
