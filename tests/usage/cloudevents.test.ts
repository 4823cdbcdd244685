import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { monotonicFactory } from 'ulid';
import { sharedClickHouseUrl } from '../harness/clickhouse.js';
import { eventually, startUsageSidecar, usageTestConfig, WIDE, type UsageClient } from './support.js';

const ulid = monotonicFactory();

function cloudEvent(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = { quantity: '1.25' }) {
  return { specversion: '1.0', id: ulid(), source: 'checkout', type: 'tokens', subject: 'acme', time: new Date().toISOString(), data, ...overrides };
}

describe('CloudEvents over HTTP: POST /v1/events', () => {
  let base: string;
  let client: UsageClient;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    const started = await startUsageSidecar(usageTestConfig({ clickhouseUrl: sharedClickHouseUrl(inject('clickhouseUrl')) }));
    base = `http://${started.sidecar.httpAddress}`;
    client = started.client;
    stop = started.stop;
  });
  afterAll(async () => stop?.());

  const post = (body: unknown, contentType: string) =>
    fetch(`${base}/v1/events`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('accepts one structured event with 202 and counts it', async () => {
    const event = cloudEvent({ subject: 'beta' }, { quantity: '1.25', attributes: { model: 'm1' } });
    const res = await post(event, 'application/cloudevents+json; charset=utf-8');
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ event_id: event.id, accepted: true });
    const total = await eventually(() => client.getUsage({ tenantId: 'beta', featureId: 'tokens', ...WIDE }), (u) => u.events === '1');
    expect(total).toMatchObject({ quantity: '1.25', events: '1' });
  });

  it('answers a refused event with problem+json naming the CloudEvents field', async () => {
    const unknownTenant = await post(cloudEvent({ subject: 'nobody' }), 'application/cloudevents+json');
    expect(unknownTenant.status).toBe(400);
    expect(unknownTenant.headers.get('content-type')).toBe('application/problem+json');
    expect(await unknownTenant.json()).toMatchObject({ status: 400, reason: 'UNKNOWN_TENANT', field: 'subject' });

    const numeric = await post(cloudEvent({}, { quantity: 1.25 }), 'application/cloudevents+json');
    expect(await numeric.json()).toMatchObject({ status: 400, field: 'data.quantity', reason: 'INVALID_CLOUDEVENT' });

    const longValue = await post(cloudEvent({}, { quantity: '1', attributes: { model: 'x'.repeat(300) } }), 'application/cloudevents+json');
    expect(await longValue.json()).toMatchObject({ reason: 'ATTRIBUTE_TOO_LONG', field: 'data.attributes.model' });

    const wrongVersion = await post(cloudEvent({ specversion: '0.3' }), 'application/cloudevents+json');
    expect(await wrongVersion.json()).toMatchObject({ field: 'specversion' });

    const notJson = await post('{', 'application/cloudevents+json');
    expect(notJson.status).toBe(400);

    const wrongType = await post(cloudEvent(), 'text/plain');
    expect(wrongType.status).toBe(415);
  });

  it('accepts a batch with per-event results in order', async () => {
    const good = cloudEvent({ subject: 'gamma' }, { quantity: '2' });
    const correction = cloudEvent({ subject: 'gamma' }, { correction: 'amend', corrects_event_id: good.id, quantity: '0.5' });
    const batch = [good, cloudEvent({ type: 'unknown-feature', subject: 'gamma' }), { specversion: '1.0', id: 'x' }, correction];
    const res = await post(batch, 'application/cloudevents-batch+json');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: Array<{ event_id: string; accepted: boolean; error?: { reason: string; field: string } }>; accepted: number; rejected: number };
    expect(body.accepted).toBe(2);
    expect(body.rejected).toBe(2);
    expect(body.results[0]).toEqual({ event_id: good.id, accepted: true });
    expect(body.results[1].error).toMatchObject({ reason: 'UNKNOWN_FEATURE', field: 'type' });
    expect(body.results[2].error).toMatchObject({ reason: 'INVALID_CLOUDEVENT', field: 'source' });
    expect(body.results[3].accepted).toBe(true);
    const total = await eventually(() => client.getUsage({ tenantId: 'gamma', featureId: 'tokens', ...WIDE }), (u) => u.quantity === '0.5');
    expect(total).toMatchObject({ quantity: '0.5', events: '1' });
  });

  it('refuses an oversized batch with 413', async () => {
    const res = await post(Array.from({ length: 10_001 }, () => cloudEvent()), 'application/cloudevents-batch+json');
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ reason: 'BATCH_TOO_LARGE' });
  });
});
