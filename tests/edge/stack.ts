import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { generateApiKey } from '../../common/api-key.js';
import { parseConfig } from '../../common/config/load.js';
import type { TollgateConfig } from '../../common/config/schema.js';
import { RedisKeys } from '../../common/keys.js';
import { createLogger } from '../../common/log.js';
import { envoyProtoRoots } from '../../common/paths.js';
import type { EntitlementSnapshot } from '../../common/snapshot.js';
import { publishSnapshots, readSnapshot } from '../../common/snapshot-store.js';
import { startSidecar, type SidecarHandle } from '../../sidecar/src/server.js';

export interface IssuedKey {
  key: string;
  id: string;
  sha256: string;
}

/** Keys for tenants of a test config, generated per run so no secret sits in the repository. */
export function issueKeys(tenants: string[]): Record<string, IssuedKey> {
  return Object.fromEntries(tenants.map((t) => [t, generateApiKey('test')]));
}

/** Splices `api_keys` into each tenant of the YAML and gives the run its own Redis key prefix. */
export function stackConfig(yaml: string, keys: Record<string, IssuedKey>, redisUrl: string, prefix: string): TollgateConfig {
  const config = parseConfig(yaml, 'edge-test.yaml');
  return {
    ...config,
    redis: { ...config.redis, url: redisUrl, key_prefix: prefix },
    tenants: config.tenants.map((t) => ({ ...t, api_keys: keys[t.id] ? [{ id: keys[t.id].id, sha256: keys[t.id].sha256 }] : [] })),
  };
}

export interface Stack {
  config: TollgateConfig;
  sidecar: SidecarHandle;
  socketPath: string;
  redis: Redis;
  keys: RedisKeys;
  stop(): Promise<void>;
}

export async function startStack(base: TollgateConfig): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'tg-edge-'));
  // Its own data directory: the usage spool allows one sidecar per directory.
  const config: TollgateConfig = { ...base, data_dir: dir };
  const socketPath = join(dir, 'sidecar.sock');
  const sidecar = await startSidecar(config, { grpc: '127.0.0.1:0', socket: socketPath, http: '127.0.0.1:0', logger: createLogger('sidecar', 'silent') });
  const redis = new Redis(config.redis.url!);
  return {
    config,
    sidecar,
    socketPath,
    redis,
    keys: new RedisKeys(config.redis.key_prefix),
    async stop() {
      await sidecar.stop();
      redis.disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Publishes a changed snapshot of a tenant (a higher version), as the ledger does when a key is revoked. */
export async function republish(stack: Stack, tenantId: string, change: (s: EntitlementSnapshot) => EntitlementSnapshot): Promise<void> {
  const current = await readSnapshot(stack.redis, stack.keys, tenantId);
  if (!current) throw new Error(`tenant ${tenantId} has no published snapshot`);
  await publishSnapshots(stack.redis, stack.keys, [{ ...change(current), version: current.version + 1 }]);
}

/**
 * Clients of Envoy's services built independently of the sidecar's own loading, with keepCase (snake_case fields)
 * the way a non-Tollgate client would see the protos: only the wire format is shared.
 */
export function envoyClients(target: string) {
  const definition = protoLoader.loadSync(['envoy/service/auth/v3/external_auth.proto', 'envoy/service/ratelimit/v3/rls.proto'], {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: envoyProtoRoots,
  });
  const pkg = grpc.loadPackageDefinition(definition) as any;
  const authorization = new pkg.envoy.service.auth.v3.Authorization(target, grpc.credentials.createInsecure()) as grpc.Client;
  const rateLimit = new pkg.envoy.service.ratelimit.v3.RateLimitService(target, grpc.credentials.createInsecure()) as grpc.Client;
  const unary = (client: grpc.Client, method: string) => (request: unknown) =>
    new Promise<any>((resolve, reject) => (client as any)[method](request, (err: grpc.ServiceError | null, res: unknown) => (err ? reject(err) : resolve(res))));
  return {
    check: unary(authorization, 'Check'),
    shouldRateLimit: unary(rateLimit, 'ShouldRateLimit'),
    close() {
      authorization.close();
      rateLimit.close();
    },
  };
}

export function headersOf(options: Array<{ header: { key: string; value: string } }>): Record<string, string> {
  return Object.fromEntries(options.map((o) => [o.header.key, o.header.value]));
}

export function uniquePrefix(name: string): string {
  return `tg-edge-${name}-${process.pid}-${Date.now().toString(36)}`;
}
