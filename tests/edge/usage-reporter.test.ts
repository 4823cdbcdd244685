import * as grpc from '@grpc/grpc-js';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/log.js';
import { loadUsageProto } from '../../common/proto.js';
import { SidecarClient } from '../../gateway/src/adapters/sidecar-client.js';
import { UsageReporter } from '../../gateway/src/adapters/usage-reporter.js';
import type { ReportBatchRequest__Output } from '../../proto/gen/tollgate/v1/ReportBatchRequest.js';
import type { ReportBatchResponse } from '../../proto/gen/tollgate/v1/ReportBatchResponse.js';

/**
 * The gateway's usage reports travel on its HTTP/2 connection to the sidecar (SidecarClient), not on a grpc-js client.
 * Here against a real grpc-js UsageService: it must see whole batches with ids, and the reporter must count what the
 * service accepted, rejected, or could not take.
 */
async function startUsageService(serve: boolean, rejectFeature?: string) {
  const received: ReportBatchRequest__Output[] = [];
  const server = new grpc.Server();
  if (serve) {
    server.addService(loadUsageProto().proto.tollgate.v1.UsageService.service, {
      ReportBatch: (call: grpc.ServerUnaryCall<ReportBatchRequest__Output, ReportBatchResponse>, callback: grpc.sendUnaryData<ReportBatchResponse>) => {
        received.push(call.request);
        const results = call.request.events.map((e) =>
          e.featureId === rejectFeature
            ? { eventId: e.eventId, accepted: false, error: { code: 3, message: `unknown feature ${e.featureId}`, field: 'feature_id' } }
            : { eventId: e.eventId, accepted: true },
        );
        callback(null, { results, accepted: results.filter((r) => r.accepted).length, rejected: results.filter((r) => !r.accepted).length });
      },
    });
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { server, port, received };
}

function counters() {
  const registry = new Registry();
  const failures = new Counter({ name: 'failures', help: 'h', labelNames: ['code'], registers: [registry] });
  const reported = new Counter({ name: 'reported', help: 'h', registers: [registry] });
  const value = async (name: string, code?: string) =>
    (await registry.getSingleMetric(name)!.get()).values.filter((v) => code === undefined || v.labels.code === code).reduce((n, v) => n + v.value, 0);
  return { failures, reported, value };
}

describe('UsageReporter over the sidecar connection', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanup.splice(0)) c();
  });

  const reporterFor = async (serve: boolean, rejectFeature?: string, maxBatch = 500) => {
    const service = await startUsageService(serve, rejectFeature);
    const sidecar = new SidecarClient(`127.0.0.1:${service.port}`, 1000, 2000);
    const c = counters();
    const reporter = new UsageReporter(sidecar, 'gateway-test', createLogger('gateway', 'silent'), c.failures, c.reported, 20, maxBatch);
    cleanup.push(() => {
      reporter.close();
      sidecar.close();
      service.server.forceShutdown();
    });
    return { reporter, received: service.received, ...c };
  };

  it('sends queued usage as one batch with an event id each, and counts what was accepted', async () => {
    const { reporter, received, value } = await reporterFor(true);
    const now = new Date('2026-11-21T12:00:00.000Z');
    for (let i = 0; i < 3; i++) reporter.add({ tenantId: 'acme', featureId: 'api-calls', quantity: i + 1, attributes: { route: '/api/' } }, now);
    await reporter.drain();
    expect(received).toHaveLength(1);
    const events = received[0]!.events;
    expect(events.map((e) => e.quantity)).toEqual(['1', '2', '3']);
    expect(events.every((e) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(e.eventId) && e.serviceId === 'gateway-test' && e.timestamp === now.toISOString())).toBe(true);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(3);
    expect(events[0]!.attributes).toEqual({ route: '/api/' });
    expect(await value('reported')).toBe(3);
    expect(await value('failures')).toBe(0);
  });

  it('flushes on its own after flushMs, and at maxBatch without waiting', async () => {
    const { reporter, received } = await reporterFor(true, undefined, 2);
    reporter.add({ tenantId: 'acme', featureId: 'api-calls', quantity: 1, attributes: {} }, new Date());
    reporter.add({ tenantId: 'acme', featureId: 'api-calls', quantity: 1, attributes: {} }, new Date());
    await expect.poll(() => received.length, { timeout: 1000 }).toBe(1);
    reporter.add({ tenantId: 'acme', featureId: 'api-calls', quantity: 5, attributes: {} }, new Date());
    await expect.poll(() => received.map((r) => r.events.length), { timeout: 1000 }).toEqual([2, 1]);
  });

  it('counts events the sidecar rejected', async () => {
    const { reporter, value } = await reporterFor(true, 'gone');
    reporter.add({ tenantId: 'acme', featureId: 'api-calls', quantity: 1, attributes: {} }, new Date());
    reporter.add({ tenantId: 'acme', featureId: 'gone', quantity: 1, attributes: {} }, new Date());
    await reporter.drain();
    expect(await value('reported')).toBe(1);
    expect(await value('failures', 'REJECTED')).toBe(1);
  });

  it('counts a batch the sidecar cannot take by its gRPC status, without throwing', async () => {
    const { reporter, value } = await reporterFor(false);
    reporter.add({ tenantId: 'acme', featureId: 'api-calls', quantity: 1, attributes: {} }, new Date());
    reporter.add({ tenantId: 'acme', featureId: 'api-calls', quantity: 1, attributes: {} }, new Date());
    await reporter.drain();
    expect(await value('failures', 'UNIMPLEMENTED')).toBe(2);
    expect(await value('reported')).toBe(0);
  });
});
