import * as grpc from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { configSchema, type TollgateConfig } from '../../common/config/schema.js';
import { createLogger } from '../../common/log.js';
import { loadQuotaProto } from '../../common/proto.js';
import type { CheckResponse__Output } from '../../proto/gen/tollgate/v1/CheckResponse.js';
import type { CheckBatchResponse__Output } from '../../proto/gen/tollgate/v1/CheckBatchResponse.js';
import type { ReserveResponse__Output } from '../../proto/gen/tollgate/v1/ReserveResponse.js';
import { startSidecar, type SidecarHandle, type SidecarOptions } from '../../sidecar/src/server.js';

export const quiet = createLogger('test', 'silent');

/**
 * A config with its own Redis key prefix, so tests sharing one Redis never see each other's keys. Redis calls get
 * 1 s instead of the 50 ms default: on a loaded 2-core CI machine 50 ms timeouts would turn exactness tests into
 * degraded-mode tests (which have their own test, with the default).
 */
export function testConfig(raw: Record<string, unknown>, redisUrl?: string): TollgateConfig {
  const config = configSchema.parse(raw);
  const redis = raw.redis as { command_timeout_ms?: number } | undefined;
  return {
    ...config,
    redis: { ...config.redis, url: redisUrl, key_prefix: `t${randomBytes(5).toString('hex')}`, command_timeout_ms: redis?.command_timeout_ms ?? 1000 },
  };
}

/**
 * Runs `tollgate sidecar` as a real process on ports the OS picks, and reads them from its "listening" log line
 * (choosing free ports beforehand races with everything else on the machine).
 */
export async function spawnSidecarProcess(configFile: string, args: string[] = []): Promise<{ child: ChildProcess; grpc: string; http: string; logs: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['dist/cli/tollgate.js', 'sidecar', '--config', configFile, '--grpc', '127.0.0.1:0', '--http', '127.0.0.1:0', ...args], {
    env: { ...process.env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const listening = await new Promise<{ grpc: string; http: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sidecar did not start within 60 s: ${err}${out}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.includes('"sidecar listening"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
    child.on('exit', (code) => reject(new Error(`sidecar exited with ${code}: ${err}`)));
  });
  return { child, grpc: listening.grpc, http: listening.http, logs: () => out, exited };
}

export function catalog(features: unknown[], tenants: Array<{ id: string; status?: string }> = [{ id: 'acme' }]) {
  return { plans: [{ id: 'p', features }], tenants: tenants.map((t) => ({ plan: 'p', status: 'active', ...t })) };
}

export type QuotaClient = ReturnType<typeof quotaClient>;

/** Promise-returning calls on a real grpc-js client. */
export function quotaClient(address: string) {
  const { proto } = loadQuotaProto();
  const q = new proto.tollgate.v1.QuotaService(address, grpc.credentials.createInsecure());
  const e = new proto.tollgate.v1.EntitlementService(address, grpc.credentials.createInsecure());
  const call =
    <Req, Res>(fn: (req: Req, cb: (err: grpc.ServiceError | null, res?: Res) => void) => unknown) =>
    (req: Req) =>
      new Promise<Res>((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res!))));
  return {
    check: call<object, CheckResponse__Output>(q.Check.bind(q)),
    checkBatch: call<object, CheckBatchResponse__Output>(q.CheckBatch.bind(q)),
    reserve: call<object, ReserveResponse__Output>(q.Reserve.bind(q)),
    commit: call<object, { settled: boolean; estimate: string; actual: string; overage: boolean }>(q.Commit.bind(q)),
    release: call<object, { released: boolean }>(q.Release.bind(q)),
    checkEntitlement: call<object, { allowed: boolean; reason: string; planId: string }>(e.CheckEntitlement.bind(e)),
    close: () => {
      q.close();
      e.close();
    },
  };
}

/** An in-process sidecar on free ports with a client of the caller's choice; `stop` closes both. */
export async function startSidecarWith<C extends { close(): void }>(
  config: TollgateConfig,
  options: SidecarOptions,
  connect: (address: string) => C,
): Promise<{ sidecar: SidecarHandle; client: C; stop: () => Promise<void> }> {
  const sidecar = await startSidecar(config, { grpc: '127.0.0.1:0', http: '127.0.0.1:0', logger: quiet, modules: [], ...options });
  const client = connect(sidecar.grpcAddress);
  return {
    sidecar,
    client,
    stop: async () => {
      client.close();
      await sidecar.stop();
    },
  };
}

export function startTestSidecar(config: TollgateConfig, options: SidecarOptions = {}) {
  return startSidecarWith(config, options, quotaClient);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request of the JSON "echo" test services (the fast path's and the local protocol's tests). */
export interface EchoRequest {
  text: string;
  delayMs?: number;
  fail?: boolean;
  throws?: boolean;
}

const echoJson = {
  requestSerialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
  requestDeserialize: (b: Buffer) => {
    const v = JSON.parse(b.toString()) as EchoRequest;
    if (typeof v.text !== 'string') throw new Error('text: is required');
    return v;
  },
  responseSerialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
  responseDeserialize: (b: Buffer) => JSON.parse(b.toString()) as unknown,
};

/** A JSON echo service with the given unary methods (`/test.Echo/<Name>`): enough to watch requests, metadata and errors travel. */
export function echoServiceOf(...names: string[]): grpc.ServiceDefinition {
  return Object.fromEntries(names.map((name) => [name, { path: `/test.Echo/${name}`, requestStream: false, responseStream: false, originalName: name.toLowerCase(), ...echoJson }]));
}
