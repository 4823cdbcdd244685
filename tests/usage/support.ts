import * as grpc from '@grpc/grpc-js';
import { configSchema, type TollgateConfig } from '../../common/config/schema.js';
import { createLogger } from '../../common/log.js';
import { loadUsageProto } from '../../common/proto.js';
import type { GetUsageResponse__Output } from '../../proto/gen/tollgate/v1/GetUsageResponse.js';
import type { ReportBatchResponse__Output } from '../../proto/gen/tollgate/v1/ReportBatchResponse.js';
import type { ReportResult__Output } from '../../proto/gen/tollgate/v1/ReportResult.js';
import type { UsageEvent } from '../../proto/gen/tollgate/v1/UsageEvent.js';
import type { SidecarHandle } from '../../sidecar/src/server.js';
import { startSidecarWith } from '../sidecar/support.js';
import { usageModule } from '../../sidecar/src/usage/module.js';
import { tempDir, uniqueDatabase } from './helpers.js';

export const quiet = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

export interface UsageTestOptions {
  clickhouseUrl?: string;
  redisUrl?: string;
  dataDir?: string;
  database?: string;
  usage?: Record<string, unknown>;
}

/** Tenants acme, beta and gamma on one plan: `tokens` (plain) and `calls` (quota of 5 a month, enforced on report). */
export function usageTestConfig(options: UsageTestOptions = {}): TollgateConfig {
  const raw = {
    data_dir: options.dataDir ?? tempDir('sidecar'),
    plans: [
      {
        id: 'p',
        features: [{ id: 'tokens' }, { id: 'calls', quota: { limit: 5, period: 'month', enforcement: 'hard' }, enforce_on_report: true }],
      },
    ],
    tenants: [{ id: 'acme', plan: 'p' }, { id: 'beta', plan: 'p' }, { id: 'gamma', plan: 'p' }],
    usage: {
      ...options.usage,
      clickhouse: { url: options.clickhouseUrl, database: options.database ?? uniqueDatabase('sidecar') },
      shipper: { batch_interval_ms: 50, retry_min_ms: 50, retry_max_ms: 500, rollup_refresh_ms: 200, ...((options.usage?.shipper as object) ?? {}) },
    },
  };
  const config = configSchema.parse(raw);
  return { ...config, redis: { ...config.redis, url: options.redisUrl, key_prefix: `t${Math.random().toString(36).slice(2, 10)}` } };
}

export type UsageClient = ReturnType<typeof usageClient>;

export function usageClient(address: string) {
  const { proto } = loadUsageProto();
  const client = new proto.tollgate.v1.UsageService(address, grpc.credentials.createInsecure());
  const call =
    <Req, Res>(fn: (req: Req, cb: (err: grpc.ServiceError | null, res?: Res) => void) => unknown) =>
    (req: Req) =>
      new Promise<Res>((resolve, reject) => fn(req, (err, res) => (err ? reject(err) : resolve(res!))));
  return {
    report: call<UsageEvent, ReportResult__Output>(client.Report.bind(client)),
    reportBatch: call<{ events: UsageEvent[] }, ReportBatchResponse__Output>(client.ReportBatch.bind(client)),
    getUsage: call<{ tenantId: string; featureId: string; start: string; end: string }, GetUsageResponse__Output>(client.GetUsage.bind(client)),
    reportStream(events: UsageEvent[]): Promise<ReportBatchResponse__Output> {
      return new Promise((resolve, reject) => {
        const stream = client.ReportStream((err, res) => (err ? reject(err) : resolve(res!)));
        for (const e of events) stream.write(e);
        stream.end();
      });
    },
    close: () => client.close(),
  };
}

export function startUsageSidecar(config: TollgateConfig): Promise<{ sidecar: SidecarHandle; client: UsageClient; stop: () => Promise<void> }> {
  return startSidecarWith(config, { logger: quiet, modules: [usageModule()] }, usageClient);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `probe` returns a value equal to what `done` accepts; returns the last value. */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await sleep(100);
    value = await probe();
  }
  return value;
}

export const WIDE = { start: '2020-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z' };
