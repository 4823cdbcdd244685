import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sharedClickHouseUrl } from '../harness/clickhouse.js';
import { sharedRedisUrl } from '../harness/redis.js';
import { openUsageReader } from '../../common/clickhouse/usage-reader.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sidecarCaller, type LocalCallClient } from '../../common/local-call-client.js';
import { loadUsageProto } from '../../common/proto.js';
import type { ReportBatchResponse__Output } from '../../proto/gen/tollgate/v1/ReportBatchResponse.js';
import { usageModule } from '../../sidecar/src/usage/module.js';
import { startSidecarWith } from '../sidecar/support.js';
import { eventually, quiet, startUsageSidecar, usageClient, usageTestConfig, WIDE, type UsageClient } from './support.js';
import type { TollgateConfig } from '../../common/config/schema.js';
import type { SidecarHandle } from '../../sidecar/src/server.js';
import { monotonicFactory } from 'ulid';

const ulid = monotonicFactory();
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('usage ingestion end to end (ClickHouse server)', () => {
  let config: TollgateConfig;
  let client: UsageClient;
  let sidecar: SidecarHandle;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    config = usageTestConfig({ clickhouseUrl: sharedClickHouseUrl(inject('clickhouseUrl')), redisUrl: sharedRedisUrl(inject('redisUrl')) });
    ({ client, sidecar, stop } = await startUsageSidecar(config));
  });
  afterAll(async () => {
    await stop?.();
  });

  const usage = (tenantId: string, featureId: string) => client.getUsage({ tenantId, featureId, ...WIDE });

  it('Report → GetUsage: generated ids are returned, totals are exact decimals', async () => {
    const a = await client.report({ tenantId: 'acme', featureId: 'tokens', quantity: '0.1' });
    const b = await client.report({ tenantId: 'acme', featureId: 'tokens', quantity: '0.2', attributes: { model: 'gpt' } });
    expect(a.accepted).toBe(true);
    expect(a.eventId).toMatch(ULID);
    expect(b.eventId > a.eventId).toBe(true);
    const total = await eventually(() => usage('acme', 'tokens'), (u) => u.events === '2');
    expect(total).toMatchObject({ quantity: '0.3', events: '2' });
  });

  it('counts one event id sent three times once', async () => {
    const id = ulid();
    const event = { eventId: id, tenantId: 'beta', featureId: 'tokens', quantity: '7' };
    for (let i = 0; i < 3; i++) expect(await client.report(event)).toMatchObject({ eventId: id, accepted: true });
    const batch = await client.reportBatch({ events: [event, event] });
    expect(batch.accepted).toBe(2);
    await eventually(() => sidecar.context.metrics.getSingleMetric('tollgate_usage_spool_events')!.get(), (m) => m.values[0]?.value === 0);
    const total = await eventually(() => usage('beta', 'tokens'), (u) => u.events === '1');
    expect(total).toMatchObject({ quantity: '7', events: '1' });
  });

  it('refuses each invalid event in a batch with its own error and accepts the rest', async () => {
    const now = Date.now();
    const cases: Array<[string, object, string, string]> = [
      ['unknown tenant', { tenantId: 'nobody', featureId: 'tokens', quantity: '1' }, 'UNKNOWN_TENANT', 'tenant_id'],
      ['unknown feature', { tenantId: 'acme', featureId: 'nope', quantity: '1' }, 'UNKNOWN_FEATURE', 'feature_id'],
      ['missing tenant', { featureId: 'tokens', quantity: '1' }, 'MISSING_FIELD', 'tenant_id'],
      ['malformed tenant id', { tenantId: 'a b', featureId: 'tokens', quantity: '1' }, 'INVALID_ID', 'tenant_id'],
      ['malformed service id', { tenantId: 'acme', serviceId: '-x', featureId: 'tokens', quantity: '1' }, 'INVALID_ID', 'service_id'],
      ['negative quantity', { tenantId: 'acme', featureId: 'tokens', quantity: '-1' }, 'INVALID_QUANTITY', 'quantity'],
      ['float-ish quantity', { tenantId: 'acme', featureId: 'tokens', quantity: '1e3' }, 'INVALID_QUANTITY', 'quantity'],
      ['too precise quantity', { tenantId: 'acme', featureId: 'tokens', quantity: '0.0000000001' }, 'INVALID_QUANTITY', 'quantity'],
      ['too large quantity', { tenantId: 'acme', featureId: 'tokens', quantity: '1'.repeat(21) }, 'INVALID_QUANTITY', 'quantity'],
      ['missing quantity', { tenantId: 'acme', featureId: 'tokens' }, 'MISSING_FIELD', 'quantity'],
      ['malformed event id', { eventId: 'not-a-ulid', tenantId: 'acme', featureId: 'tokens', quantity: '1' }, 'INVALID_EVENT_ID', 'event_id'],
      ['bad timestamp', { tenantId: 'acme', featureId: 'tokens', quantity: '1', timestamp: 'yesterday' }, 'INVALID_TIMESTAMP', 'timestamp'],
      ['timestamp 6 min ahead', { tenantId: 'acme', featureId: 'tokens', quantity: '1', timestamp: new Date(now + 6 * 60_000).toISOString() }, 'TIMESTAMP_IN_FUTURE', 'timestamp'],
      ['timestamp 36 days old', { tenantId: 'acme', featureId: 'tokens', quantity: '1', timestamp: new Date(now - 36 * 86_400_000).toISOString() }, 'TIMESTAMP_TOO_OLD', 'timestamp'],
      ['too many attributes', { tenantId: 'acme', featureId: 'tokens', quantity: '1', attributes: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) }, 'TOO_MANY_ATTRIBUTES', 'attributes'],
      ['attribute key too long', { tenantId: 'acme', featureId: 'tokens', quantity: '1', attributes: { ['k'.repeat(65)]: 'v' } }, 'ATTRIBUTE_TOO_LONG', 'attributes'],
      ['attribute value too long', { tenantId: 'acme', featureId: 'tokens', quantity: '1', attributes: { model: 'v'.repeat(257) } }, 'ATTRIBUTE_TOO_LONG', 'attributes[model]'],
      ['correction without target', { tenantId: 'acme', featureId: 'tokens', quantity: '1', correction: 'AMEND' }, 'INVALID_CORRECTION', 'corrects_event_id'],
      ['target without kind', { tenantId: 'acme', featureId: 'tokens', quantity: '1', correctsEventId: ulid() }, 'INVALID_CORRECTION', 'correction'],
      ['malformed correction target', { tenantId: 'acme', featureId: 'tokens', correction: 'VOID', correctsEventId: 'x' }, 'INVALID_EVENT_ID', 'corrects_event_id'],
    ];
    const valid = { tenantId: 'acme', featureId: 'tokens', quantity: '0', timestamp: new Date(now - 35 * 86_400_000 + 60_000).toISOString() };
    const response = await client.reportBatch({ events: [valid, ...cases.map((c) => c[1]), valid] });
    expect(response.accepted).toBe(2);
    expect(response.rejected).toBe(cases.length);
    expect(response.results[0].accepted).toBe(true);
    expect(response.results[cases.length + 1].accepted).toBe(true);
    cases.forEach(([name, , reason, field], i) => {
      const result = response.results[i + 1];
      expect({ name, accepted: result.accepted, reason: result.error?.reason, field: result.error?.field, code: result.error?.code }).toEqual({ name, accepted: false, reason, field, code: status.INVALID_ARGUMENT });
      expect(result.error!.message).toContain(field);
    });
  });

  it('answers a refused single Report with a gRPC error naming the field and the reason', async () => {
    const err = (await client.report({ tenantId: 'acme', featureId: 'tokens', quantity: '1.5.2' }).catch((e: ServiceError) => e)) as ServiceError;
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/^quantity: /);
    expect(err.metadata.get('tollgate-field')).toEqual(['quantity']);
    expect(err.metadata.get('tollgate-reason')).toEqual(['INVALID_QUANTITY']);
  });

  it('refuses an oversized batch as a whole', async () => {
    const events = Array.from({ length: config.usage.max_batch_events + 1 }, () => ({ tenantId: 'acme', featureId: 'tokens', quantity: '1' }));
    const err = (await client.reportBatch({ events }).catch((e: ServiceError) => e)) as ServiceError;
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/^events: 10001 events in one batch; at most 10000/);
  });

  it('enforces the quota on report for enforce_on_report features, explicitly, and never re-charges a retried event', async () => {
    const first = { eventId: ulid(), tenantId: 'acme', featureId: 'calls', quantity: '1' };
    expect((await client.report(first)).accepted).toBe(true);
    expect((await client.report(first)).accepted).toBe(true); // a retry: not charged again
    const more = await client.reportBatch({ events: Array.from({ length: 5 }, () => ({ tenantId: 'acme', featureId: 'calls', quantity: '1' })) });
    expect(more.results.map((r) => r.accepted)).toEqual([true, true, true, true, false]);
    expect(more.results[4].error).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'QUOTA_EXHAUSTED', field: 'quantity' });
    const err = (await client.report({ tenantId: 'acme', featureId: 'calls', quantity: '1' }).catch((e: ServiceError) => e)) as ServiceError;
    expect(err.code).toBe(status.FAILED_PRECONDITION);
    expect(err.metadata.get('tollgate-reason')).toEqual(['QUOTA_EXHAUSTED']);
    // What passed enforcement counts, unchanged.
    expect(await eventually(() => usage('acme', 'calls'), (u) => u.events === '5')).toMatchObject({ quantity: '5', events: '5' });
  });

  it('applies void and amend to GetUsage, the hourly reader and the dashboard rollup', async () => {
    const base = Date.now() - 2 * 3_600_000;
    const ts = (offset: number) => new Date(base + offset).toISOString();
    const [a, b, c] = [ulid(), ulid(), ulid()];
    const reported = await client.reportBatch({
      events: [
        { eventId: a, tenantId: 'gamma', featureId: 'tokens', quantity: '2', timestamp: ts(0) },
        { eventId: b, tenantId: 'gamma', featureId: 'tokens', quantity: '3', timestamp: ts(1) },
        { eventId: c, tenantId: 'gamma', featureId: 'tokens', quantity: '4', timestamp: ts(2) },
      ],
    });
    expect(reported.accepted).toBe(3);
    await eventually(() => client.getUsage({ tenantId: 'gamma', featureId: 'tokens', ...WIDE }), (u) => u.quantity === '9');
    const voided = await client.report({ tenantId: 'gamma', featureId: 'tokens', correction: 'VOID', correctsEventId: a });
    const amended = await client.report({ tenantId: 'gamma', featureId: 'tokens', correction: 'AMEND', correctsEventId: b, quantity: '0.5' });
    expect(voided.accepted && amended.accepted).toBe(true);
    const total = await eventually(() => client.getUsage({ tenantId: 'gamma', featureId: 'tokens', ...WIDE }), (u) => u.quantity === '4.5');
    expect(total).toMatchObject({ quantity: '4.5', events: '2' });

    const reader = await openUsageReader(config);
    try {
      const hour = new Date(Math.floor(base / 3_600_000) * 3_600_000);
      const hourly = await reader.hourly({ from: hour, to: new Date(hour.getTime() + 2 * 3_600_000), tenantId: 'gamma' });
      expect(hourly.reduce((n, r) => n + r.events, 0)).toBe(2);
      const rollup = await eventually(
        () => reader.rollup({ from: hour, to: new Date(hour.getTime() + 2 * 3_600_000), tenantId: 'gamma', featureId: 'tokens' }),
        (rows) => rows.reduce((n, r) => n + r.events, 0) === 2,
      );
      expect(rollup).toEqual(hourly);
    } finally {
      await reader.close();
    }
  });

  it('takes a client stream and reports per event', async () => {
    const events = Array.from({ length: 250 }, (_, i) => ({ tenantId: 'acme', featureId: 'tokens', serviceId: 'stream', quantity: i === 7 ? 'x' : '1' }));
    const summary = await client.reportStream(events);
    expect(summary.accepted).toBe(249);
    expect(summary.results[7].error?.reason).toBe('INVALID_QUANTITY');
  });

  it('validates GetUsage arguments', async () => {
    const err = (await client.getUsage({ tenantId: 'acme', featureId: 'tokens', start: 'then', end: WIDE.end }).catch((e: ServiceError) => e)) as ServiceError;
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/^start: /);
  });

  it('exports spool and shipper metrics', async () => {
    const text = await (await fetch(`http://${sidecar.httpAddress}/metrics`)).text();
    for (const name of ['tollgate_usage_spool_events', 'tollgate_usage_spool_bytes', 'tollgate_usage_shipping_lag_seconds', 'tollgate_usage_ship_batch_events_bucket', 'tollgate_usage_ship_failures_total', 'tollgate_usage_ship_in_flight', 'tollgate_usage_events_total']) {
      expect(text).toContain(name);
    }
  });
});

