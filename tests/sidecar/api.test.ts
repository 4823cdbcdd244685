import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisKeys } from '../../common/keys.js';
import { snapshotFor } from '../../common/snapshot.js';
import { publishSnapshots } from '../../common/snapshot-store.js';
import { freePort, waitFor } from '../harness/ports.js';
import { sharedRedisUrl } from '../harness/redis.js';
import { catalog, quotaClient, spawnSidecarProcess, startTestSidecar, testConfig, type QuotaClient } from './support.js';

const redisUrl = sharedRedisUrl(inject('redisUrl'));

describe('invalid input', () => {
  let client: QuotaClient;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ client, stop } = await startTestSidecar(testConfig(catalog([{ id: 'f', rate_limit: { per_second: 10 } }]), redisUrl)));
  });
  afterAll(() => stop());

  const invalid = async (promise: Promise<unknown>) => {
    const err = (await promise.then(() => undefined, (e: grpc.ServiceError) => e))!;
    expect(err, 'expected INVALID_ARGUMENT').toBeDefined();
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    return err.details;
  };
  const ok = { tenantId: 'acme', featureId: 'f', cost: 1 };

  it.each([
    [{ ...ok, tenantId: '' }, 'tenant_id: is required'],
    [{ ...ok, featureId: '' }, 'feature_id: is required'],
    [{ ...ok, tenantId: 'x'.repeat(129) }, 'tenant_id: is 129 characters; at most 128 are allowed'],
    [{ ...ok, featureId: 'f'.repeat(500) }, 'feature_id: is 500 characters'],
    [{ ...ok, tenantId: 'acme corp' }, 'tenant_id: may contain only'],
    [{ ...ok, featureId: '{x}' }, 'feature_id: may contain only'],
    [{ ...ok, cost: -1 }, 'cost: must not be negative'],
    [{ ...ok, cost: '9007199254740993' }, 'cost: 9007199254740993 is too large'],
  ])('Check %j → %s', async (request, message) => {
    expect(await invalid(client.check(request))).toContain(message);
  });

  it('rejects the other calls\' bad fields by name', async () => {
    expect(await invalid(client.reserve({ tenantId: 'acme', featureId: 'f', estimate: 0 }))).toBe('estimate: must be greater than 0');
    expect(await invalid(client.reserve({ tenantId: 'acme', featureId: 'f', estimate: 1, ttlMs: 90_000_000 }))).toContain('ttl_ms');
    expect(await invalid(client.reserve({ tenantId: 'acme', featureId: 'f', estimate: 1, reservationId: 'a b' }))).toContain('reservation_id');
    expect(await invalid(client.commit({ tenantId: 'acme', reservationId: '', actual: 1 }))).toBe('reservation_id: is required');
    expect(await invalid(client.commit({ tenantId: 'acme', reservationId: 'r', actual: -5 }))).toContain('actual: must not be negative');
    expect(await invalid(client.release({ tenantId: '', reservationId: 'r' }))).toBe('tenant_id: is required');
    expect(await invalid(client.checkEntitlement({ tenantId: 'acme', featureId: '' }))).toBe('feature_id: is required');
    expect(await invalid(client.checkBatch({ items: Array.from({ length: 1001 }, () => ok) }))).toContain('items: has 1001 entries');
  });

  it('names the field in metadata too', async () => {
    const err = await client.check({ ...ok, cost: -1 }).catch((e: grpc.ServiceError) => e);
    expect((err as grpc.ServiceError).metadata.get('tollgate-field')).toEqual(['cost']);
  });
});

