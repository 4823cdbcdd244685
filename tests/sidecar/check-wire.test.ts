import { describe, expect, it } from 'vitest';
import { loadQuotaProto } from '../../common/proto.js';
import { encodeCheckBatchResponse, encodeCheckResponse } from '../../sidecar/src/api/check-wire.js';
import { emptyDecision, type Decision } from '../../sidecar/src/domain/decision.js';

const { proto } = loadQuotaProto();
const generic = proto.tollgate.v1.QuotaService.service;

const full: Decision = {
  allowed: true,
  reason: 'OK',
  limit: 200,
  remaining: 199,
  resetAfterMs: 10,
  retryAfterMs: 0,
  overage: true,
  degraded: true,
  quotaLimit: 100_000,
  quotaRemaining: 99_999,
  snapshotVersion: 1_795_250_000_000,
};

describe('direct Check response encoders', () => {
  it.each([
    ['every field set', full],
    ['all defaults', emptyDecision(false, 'UNKNOWN_TENANT')],
    ['denied with retry', { ...emptyDecision(false, 'RATE_LIMITED', 3), limit: 5, retryAfterMs: 3_600_000, resetAfterMs: 18_000_000 }],
    ['large int64', { ...full, remaining: Number.MAX_SAFE_INTEGER }],
  ])('Check: %s decodes to the same message as the generic codec', (_name, decision) => {
    const direct = generic.Check.responseDeserialize(encodeCheckResponse(decision));
    const reference = generic.Check.responseDeserialize(generic.Check.responseSerialize(decision));
    expect(direct).toEqual(reference);
    expect(direct.reason).toBe(decision.reason);
    expect(direct.remaining).toBe(String(decision.remaining));
  });

  it('CheckBatch: decisions and item errors, in order', () => {
    const response = {
      results: [{ decision: full }, { error: { code: 3, message: 'items[1].tenant_id: is required', field: 'items[1].tenant_id' } }, { decision: emptyDecision(false, 'NOT_ENTITLED') }],
    };
    const direct = generic.CheckBatch.responseDeserialize(encodeCheckBatchResponse(response));
    expect(direct).toEqual(generic.CheckBatch.responseDeserialize(generic.CheckBatch.responseSerialize(response)));
    expect(direct.results.map((r) => r.result)).toEqual(['decision', 'error', 'decision']);
    expect(direct.results[2].decision?.reason).toBe('NOT_ENTITLED');
  });

  it('CheckBatch of 1,000 items round-trips', () => {
    const response = { results: Array.from({ length: 1000 }, (_, i) => ({ decision: { ...full, remaining: i } })) };
    const direct = generic.CheckBatch.responseDeserialize(encodeCheckBatchResponse(response));
    expect(direct.results).toHaveLength(1000);
    expect(direct.results[999].decision?.remaining).toBe('999');
  });
});
