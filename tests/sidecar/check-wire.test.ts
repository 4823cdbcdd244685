import { describe, expect, it } from 'vitest';
import { loadQuotaProto } from '../../common/proto.js';
import {
  decodeCheckBatchRequest,
  decodeCheckBatchResponse,
  decodeCheckRequest,
  decodeCheckResponse,
  encodeCheckBatchRequest,
  encodeCheckBatchResponse,
  encodeCheckRequest,
  encodeCheckResponse,
} from '../../sidecar/src/api/check-wire.js';
import { SidecarQuotaClient } from '../../sidecar/src/client/quota-client.js';
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

  it('CheckBatch: Decisions given as items directly, long and unicode error texts, extreme values', () => {
    const extreme = { ...full, limit: Number.MAX_SAFE_INTEGER, remaining: Number.MAX_SAFE_INTEGER, resetAfterMs: Number.MAX_SAFE_INTEGER, retryAfterMs: Number.MAX_SAFE_INTEGER, quotaLimit: Number.MAX_SAFE_INTEGER, quotaRemaining: Number.MAX_SAFE_INTEGER, snapshotVersion: Number.MAX_SAFE_INTEGER, reason: 'STORE_UNAVAILABLE' as const };
    const longError = { error: { code: 7, message: `items[12].tenant_id: this API key belongs to another tenant and cannot act for "${'ü'.repeat(200)}"`, field: 'items[12].tenant_id' } };
    const asItems = { results: [{ decision: full }, longError, { decision: extreme }, { decision: emptyDecision(false, 'UNKNOWN_TENANT') }, { error: { code: 0, message: '', field: '' } }] };
    const reference = generic.CheckBatch.responseDeserialize(generic.CheckBatch.responseSerialize(asItems));
    expect(generic.CheckBatch.responseDeserialize(encodeCheckBatchResponse(asItems))).toEqual(reference);
    // The sidecar's own shape: the Decision itself as the item.
    const direct = { results: [full, longError, extreme, emptyDecision(false, 'UNKNOWN_TENANT'), { error: { code: 0, message: '', field: '' } }] };
    expect(generic.CheckBatch.responseDeserialize(encodeCheckBatchResponse(direct))).toEqual(reference);
    // Encoding into the shared buffer leaves no trace in the next message.
    expect(generic.Check.responseDeserialize(encodeCheckResponse(full))).toEqual(generic.Check.responseDeserialize(generic.Check.responseSerialize(full)));
  });
});

describe('direct Check request decoders', () => {
  it.each([
    ['a plain check', { tenantId: 'acme', featureId: 'api-calls', cost: 1, dryRun: false }],
    ['defaults', {}],
    ['dry run, zero cost', { tenantId: 't', featureId: 'f', cost: 0, dryRun: true }],
    ['negative cost', { tenantId: 't', featureId: 'f', cost: -1 }],
    ['cost at 2^53 + 1', { tenantId: 't', featureId: 'f', cost: '9007199254740993' }],
    ['cost at int64 max', { tenantId: 't', featureId: 'f', cost: '9223372036854775807' }],
    ['unicode ids', { tenantId: 'ténant', featureId: 'ƒ', cost: 300 }],
  ])('Check: %s decodes as the generic codec does', (_name, request) => {
    const bytes = generic.Check.requestSerialize(request);
    expect(decodeCheckRequest(bytes)).toEqual(generic.Check.requestDeserialize(bytes));
  });

  it('CheckBatch: items in order, unknown fields skipped', () => {
    const request = { items: [{ tenantId: 'a', featureId: 'f', cost: 2 }, {}, { tenantId: 'b', featureId: 'g', cost: -7, dryRun: true }] };
    const bytes = generic.CheckBatch.requestSerialize(request);
    expect(decodeCheckBatchRequest(bytes)).toEqual(generic.CheckBatch.requestDeserialize(bytes));
    // A field this version does not know (number 9, varint) is skipped, as protobuf requires.
    const withUnknown = Buffer.concat([Buffer.from([0x48, 0x05]), bytes]);
    expect(decodeCheckBatchRequest(withUnknown).items).toHaveLength(3);
  });

  it('ids decode to the same strings every time, ASCII ones shared, others decoded as usual', () => {
    const ids = ['t000', 'f0', 't000x', 'x'.repeat(64), 'y'.repeat(65), 'ténant', 'ƒ', 't001', 'f1'];
    for (let round = 0; round < 3; round++) {
      for (const tenantId of ids) {
        const bytes = generic.Check.requestSerialize({ tenantId, featureId: `${tenantId}-f`, cost: 1 });
        expect(decodeCheckRequest(bytes)).toEqual(generic.Check.requestDeserialize(bytes));
      }
    }
    // Many distinct ids (more than the table holds) still decode exactly.
    for (let i = 0; i < 10_000; i++) {
      const bytes = generic.Check.requestSerialize({ tenantId: `tenant-${i}`, featureId: `f${i % 7}`, cost: i });
      expect(decodeCheckRequest(bytes)).toEqual(generic.Check.requestDeserialize(bytes));
    }
  });

  it('refuses truncated input', () => {
    const bytes = generic.Check.requestSerialize({ tenantId: 'acme', featureId: 'f', cost: 5 });
    expect(() => decodeCheckRequest(bytes.subarray(0, bytes.length - 3))).toThrow();
  });
});