describe('health, reflection, metrics', () => {
  it('serves grpc.health.v1, server reflection, /metrics, /healthz and /readyz', async () => {
    const { sidecar, stop } = await startTestSidecar(testConfig(catalog([{ id: 'f' }]), redisUrl));
    try {
      const root = resolve('node_modules/grpc-health-check/proto/health/v1/health.proto');
      const healthDef = protoLoader.loadSync(root, { keepCase: true, defaults: true, enums: String });
      const Health = (grpc.loadPackageDefinition(healthDef) as any).grpc.health.v1.Health;
      const health = new Health(sidecar.grpcAddress, grpc.credentials.createInsecure());
      const check = (service: string) => new Promise<any>((res, rej) => health.Check({ service }, (e: any, r: any) => (e ? rej(e) : res(r))));
      expect((await check('')).status).toBe('SERVING');
      expect((await check('tollgate.v1.QuotaService')).status).toBe('SERVING');
      health.close();

      const reflDef = protoLoader.loadSync(resolve('node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto'), { keepCase: true, defaults: true });
      const Reflection = (grpc.loadPackageDefinition(reflDef) as any).grpc.reflection.v1.ServerReflection;
      const refl = new Reflection(sidecar.grpcAddress, grpc.credentials.createInsecure());
      const services = await new Promise<string[]>((res, rej) => {
        const stream = refl.ServerReflectionInfo();
        stream.on('data', (m: any) => {
          res(m.list_services_response.service.map((s: any) => s.name));
          stream.end();
        });
        stream.on('error', rej);
        stream.write({ list_services: '' });
      });
      expect(services).toEqual(expect.arrayContaining(['tollgate.v1.QuotaService', 'tollgate.v1.EntitlementService']));
      refl.close();

      const metrics = await (await fetch(`http://${sidecar.httpAddress}/metrics`)).text();
      for (const name of ['tollgate_decisions_total', 'tollgate_decision_seconds', 'tollgate_redis_round_trips_total', 'tollgate_lease_hits_total', 'tollgate_degraded_decisions_total']) {
        expect(metrics).toContain(`# TYPE ${name}`);
      }
      expect((await fetch(`http://${sidecar.httpAddress}/healthz`)).status).toBe(200);
      expect(await (await fetch(`http://${sidecar.httpAddress}/readyz`)).json()).toMatchObject({ status: 'ready', redis_up: true });
      const missing = await fetch(`http://${sidecar.httpAddress}/nope`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toBe('application/problem+json');
    } finally {
      await stop();
    }
  });
});

describe('entitlement snapshots in Redis', () => {
  it('take precedence over the file and reach a running sidecar within a second', async () => {
    const config = testConfig(catalog([{ id: 'f', rate_limit: { per_second: 10 } }]), redisUrl);
    const { client, stop } = await startTestSidecar(config);
    const redis = new Redis(redisUrl);
    try {
      const keys = new RedisKeys(config.redis.key_prefix);
      expect((await client.check({ tenantId: 'acme', featureId: 'f', cost: 1 })).allowed).toBe(true);
      const plan = config.plans[0];
      await publishSnapshots(redis, keys, [snapshotFor({ ...config.tenants[0], status: 'suspended' }, plan, 5, new Date())]);
      const started = Date.now();
      await waitFor('suspension to arrive', async () => ((await client.check({ tenantId: 'acme', featureId: 'f', cost: 1 })).reason === 'SUBSCRIPTION_INACTIVE' ? true : undefined), 1000, 10);
      expect(Date.now() - started).toBeLessThan(1000);
      // A brand-new tenant published to Redis is known without a restart.
      await publishSnapshots(redis, keys, [snapshotFor({ id: 'newco', plan: 'p', status: 'active', api_keys: [] }, plan, 1, new Date())]);
      await waitFor('new tenant', async () => ((await client.check({ tenantId: 'newco', featureId: 'f', cost: 1 })).allowed ? true : undefined), 1000, 10);
      // An older version never replaces a newer one.
      await publishSnapshots(redis, keys, [snapshotFor({ ...config.tenants[0], status: 'active' }, plan, 4, new Date())]);
      await new Promise((r) => setTimeout(r, 100));
      expect((await client.check({ tenantId: 'acme', featureId: 'f', cost: 1 })).reason).toBe('SUBSCRIPTION_INACTIVE');
    } finally {
      redis.disconnect();
      await stop();
    }
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM stops accepting, finishes in-flight calls and exits 0', async () => {
    const config = testConfig(catalog([{ id: 'f', rate_limit: { per_second: 100000, burst: 100000 } }]), redisUrl);
    const dir = mkdtempSync(join(tmpdir(), 'tg-term-'));
    const file = join(dir, 'tollgate.yaml');
    writeFileSync(file, stringify({ data_dir: join(dir, 'data'), redis: config.redis, plans: config.plans, tenants: config.tenants }));
    const socket = join(dir, 'sidecar.sock');
    const { child, grpc: grpcAddress, logs, exited } = await spawnSidecarProcess(file, ['--socket', socket]);
    // Both transports answer: TCP and the unix socket.
    const viaSocket = quotaClient(`unix:${socket}`);
    expect((await viaSocket.check({ tenantId: 'acme', featureId: 'f', cost: 1 })).allowed).toBe(true);
    viaSocket.close();
    const client = quotaClient(grpcAddress);
    await client.check({ tenantId: 'acme', featureId: 'f', cost: 0 });
    const inFlight = Array.from({ length: 2000 }, () => client.check({ tenantId: 'acme', featureId: 'f', cost: 1 }));
    await Promise.race(inFlight);
    child.kill('SIGTERM');
    const results = await Promise.allSettled(inFlight);
    expect(await exited).toBe(0);
    // Calls that reached the server before the signal were answered; the rest were refused, none left hanging.
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThan(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason.code).toBe(grpc.status.UNAVAILABLE);
    expect(logs()).toContain('sidecar stopped');
    expect(existsSync(socket)).toBe(false);
    await expect(client.check({ tenantId: 'acme', featureId: 'f', cost: 1 })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    client.close();
  });
});
