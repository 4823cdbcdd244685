import { describe, expect, it } from 'vitest';
import { loadUsageProto } from '../../common/proto.js';
import { ReportBatchWriter, type ReportedUsageEvent } from '../../gateway/src/adapters/report-batch-writer.js';
import type { ReportBatchRequest__Output } from '../../proto/gen/tollgate/v1/ReportBatchRequest.js';

const reportBatch = loadUsageProto().proto.tollgate.v1.UsageService.service.ReportBatch;
const decode = (bytes: Buffer) => reportBatch.requestDeserialize(bytes) as ReportBatchRequest__Output;

const event = (over: Partial<ReportedUsageEvent> = {}): ReportedUsageEvent => ({
  eventId: '01JD0000000000000000000000',
  tenantId: 'acme',
  serviceId: 'gateway',
  featureId: 'api-calls',
  quantity: '1',
  timestamp: '2026-11-21T12:00:00.000Z',
  attributes: { route: '/api/', status: '200' },
  ...over,
});

describe('ReportBatchWriter', () => {
  it('writes the ReportBatchRequest that the generated codec reads back field for field', () => {
    const w = new ReportBatchWriter();
    const events = [
      event(),
      event({ eventId: '01JD0000000000000000000001', quantity: '12345678901234567890', attributes: {} }),
      // Non-ASCII text and a value past 127 bytes take the writer's UTF-8 path and two-byte lengths.
      event({ eventId: '01JD0000000000000000000002', tenantId: 'zürich', attributes: { route: '/ä/'.padEnd(300, 'x'), model: 'gpt' } }),
    ];
    for (const e of events) w.add(e);
    expect(w.size).toBe(3);
    const decoded = decode(w.take());
    expect(decoded.events.map((e) => ({ eventId: e.eventId, tenantId: e.tenantId, serviceId: e.serviceId, featureId: e.featureId, quantity: e.quantity, timestamp: e.timestamp, attributes: e.attributes }))).toEqual(events);
    expect(decoded.events.every((e) => e.correctsEventId === '' && e.correction === 'CORRECTION_KIND_UNSPECIFIED')).toBe(true);
  });

  it('starts an empty batch after take()', () => {
    const w = new ReportBatchWriter();
    w.add(event());
    w.take();
    expect(w.size).toBe(0);
    expect(decode(w.take()).events).toEqual([]);
    w.add(event({ quantity: '7' }));
    expect(decode(w.take()).events.map((e) => e.quantity)).toEqual(['7']);
  });
});
