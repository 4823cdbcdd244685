import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { rmSync } from 'node:fs';
import type { AddressInfo, Server as NetServer } from 'node:net';
import type { Redis } from 'ioredis';
import type { TollgateConfig } from '../../common/config/schema.js';
import { hashApiKey } from '../../common/api-key.js';
import { RedisKeys } from '../../common/keys.js';
import { createLogger, type Logger } from '../../common/log.js';
import { loadDefinition, loadQuotaProto, tollgateProtoFile } from '../../common/proto.js';
import { connectRedis, whenReady } from '../../common/redis.js';
import { catalogSnapshots } from '../../common/snapshot.js';
import { MemoryBucketStore } from './adapters/memory-bucket-store.js';
import { RedisBucketStore } from './adapters/redis-bucket-store.js';
import { SnapshotCache } from '../../common/snapshot-cache.js';
import type { LocalSnapshotBus } from '../../common/snapshot-bus.js';
import { entitlementServiceHandlers } from './api/entitlement-service.js';
import { CallerAuth } from './api/caller-auth.js';
import { FastUnaryPath, grpcJsInternals } from './api/grpc-fast-unary.js';
import { LocalCallServer } from './api/local-calls.js';
import { listenUnixSocket } from './api/unix-socket.js';
import { createHttpServer } from './api/http.js';
import { quotaServiceDefinition, quotaServiceHandlers } from './api/quota-service.js';
import { QuotaEngine } from './engine/quota-engine.js';
import { StoreHealth } from './engine/store-health.js';
import { envoyModule } from './envoy/module.js';
import { createSidecarMetrics } from './metrics.js';
import type { SidecarContext, SidecarModule } from './ports.js';
import { usageModule } from './usage/module.js';

export interface SidecarOptions {
  /** HOST:PORT for gRPC over TCP (port 0 = any free port). Defaults to config sidecar.grpc. */
  grpc?: string;
  /** Path of a unix socket for gRPC. Defaults to config sidecar.socket (none when unset). */
  socket?: string;
  /** HOST:PORT for /metrics, /healthz, /readyz and module routes. Defaults to config sidecar.http. */
  http?: string;
  logger?: Logger;
  modules?: SidecarModule[];
  nowMs?: () => number;
  /** Snapshots published in this process (`tollgate up` without Redis). */
  snapshotBus?: LocalSnapshotBus;
}

export interface SidecarHandle {
  grpcAddress: string;
  socketPath?: string;
  httpAddress: string;
  context: SidecarContext;
  engine: QuotaEngine;
  /** The lighter path for hot unary methods (grpc-fast-unary.ts); undefined when TOLLGATE_GRPC_FAST_PATH=0. */
  fastPath?: FastUnaryPath;
  /** Stops accepting, drains in-flight calls, returns leases, stops modules, closes connections. */
  stop(): Promise<void>;
}

const MAX_RECEIVE_MESSAGE_LENGTH = 8 * 1024 * 1024;

/** Served by FastUnaryPath rather than grpc-js: the calls every request of a customer's product makes, and usage. */
const FAST_UNARY_METHODS = [
  '/tollgate.v1.QuotaService/Check',
  '/tollgate.v1.QuotaService/CheckBatch',
  '/tollgate.v1.EntitlementService/CheckEntitlement',
  '/tollgate.v1.UsageService/Report',
  '/tollgate.v1.UsageService/ReportBatch',
  '/envoy.service.auth.v3.Authorization/Check',
  '/envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit',
];

const SERVICES = ['', 'tollgate.v1.QuotaService', 'tollgate.v1.EntitlementService', 'tollgate.v1.UsageService'];