describe('client codecs', () => {
  it('requests encode as the generic codec reads them', () => {
    const item = { tenantId: 'acme', featureId: 'f', cost: 12, dryRun: true };
    expect(generic.Check.requestDeserialize(encodeCheckRequest(item))).toEqual(generic.Check.requestDeserialize(generic.Check.requestSerialize(item)));
    const batch = { items: [item, { tenantId: 'b', featureId: 'g', cost: 0 }] };
    expect(generic.CheckBatch.requestDeserialize(encodeCheckBatchRequest(batch))).toEqual(generic.CheckBatch.requestDeserialize(generic.CheckBatch.requestSerialize(batch)));
  });

  it('responses decode to decisions with numbers', () => {
    expect(decodeCheckResponse(encodeCheckResponse(full))).toEqual(full);
    const response = { results: [{ decision: full }, { error: { code: 3, message: 'bad', field: 'items[1].cost' } }] };
    expect(decodeCheckBatchResponse(encodeCheckBatchResponse(response)).results).toEqual(response.results);
  });
});

describe('SidecarQuotaClient against a real sidecar', () => {
  it('checks one and many, with the same decisions as the generic client', async () => {
    const { startTestSidecar, testConfig, catalog } = await import('./support.js');
    const { sharedRedisUrl } = await import('../harness/redis.js');
    const { inject } = await import('vitest');
    const t = await startTestSidecar(testConfig(catalog([{ id: 'f', rate_limit: { per_hour: 1, burst: 3 } }]), sharedRedisUrl(inject('redisUrl'))));
    const client = new SidecarQuotaClient(t.sidecar.grpcAddress);
    try {
      expect(await client.check({ tenantId: 'acme', featureId: 'f', cost: 1 })).toMatchObject({ allowed: true, reason: 'OK', limit: 3, remaining: 2 });
      const results = await client.checkBatch([
        { tenantId: 'acme', featureId: 'f', cost: 2 },
        { tenantId: '', featureId: 'f', cost: 1 },
        { tenantId: 'acme', featureId: 'f', cost: 1 },
      ]);
      expect(results.map((r) => r.decision?.reason ?? r.error?.field)).toEqual(['OK', 'items[1].tenant_id', 'RATE_LIMITED']);
      expect(results[2].decision?.retryAfterMs).toBeGreaterThan(3_000_000);
    } finally {
      client.close();
      await t.stop();
    }
  });
});

describe('SidecarQuotaClient on the unix socket', () => {
  it('asks in the local call protocol, with the same decisions, errors and caller authentication as over gRPC', async () => {
    const { startTestSidecar, testConfig, catalog } = await import('./support.js');
    const { sharedRedisUrl } = await import('../harness/redis.js');
    const { inject } = await import('vitest');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const socket = join(mkdtempSync(join(tmpdir(), 'quota-client-')), 'sidecar.sock');
    const t = await startTestSidecar(testConfig(catalog([{ id: 'f', rate_limit: { per_hour: 1, burst: 3 } }]), sharedRedisUrl(inject('redisUrl'))), { socket });
    const local = new SidecarQuotaClient(`unix:${socket}`);
    const overGrpc = new SidecarQuotaClient(`unix:${socket}`, { transport: 'grpc' });
    const stranger = new SidecarQuotaClient(`unix:${socket}`, { credential: 'tg_live_0000000000000000_not-a-key' });
    try {
      const before = t.sidecar.fastPath!.calls;
      expect(await local.check({ tenantId: 'acme', featureId: 'f', cost: 1 })).toMatchObject({ allowed: true, reason: 'OK', limit: 3, remaining: 2 });
      const results = await local.checkBatch([
        { tenantId: 'acme', featureId: 'f', cost: 1 },
        { tenantId: '', featureId: 'f', cost: 1 },
      ]);
      expect(results.map((r) => r.decision?.reason ?? r.error?.field)).toEqual(['OK', 'items[1].tenant_id']);
      expect(t.sidecar.fastPath!.calls, 'no gRPC call was made').toBe(before);
      expect(await overGrpc.check({ tenantId: 'acme', featureId: 'f', cost: 1 })).toMatchObject({ allowed: true, remaining: 0 });
      expect(t.sidecar.fastPath!.calls).toBe(before + 1);
      await expect(stranger.check({ tenantId: 'acme', featureId: 'f', cost: 1 })).rejects.toMatchObject({ code: 16, details: 'invalid credentials: neither a known API key nor a service token' });
    } finally {
      for (const c of [local, overGrpc, stranger]) c.close();
      await t.stop();
    }
  });
});

describe('bench:check batch load generator', () => {
  it('counts items and allowed items of a framed CheckBatchResponse, and refuses errors and truncation', async () => {
    const { countBatchResponse, batchBodies } = await import('../../bench/check/batch-loadgen.js');
    const framed = (message: Buffer) => {
      const frame = Buffer.alloc(5 + message.length);
      frame.writeUInt32BE(message.length, 1);
      message.copy(frame, 5);
      return frame;
    };
    const denied = { ...emptyDecision(false, 'RATE_LIMITED', 1), retryAfterMs: 10 };
    const ok = { results: [full, denied, { ...full, remaining: 5 }, emptyDecision(false, 'NOT_ENTITLED')] };
    expect(countBatchResponse(framed(encodeCheckBatchResponse(ok)))).toEqual([4, 2]);
    const withError = { results: [full, { error: { code: 3, message: 'bad', field: 'items[1].cost' } }] };
    expect(() => countBatchResponse(framed(encodeCheckBatchResponse(withError)))).toThrow(/error/);
    const bytes = framed(encodeCheckBatchResponse(ok));
    expect(() => countBatchResponse(bytes.subarray(0, bytes.length - 2))).toThrow();
    // The request pool: framed CheckBatchRequests the generic codec reads back as 100 items each.
    const [first] = batchBodies('zipf', 100, 1_000);
    expect(first.readUInt32BE(1)).toBe(first.length - 5);
    expect(generic.CheckBatch.requestDeserialize(first.subarray(5)).items).toHaveLength(100);
  });
});
