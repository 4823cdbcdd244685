import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../common/api-key.js';
import { configSchema } from '../../common/config/schema.js';
import { loadQuotaProto, loadUsageProto } from '../../common/proto.js';
import type { CheckResponse__Output } from '../../proto/gen/tollgate/v1/CheckResponse.js';
import { startSidecar, type SidecarHandle } from '../../sidecar/src/server.js';
import { usageModule } from '../../sidecar/src/usage/module.js';
import { sharedRedisUrl } from '../harness/redis.js';
import { tempDir, uniqueDatabase } from '../usage/helpers.js';
import { quiet, testConfig } from './support.js';

const redisUrl = sharedRedisUrl(inject('redisUrl'));
const acmeKey = generateApiKey();
const serviceToken = 'svc-token-0123456789abcdef';

describe('caller authentication (trust_local: false)', () => {
  let sidecar: SidecarHandle;
  beforeAll(async () => {
    const base = testConfig(
      {
        sidecar: { auth: { trust_local: false, service_tokens: [{ id: 'billing', sha256: hashApiKey(serviceToken) }] }, leases: { enabled: false } },
        plans: [{ id: 'p', features: [{ id: 'f', rate_limit: { per_second: 100 } }, { id: 'tokens' }] }],
        tenants: [
          { id: 'acme', plan: 'p', api_keys: [{ id: acmeKey.id, sha256: acmeKey.sha256 }] },
          { id: 'globex', plan: 'p' },
        ],
      },
      redisUrl,
    );
    const usage = configSchema.shape.usage.parse({ clickhouse: { url: inject('clickhouseUrl'), database: uniqueDatabase('auth') } });
    sidecar = await startSidecar({ ...base, data_dir: tempDir('auth'), usage }, { grpc: '127.0.0.1:0', http: '127.0.0.1:0', logger: quiet, modules: [usageModule()] });
  });
  afterAll(() => sidecar.stop());

  const withCredential = (credential?: string) => {
    const metadata = new grpc.Metadata();
    if (credential) metadata.set('authorization', `Bearer ${credential}`);
    return metadata;
  };
  const check = (credential: string | undefined, tenantId: string) => {
    const q = new (loadQuotaProto().proto.tollgate.v1.QuotaService)(sidecar.grpcAddress, grpc.credentials.createInsecure());
    return new Promise<CheckResponse__Output>((resolve, reject) =>
      q.Check({ tenantId, featureId: 'f', cost: 1 }, withCredential(credential), (err, res) => {
        q.close();
        if (err) reject(err);
        else resolve(res!);
      }),
    );
  };

  it('refuses calls without credentials, even from loopback', async () => {
    await expect(check(undefined, 'acme')).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
  });

  it('refuses unknown keys and tokens', async () => {
    await expect(check(generateApiKey().key, 'acme')).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: 'unknown or revoked API key' });
    await expect(check('not-a-token', 'acme')).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
  });

  it('lets a tenant API key act for its own tenant only', async () => {
    expect((await check(acmeKey.key, 'acme')).allowed).toBe(true);
    await expect(check(acmeKey.key, 'globex')).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
  });

  it('lets a service token act for any tenant', async () => {
    expect((await check(serviceToken, 'acme')).allowed).toBe(true);
    expect((await check(serviceToken, 'globex')).allowed).toBe(true);
  });

  it('denies other tenants\' usage event by event, and GetUsage of another tenant', async () => {
    const { proto } = loadUsageProto();
    const usage = new proto.tollgate.v1.UsageService(sidecar.grpcAddress, grpc.credentials.createInsecure());
    const event = (tenantId: string) => ({ tenantId, serviceId: 'svc', featureId: 'tokens', quantity: '1' });
    const batch = await new Promise<any>((resolve, reject) =>
      usage.ReportBatch({ events: [event('acme'), event('globex')] }, withCredential(acmeKey.key), (err, res) => (err ? reject(err) : resolve(res))),
    );
    expect(batch.results.map((r: any) => r.accepted)).toEqual([true, false]);
    expect(batch.results[1].error).toMatchObject({ code: grpc.status.PERMISSION_DENIED, field: 'tenant_id', reason: 'PERMISSION_DENIED' });
    const other = await new Promise<grpc.ServiceError | null>((resolve) =>
      usage.GetUsage({ tenantId: 'globex', featureId: 'tokens', start: '2020-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z' }, withCredential(acmeKey.key), (err) => resolve(err)),
    );
    expect(other?.code).toBe(grpc.status.PERMISSION_DENIED);
    usage.close();
  });

  it('requires credentials on POST /v1/events too', async () => {
    const url = `http://${sidecar.httpAddress}/v1/events`;
    const body = JSON.stringify({ specversion: '1.0', id: '01JD0000000000000000000000', source: 'svc', type: 'tokens', subject: 'acme', data: { quantity: '1' } });
    const headers = { 'content-type': 'application/cloudevents+json' };
    const anonymous = await fetch(url, { method: 'POST', headers, body });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toBe('application/problem+json');
    const wrongTenant = await fetch(url, { method: 'POST', headers: { ...headers, authorization: `Bearer ${acmeKey.key}` }, body: body.replace('"subject":"acme"', '"subject":"globex"') });
    expect(wrongTenant.status).toBe(403);
    const ok = await fetch(url, { method: 'POST', headers: { ...headers, 'x-api-key': acmeKey.key }, body });
    expect(ok.status).toBe(202);
  });
});