export async function startSidecar(config: TollgateConfig, options: SidecarOptions = {}): Promise<SidecarHandle> {
  const logger = options.logger ?? createLogger('sidecar');
  const settings = config.sidecar;
  const metrics = createSidecarMetrics();
  const keys = new RedisKeys(config.redis.key_prefix);
  const nowMs = options.nowMs ?? Date.now;

  let redis: Redis | undefined;
  let control: Redis | undefined;
  if (config.redis.url) {
    redis = connectRedis(config.redis.url, config.redis.command_timeout_ms);
    control = connectRedis(config.redis.url, 2000);
    let lastLogged = 0;
    const onError = (err: Error) => {
      if (Date.now() - lastLogged > 5000) logger.warn({ err: err.message }, 'redis connection error');
      lastLogged = Date.now();
    };
    redis.on('error', onError);
    control.on('error', onError);
    await Promise.all([whenReady(redis, 1000), whenReady(control, 1000)]);
  } else {
    logger.warn('no Redis configured (redis.url / REDIS_URL): limits are kept in this process only');
  }

  const fileSnapshots = new Map(catalogSnapshots(config, 0, new Date(nowMs())).map((s) => [s.tenant_id, s]));
  const snapshots = new SnapshotCache(fileSnapshots, logger, control, keys, settings.snapshot_refresh_ms, metrics.snapshots);
  if (options.snapshotBus) snapshots.follow(options.snapshotBus);
  const store = redis ? new RedisBucketStore(redis, keys, metrics.redisRoundTrip) : new MemoryBucketStore(nowMs);
  const health = new StoreHealth(
    async () => {
      if (redis) await redis.ping();
    },
    200,
    (up) => {
      metrics.storeUp(up);
      if (up) logger.info('redis reachable again: decisions are shared again');
      else logger.error('redis unreachable: deciding from local buckets (degraded) per feature on_store_failure');
    },
  );
  const engine = new QuotaEngine({
    snapshots,
    store,
    fallback: new MemoryBucketStore(nowMs),
    health,
    settings,
    metrics,
    nowMs,
    onStoreError: (err) => logger.debug({ err: String(err) }, 'quota store call failed'),
  });
  const grpcAddress = options.grpc ?? settings.grpc;
  const auth = new CallerAuth(
    { serviceTokens: serviceTokens(settings), trustLocal: settings.auth.trust_local, listenersLocal: isLoopbackAddress(grpcAddress) },
    snapshots,
  );
  const context: SidecarContext = { config, logger, metrics: metrics.registry, snapshots, decider: engine, auth, redis };

  const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_LENGTH });
  const { proto } = loadQuotaProto();
  server.addService(quotaServiceDefinition(proto.tollgate.v1.QuotaService.service), quotaServiceHandlers(engine, auth) as unknown as grpc.UntypedServiceImplementation);
  server.addService(proto.tollgate.v1.EntitlementService.service, entitlementServiceHandlers(engine, auth));
  const healthService = new HealthImplementation(Object.fromEntries(SERVICES.map((s) => [s, 'NOT_SERVING' as const])));
  healthService.addToServer(server);
  new ReflectionService(loadDefinition([tollgateProtoFile('quota.proto'), tollgateProtoFile('usage.proto')])).addToServer(server);

  const modules = options.modules ?? [usageModule(), envoyModule()].filter((m): m is SidecarModule => m !== undefined);
  await snapshots.start();
  for (const m of modules) await m.start(context, server);

  const port = await bind(server, grpcAddress);
  const boundGrpc = `${grpcAddress.slice(0, grpcAddress.lastIndexOf(':'))}:${port}`;
  const fastPath = process.env.TOLLGATE_GRPC_FAST_PATH === '0' ? undefined : new FastUnaryPath(FAST_UNARY_METHODS, { maxReceiveMessageLength: MAX_RECEIVE_MESSAGE_LENGTH });
  if (fastPath && !fastPath.attach(server)) {
    logger.warn('grpc-js internals are not the expected shape: the fast unary path is off and grpc-js serves every call');
  }
  const socketPath = options.socket ?? settings.socket;
  const internals = grpcJsInternals(server);
  let localCalls: LocalCallServer | undefined;
  let unixSocket: NetServer | undefined;
  if (socketPath && internals?.http2Servers.length === 1) {
    localCalls = new LocalCallServer(internals.handlers, MAX_RECEIVE_MESSAGE_LENGTH, { answered: metrics.localCallAnswered, connections: metrics.localConnections });
    unixSocket = await listenUnixSocket(socketPath, internals.http2Servers[0], localCalls);
  } else if (socketPath) {
    // Without grpc-js's HTTP/2 server to hand gRPC connections to, grpc-js takes the socket and local calls are off.
    rmSync(socketPath, { force: true });
    await bind(server, `unix:${socketPath}`);
  }

  let draining = false;
  const http = createHttpServer({
    metrics: metrics.registry,
    handlers: modules.flatMap((m) => (m.http ? [m.http] : [])),
    ready: () => {
      const notReady = modules.filter((m) => m.ready && !m.ready()).map((m) => m.name);
      const ready = !draining && snapshots.ready && notReady.length === 0;
      return { ready, detail: { draining, snapshots_loaded: snapshots.ready, redis_up: health.up, modules_not_ready: notReady } };
    },
  });
  const httpAddress = await listen(http, options.http ?? settings.http);
  for (const s of SERVICES) healthService.setStatus(s, 'SERVING');
  logger.info({ grpc: boundGrpc, socket: socketPath, http: httpAddress, tenants: snapshots.size }, 'sidecar listening');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      draining = true;
      for (const s of SERVICES) healthService.setStatus(s, 'NOT_SERVING');
      unixSocket?.close();
      await Promise.all([drain(server, settings.shutdown_grace_ms), localCalls?.stop(settings.shutdown_grace_ms)]);
      for (const m of [...modules].reverse()) await m.stop();
      await engine.returnAllLeases();
      engine.stop();
      health.stop();
      await snapshots.stop();
      await Promise.all([redis?.quit().catch(() => undefined), control?.quit().catch(() => undefined)]);
      await new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      if (socketPath) rmSync(socketPath, { force: true });
      logger.info('sidecar stopped');
    })());

  return { grpcAddress: boundGrpc, socketPath, httpAddress, context, engine, fastPath, stop };
}

/** Configured token hashes, plus TOLLGATE_SIDECAR_TOKEN (hashed here; the plain token is never kept). */
function serviceTokens(settings: TollgateConfig['sidecar']): Array<{ id: string; sha256: string }> {
  const tokens = [...settings.auth.service_tokens];
  const fromEnv = process.env.TOLLGATE_SIDECAR_TOKEN;
  if (fromEnv) tokens.push({ id: 'env:TOLLGATE_SIDECAR_TOKEN', sha256: hashApiKey(fromEnv) });
  return tokens;
}

function isLoopbackAddress(hostPort: string): boolean {
  const host = hostPort.slice(0, hostPort.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function bind(server: grpc.Server, address: string): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(new Error(`cannot listen on ${address}: ${err.message}`)) : resolve(port))),
  );
}

/** Stops taking new calls and waits for in-flight ones, up to the grace period. */
function drain(server: grpc.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function listen(http: ReturnType<typeof createHttpServer>, address: string): Promise<string> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(i + 1));
  return new Promise((resolve, reject) => {
    http.once('error', (err) => reject(new Error(`cannot listen on ${address}: ${err.message}`)));
    http.listen(port, host, () => {
      const a = http.address() as AddressInfo;
      resolve(`${host}:${a.port}`);
    });
  });
}
