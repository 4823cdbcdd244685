import * as grpc from '@grpc/grpc-js';
import { Pool } from 'undici';
import { loadQuotaProto, loadUsageProto } from '../../common/proto.js';
import { BATCH_SIZE, FEATURE, tenantId, tenantIndex, type Scenario, type TargetName } from '../workloads.js';
import type { Outcome } from './arrivals.js';

export interface Endpoints {
  /** gRPC target of the sidecar: unix:PATH or HOST:PORT. */
  sidecar: string;
  /** http://HOST:PORT of the gateway. */
  gateway: string;
  /** API key of tenant i (lt-tenant-i). */
  keys: string[];
}

export interface Target {
  fire(scenario: Scenario): Promise<Outcome>;
  close(): Promise<void>;
}

/** The same requests the k6 scripts send, with the same tenant mix. */
export function openTarget(name: TargetName, endpoints: Endpoints): Target {
  const pick = (s: Scenario) => tenantId(tenantIndex(s, Math.random()));
  if (name === 'gateway') {
    const url = new URL(endpoints.gateway);
    const pool = new Pool(url.origin, { connections: 64, pipelining: 1 });
    return {
      async fire(s) {
        const tenant = tenantIndex(s, Math.random());
        const res = await pool.request({ path: '/api/items', method: 'GET', headers: { authorization: `Bearer ${endpoints.keys[tenant]}` } });
        await res.body.dump();
        const refused = res.statusCode === 409 || res.statusCode === 429;
        return { ok: res.statusCode === 200 || refused, denied: refused ? 1 : 0 };
      },
      close: () => pool.close(),
    };
  }
  if (name === 'report_batch') {
    const { proto } = loadUsageProto();
    const client = new proto.tollgate.v1.UsageService(endpoints.sidecar, grpc.credentials.createInsecure());
    return {
      fire: (s) =>
        new Promise((resolve) => {
          const timestamp = new Date().toISOString();
          const events = Array.from({ length: BATCH_SIZE }, () => ({ tenantId: pick(s), serviceId: 'loadtest', featureId: FEATURE, quantity: '1', timestamp }));
          client.reportBatch({ events }, (err, res) => resolve(err ? { ok: false, denied: 0 } : { ok: true, denied: res!.rejected }));
        }),
      close: async () => client.close(),
    };
  }
  const { proto } = loadQuotaProto();
  const client = new proto.tollgate.v1.QuotaService(endpoints.sidecar, grpc.credentials.createInsecure());
  if (name === 'check_batch') {
    return {
      fire: (s) =>
        new Promise((resolve) => {
          const items = Array.from({ length: BATCH_SIZE }, () => ({ tenantId: pick(s), featureId: FEATURE, cost: 1 }));
          client.checkBatch({ items }, (err, res) =>
            resolve(err ? { ok: false, denied: 0 } : { ok: true, denied: res!.results.filter((r) => r.decision && !r.decision.allowed).length }),
          );
        }),
      close: async () => client.close(),
    };
  }
  return {
    fire: (s) =>
      new Promise((resolve) => {
        client.check({ tenantId: pick(s), featureId: FEATURE, cost: 1 }, (err, res) => resolve(err ? { ok: false, denied: 0 } : { ok: true, denied: res!.allowed ? 0 : 1 }));
      }),
    close: async () => client.close(),
  };
}
