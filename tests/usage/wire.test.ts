import { describe, expect, it } from 'vitest';
import { loadDefinition, tollgateProtoFile } from '../../common/proto.js';
import { decodeReportBatchRequest, encodeReportBatchResponse, WireError } from '../../sidecar/src/usage/api/report-batch-wire.js';

const definition = loadDefinition([tollgateProtoFile('usage.proto')]);
const reportBatch = (definition['tollgate.v1.UsageService'] as unknown as Record<string, { requestSerialize(v: unknown): Buffer; responseDeserialize(b: Buffer): unknown }>).ReportBatch;

describe('ReportBatch wire codec', () => {
  it('decodes what the generic codec encodes, field for field', () => {
    const events = [
      { eventId: '01JD6Q1Z8N7W3V4X5Y6Z7A8B9C', tenantId: 'acme', serviceId: 'svc', featureId: 'tokens', quantity: '12.5', timestamp: '2026-11-21T10:00:00.123Z', attributes: { model: 'm1', 'ключ': 'значение ✓', empty: '' } },
      { tenantId: 'beta', featureId: 'calls', quantity: '0', correction: 'AMEND', correctsEventId: '01JD6Q1Z8N7W3V4X5Y6Z7A8B9D' },
      { tenantId: 'x'.repeat(300), featureId: 'f', quantity: '1', correction: 'VOID' },
      {},
    ];
    const decoded = decodeReportBatchRequest(reportBatch.requestSerialize({ events }));
    expect(decoded).toEqual([
      { eventId: '01JD6Q1Z8N7W3V4X5Y6Z7A8B9C', tenantId: 'acme', serviceId: 'svc', featureId: 'tokens', quantity: '12.5', timestamp: '2026-11-21T10:00:00.123Z', attributes: { model: 'm1', 'ключ': 'значение ✓', empty: '' }, correctsEventId: '', correction: 'CORRECTION_KIND_UNSPECIFIED' },
      { eventId: '', tenantId: 'beta', serviceId: '', featureId: 'calls', quantity: '0', timestamp: '', attributes: undefined, correctsEventId: '01JD6Q1Z8N7W3V4X5Y6Z7A8B9D', correction: 'AMEND' },
      { eventId: '', tenantId: 'x'.repeat(300), serviceId: '', featureId: 'f', quantity: '1', timestamp: '', attributes: undefined, correctsEventId: '', correction: 'VOID' },
      { eventId: '', tenantId: '', serviceId: '', featureId: '', quantity: '', timestamp: '', attributes: undefined, correctsEventId: '', correction: 'CORRECTION_KIND_UNSPECIFIED' },
    ]);
  });

  it('skips unknown fields and refuses truncated input', () => {
    const bytes = reportBatch.requestSerialize({ events: [{ tenantId: 'acme', quantity: '1' }] });
    // Field 15 (varint) appended inside the event and at the top level.
    const withUnknown = Buffer.concat([Buffer.from([0x0a, bytes[1] + 2]), bytes.subarray(2), Buffer.from([0x78, 0x05]), Buffer.from([0x78, 0x01])]);
    expect(decodeReportBatchRequest(withUnknown)).toMatchObject([{ tenantId: 'acme', quantity: '1' }]);
    expect(() => decodeReportBatchRequest(bytes.subarray(0, bytes.length - 1))).toThrow(WireError);
  });

  it('encodes responses the generic codec reads back identically, including long ones', () => {
    const results = Array.from({ length: 3000 }, (_, i) =>
      i % 3 === 0
        ? { eventId: `01JD6Q1Z8N7W3V4X5Y6Z7A8B${String(i).padStart(2, '0').slice(-2)}`, accepted: false, error: { code: 3, message: `quantity: bad ${'é'.repeat(i % 200)}`, field: 'quantity', reason: 'INVALID_QUANTITY' } }
        : { eventId: `id-${i}`, accepted: true, error: null },
    );
    const response = { results, accepted: 2000, rejected: 1000 };
    expect(reportBatch.responseDeserialize(encodeReportBatchResponse(response))).toEqual(response);
    expect(reportBatch.responseDeserialize(encodeReportBatchResponse({ results: [], accepted: 0, rejected: 0 }))).toEqual({ results: [], accepted: 0, rejected: 0 });
  });
});