describe('ReportBatch in the local call protocol on the unix socket', () => {
  it('accepts and refuses exactly as gRPC does, for a batch far larger than one socket read, and ships it', async () => {
    const socket = join(mkdtempSync(join(tmpdir(), 'usage-local-')), 'sidecar.sock');
    const config = usageTestConfig({ clickhouseUrl: sharedClickHouseUrl(inject('clickhouseUrl')), redisUrl: sharedRedisUrl(inject('redisUrl')) });
    const { client, stop } = await startSidecarWith(config, { logger: quiet, modules: [usageModule()], socket }, usageClient);
    const local = sidecarCaller(`unix:${socket}`, 10_000) as LocalCallClient;
    const reportBatch = loadUsageProto().proto.tollgate.v1.UsageService.service.ReportBatch;
    try {
      const attributes = { model: 'a'.repeat(100) };
      const events = Array.from({ length: 2000 }, (_, i) => ({ eventId: ulid(), tenantId: 'beta', featureId: 'tokens', quantity: `${i % 7}.5`, attributes }));
      const invalid = [{ tenantId: 'beta', featureId: 'nope', quantity: '1' }, { tenantId: 'beta', featureId: 'tokens', quantity: '-1' }];
      const message = reportBatch.requestSerialize({ events: [...events, ...invalid] });
      expect(message.length).toBeGreaterThan(256 * 1024);
      const viaLocal = reportBatch.responseDeserialize(await local.call(reportBatch.path, message)) as ReportBatchResponse__Output;
      expect(local.protocol).toBe('local');
      expect([viaLocal.accepted, viaLocal.rejected]).toEqual([2000, 2]);
      expect(viaLocal.results.slice(0, 2000).map((r) => r.eventId)).toEqual(events.map((e) => e.eventId));
      const viaGrpc = await client.reportBatch({ events: invalid });
      expect(viaLocal.results.slice(2000).map((r) => r.error)).toEqual(viaGrpc.results.map((r) => r.error));
      const expected = events.reduce((sum, _, i) => sum + (i % 7) * 2 + 1, 0) / 2;
      const shipped = await eventually(
        () => client.getUsage({ tenantId: 'beta', featureId: 'tokens', ...WIDE }),
        (u) => Number(u.events) === 2000,
      );
      expect(shipped.quantity).toBe(String(expected));
    } finally {
      local.close();
      await stop();
    }
  });
});
