import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { configSchema, type TollgateConfig } from '../../common/config/schema.js';
import { createLogger } from '../../common/log.js';
import { loadQuotaProto } from '../../common/proto.js';
import type { CheckResponse__Output } from '../../proto/gen/tollgate/v1/CheckResponse.js';
import { startSidecar, type SidecarHandle, type SidecarOptions } from '../../sidecar/src/server.js';

export const quiet = createLogger('test', 'silent');

/** A config with its own Redis key prefix, so tests sharing one Redis never see each other's keys. */
export function testConfig(raw: Record<string, unknown>, redisUrl?: string): TollgateConfig {
  const config = configSchema.parse(raw);
  return { ...config, redis: { ...config.redis, url: redisUrl, key_prefix: `t${randomBytes(5).toString('hex')}` } };
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
    checkBatch: call<object, { results: Array<{ decision?: CheckResponse__Output; error?: { code: number; message: string; field: string } }> }>(q.CheckBatch.bind(q)),
    reserve: call<object, { decision: CheckResponse__Output; reservationId: string; expiresInMs: string }>(q.Reserve.bind(q)),
    commit: call<object, { settled: boolean; estimate: string; actual: string; overage: boolean }>(q.Commit.bind(q)),
    release: call<object, { released: boolean }>(q.Release.bind(q)),
    checkEntitlement: call<object, { allowed: boolean; reason: string; planId: string }>(e.CheckEntitlement.bind(e)),
    close: () => {
      q.close();
      e.close();
    },
  };
}

export async function startTestSidecar(config: TollgateConfig, options: SidecarOptions = {}): Promise<{ sidecar: SidecarHandle; client: QuotaClient; stop: () => Promise<void> }> {
  const sidecar = await startSidecar(config, { grpc: '127.0.0.1:0', http: '127.0.0.1:0', logger: quiet, modules: [], ...options });
  const client = quotaClient(sidecar.grpcAddress);
  return {
    sidecar,
    client,
    stop: async () => {
      client.close();
      await sidecar.stop();
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
