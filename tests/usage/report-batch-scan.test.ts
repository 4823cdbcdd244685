import { describe, expect, it } from 'vitest';
import { usageRowTsv } from '../../common/clickhouse/usage-row.js';
import { loadDefinition, tollgateProtoFile } from '../../common/proto.js';
import type { SnapshotSource } from '../../common/snapshot-cache.js';
import type { EntitlementSnapshot, FeatureEntitlement } from '../../common/snapshot.js';
import { SummaryBuilder, type RecordSummary } from '../../sidecar/src/usage/adapters/usage-record.js';
import { BatchScanner, type ScanContext, type ScannedBatch } from '../../sidecar/src/usage/api/report-batch-scan.js';
import { decodeReportBatchRequest, encodeScannedResponse, WireError } from '../../sidecar/src/usage/api/report-batch-wire.js';
import { Code, validateEvent, type EventError } from '../../sidecar/src/usage/domain/validate-event.js';
import type { ReportOutcome } from '../../sidecar/src/usage/ingest.js';

const definition = loadDefinition([tollgateProtoFile('usage.proto')]);
const codec = (definition['tollgate.v1.UsageService'] as unknown as Record<string, { requestSerialize(v: unknown): Buffer; responseDeserialize(b: Buffer): unknown }>).ReportBatch;

const feature = (enforce = false): FeatureEntitlement => ({ on_store_failure: 'open', enforce_on_report: enforce, shadow: false });
const catalog: Record<string, Record<string, FeatureEntitlement>> = {
  acme: { tokens: feature(), 'api.calls': feature(), constructor: feature() },
  beta: { tokens: feature() },
  'we:ird_id-1.x': { tokens: feature() },
};
const snapshots: SnapshotSource = {
  get: (tenantId) => (Object.prototype.hasOwnProperty.call(catalog, tenantId) ? ({ features: catalog[tenantId] } as EntitlementSnapshot) : undefined),
  tenantForKeyHash: () => undefined,
};
const NOW = Date.UTC(2026, 11, 1, 10, 30, 0, 250);
const limits = { backdateMs: 35 * 86_400_000, maxFutureMs: 300_000, maxAttributes: 4, maxAttributeKeyLength: 12, maxAttributeValueLength: 20 };
const GENERATED = '01JD6Q1Z8N7W3V4X5Y6Z7A8B9G';
const baseContext: ScanContext = { nowMs: NOW, limits, snapshots, newEventId: () => GENERATED };

/** What the generic path (decode → tenant check → validateEvent → usageRowTsv) makes of the same bytes. */
function generic(bytes: Buffer, ctx: ScanContext): { outcomes: ReportOutcome[]; rows: string; summary: RecordSummary } {
  const summary = new SummaryBuilder();
  let rows = '';
  const outcomes = decodeReportBatchRequest(bytes).map((input): ReportOutcome => {
    const denied = ctx.denied?.(input.tenantId ?? '');
    if (denied) return { eventId: input.eventId ?? '', accepted: false, error: denied };
    const result = validateEvent(input, { nowMs: ctx.nowMs, limits: ctx.limits, featuresOf: (t) => snapshots.get(t)?.features, newEventId: ctx.newEventId });
    if (!result.ok) return { eventId: result.eventId, accepted: false, error: result.error };
    rows += usageRowTsv(result.row);
    summary.add(result.row.tenantId, result.row.featureId, result.row.eventTimeMs, result.row.correctsEventId);
    return { eventId: result.row.eventId, accepted: true };
  });
  return { outcomes, rows, summary: summary.build() };
}

function scanned(scan: ScannedBatch): ReportOutcome[] {
  return scan.outcomes.map((o, i) => o ?? { eventId: scan.ids.toString('latin1', i * 26, i * 26 + 26), accepted: true });
}

const sortedSummary = (s: RecordSummary) => ({
  hours: [...s.hours].map((h) => h.join('|')).sort(),
  minutes: [...(s.minutes ?? [])].map((m) => m.join('|')).sort(),
  corrections: [...s.corrections].map((c) => c.join('|')).sort(),
});

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const pickFrom = <T,>(random: () => number, values: readonly T[]): T => values[Math.floor(random() * values.length)];

const ULIDS = ['01JD6Q1Z8N7W3V4X5Y6Z7A8B9C', '01jd6q1z8n7w3v4x5y6z7a8b9d', '01JD6Q1Z8N7W3V4X5Y6Z7A8B9', '81JD6Q1Z8N7W3V4X5Y6Z7A8B9C', '01JD6Q1Z8N7W3V4X5Y6Z7A8BIC', '01JD6Q1Z8N7W3V4X5Y6Z7A8B9CX', 'not-a-ulid', '01JD6Q1Z8N7W3V4X5Y6Z7A8BÄ'];
const TENANTS = ['acme', 'beta', 'we:ird_id-1.x', 'nobody', 'bad tenant', 'ácme', 'a'.repeat(129), 'tab\there'];
const SERVICES = ['svc', 'svc-2.a:b_c', '-bad', 'white space', 'é', 'x'.repeat(129), 'y'.repeat(128)];
const FEATURES = ['tokens', 'api.calls', 'constructor', 'toString', '__proto__', 'missing', 'bad feature'];
const QUANTITIES = ['1', '0', '12.5', '007.500', '0.000', '000', '1.', '.5', '1e3', '-1', ' 1', '1.2.3', '0.123456789', '0.1234567891', '0.1234567890', '12345678901234567890', '123456789012345678901', '00000000000000000000001.10', '5٣'];
const TIMESTAMPS = [
  '2026-11-21T10:00:00.123Z',
  '2026-11-30T23:59:59.999Z',
  '2026-12-01T10:35:00.251Z',
  '2026-12-01T10:35:59.999Z',
  '2026-12-01T10:36:00.000Z',
  '2026-12-01T10:35:00.250Z',
  '2026-10-27T10:30:00.250Z',
  '2026-10-27T10:30:00.249Z',
  '2026-11-31T10:00:00.000Z',
  '2026-11-00T10:00:00.000Z',
  '2026-11-21T10:00:00Z',
  '2026-11-21t10:00:00.123z',
  '2026-11-21T12:00:00.123+02:00',
  '2026-11-21T10:00:00.1234Z',
  '2026-02-29T10:00:00.000Z',
  '2026-11-31T10:00:00.000Z',
  '2026-11-21T24:00:00.000Z',
  '2026-11-21T10:60:00.000Z',
  '2026-11-21X10:00:00.000Z',
  '1969-12-31T23:59:59.999Z',
  '2026-11-2lT10:00:00.000Z',
  'yesterday',
];
const KEYS = ['model', 'region', 'k', "it's", 'back\\slash', 'tab\tkey', 'nl\nkey', 'ключ', '42', '01', '__proto__', 'constructor', 'verylongkey123', '', 'nul\0'];
const VALUES = ['m1', '', 'eu-1', "it's", 'a\\b', 'cr\rlf\n', 'значение ✓', 'x'.repeat(21), 'y'.repeat(20), 'q"uote', 'nul\0'];

function randomEvent(random: () => number): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  const maybe = (p: number) => random() < p;
  if (maybe(0.85)) event.eventId = pickFrom(random, maybe(0.7) ? ULIDS.slice(0, 2) : ULIDS);
  if (maybe(0.97)) event.tenantId = pickFrom(random, maybe(0.7) ? TENANTS.slice(0, 3) : TENANTS);
  if (maybe(0.6)) event.serviceId = pickFrom(random, maybe(0.7) ? SERVICES.slice(0, 2) : SERVICES);
  if (maybe(0.97)) event.featureId = pickFrom(random, maybe(0.7) ? FEATURES.slice(0, 3) : FEATURES);
  if (maybe(0.95)) event.quantity = pickFrom(random, maybe(0.6) ? QUANTITIES.slice(0, 6) : QUANTITIES);
  if (maybe(0.8)) event.timestamp = pickFrom(random, maybe(0.6) ? TIMESTAMPS.slice(0, 7) : TIMESTAMPS);
  if (maybe(0.6)) {
    const attributes: Record<string, string> = {};
    const n = Math.floor(random() * 6);
    for (let i = 0; i < n; i++) attributes[pickFrom(random, maybe(0.7) ? KEYS.slice(0, 4) : KEYS)] = pickFrom(random, maybe(0.7) ? VALUES.slice(0, 4) : VALUES);
    event.attributes = attributes;
  }
  if (maybe(0.08)) event.correction = pickFrom(random, ['VOID', 'AMEND', 'CORRECTION_KIND_UNSPECIFIED']);
  if (maybe(0.08)) event.correctsEventId = pickFrom(random, ULIDS);
  return event;
}

describe('ReportBatch scan on bytes', () => {
  it('agrees with the generic decoder and validator on thousands of random events, valid and invalid', () => {
    const random = lcg(7);
    const scanner = new BatchScanner();
    let onBytes = 0;
    let total = 0;
    for (let round = 0; round < 300; round++) {
      const events = Array.from({ length: 1 + Math.floor(random() * 40) }, () => randomEvent(random));
      const bytes = codec.requestSerialize({ events });
      const scan = scanner.scan(bytes, baseContext)!;
      const expected = generic(bytes, baseContext);
      expect(scanned(scan)).toEqual(expected.outcomes);
      expect(scan.rows.toString('utf8')).toBe(expected.rows);
      expect(sortedSummary(scan.summary)).toEqual(sortedSummary(expected.summary));
      expect(scan.accepted).toBe(expected.outcomes.filter((o) => o.accepted).length);
      onBytes += scan.outcomes.filter((o) => o === undefined).length;
      total += events.length;
      scanner.recycle(scan);
    }
    // Both paths were exercised: a good share on bytes, and the rest through the generic one.
    expect(onBytes).toBeGreaterThan(total * 0.05);
    expect(onBytes).toBeLessThan(total * 0.9);
  });

  it('takes plain events on bytes: ULIDs upper-cased, quantities canonical, attributes escaped, ids generated', () => {
    const events = [
      { eventId: '01jd6q1z8n7w3v4x5y6z7a8b9c', tenantId: 'acme', serviceId: 'svc', featureId: 'tokens', quantity: '007.500', timestamp: '2026-11-21T10:00:00.005Z', attributes: { model: "it's", 'back\\slash': 'cr\rlf\n' } },
      { tenantId: 'beta', featureId: 'tokens', quantity: '0.000' },
    ];
    const bytes = codec.requestSerialize({ events });
    const scan = new BatchScanner().scan(bytes, baseContext)!;
    expect(scan.outcomes).toEqual([undefined, undefined]);
    expect(scan.rows.toString()).toBe(
      "acme\ttokens\t2026-11-21 10:00:00\t5\t01JD6Q1Z8N7W3V4X5Y6Z7A8B9C\tsvc\t7.5\t['model','back\\\\slash']\t['it\\'s','cr\\rlf\\n']\t\t\t2026-12-01 10:30:00\n" +
        `beta\ttokens\t2026-12-01 10:30:00\t250\t${GENERATED}\t\t0\t[]\t[]\t\t\t2026-12-01 10:30:00\n`,
    );
    expect(scan.rows.toString()).toBe(generic(bytes, baseContext).rows);
    // All accepted (the one-pass answer), with an accepted count that takes a two-byte varint.
    const many = codec.requestSerialize({ events: Array.from({ length: 300 }, (_, i) => ({ ...events[i % 2], eventId: i % 2 ? undefined : events[0].eventId })) });
    const manyScan = new BatchScanner().scan(many, baseContext)!;
    expect(manyScan.outcomes.every((o) => o === undefined)).toBe(true);
    expect(codec.responseDeserialize(encodeScannedResponse(manyScan))).toEqual({
      results: scanned(manyScan).map((o) => ({ eventId: o.eventId, accepted: true, error: null })),
      accepted: 300,
      rejected: 0,
    });
    expect(codec.responseDeserialize(encodeScannedResponse(new BatchScanner().scan(Buffer.alloc(0), baseContext)!))).toEqual({ results: [], accepted: 0, rejected: 0 });
  });

  it('keeps attribute keys in the order the generic path stores them (array-index keys first) and events before 1970 off the byte path', () => {
    const eventBody = (event: object) => {
      const bytes = codec.requestSerialize({ events: [event] });
      return bytes.subarray(2, 2 + bytes[1]);
    };
    // One event whose map entries arrive as model, 42, 7: the generic path stores 7, 42, model.
    const body = Buffer.concat([eventBody({ tenantId: 'acme', featureId: 'tokens', quantity: '1', attributes: { model: 'a' } }), eventBody({ attributes: { '42': 'b' } }), eventBody({ attributes: { '7': 'c' } })]);
    const bytes = Buffer.concat([Buffer.from([0x0a, body.length]), body]);
    const scan = new BatchScanner().scan(bytes, baseContext)!;
    expect(scan.accepted).toBe(1);
    expect(scan.rows.toString()).toBe(generic(bytes, baseContext).rows);
    expect(scan.rows.toString()).toContain("['7','42','model']\t['c','b','a']");
    // With a back-dating window reaching before 1970, such timestamps are valid: rows as the generic path makes them.
    const ancient = { ...baseContext, limits: { ...limits, backdateMs: 100 * 365 * 86_400_000 } };
    const old = codec.requestSerialize({ events: [{ tenantId: 'acme', featureId: 'tokens', quantity: '1', timestamp: '1969-12-31T23:59:59.998Z' }, { tenantId: 'acme', featureId: 'tokens', quantity: '1', timestamp: '1970-01-01T00:00:00.007Z' }] });
    const oldScan = new BatchScanner().scan(old, ancient)!;
    expect(oldScan.accepted).toBe(2);
    expect(oldScan.rows.toString()).toBe(generic(old, ancient).rows);
  });

  it('gives up (whole batch to the generic path) when an event needs a quota check on report', () => {
    catalog.gamma = { calls: feature(true), tokens: feature() };
    try {
      const plain = codec.requestSerialize({ events: [{ tenantId: 'gamma', featureId: 'tokens', quantity: '1' }] });
      expect(new BatchScanner().scan(plain, baseContext)).toBeDefined();
      const enforced = codec.requestSerialize({ events: [{ tenantId: 'gamma', featureId: 'tokens', quantity: '1' }, { tenantId: 'gamma', featureId: 'calls', quantity: '1' }] });
      expect(new BatchScanner().scan(enforced, baseContext)).toBeUndefined();
      // A correction is never charged: it stays on the scan (generic per event).
      const correction = codec.requestSerialize({ events: [{ eventId: ULIDS[0], tenantId: 'gamma', featureId: 'calls', correction: 'VOID', correctsEventId: ULIDS[1] }] });
      expect(new BatchScanner().scan(correction, baseContext)?.accepted).toBe(1);
    } finally {
      delete catalog.gamma;
    }
  });

  it("refuses another tenant's events for a tenant's API key, each with its own error", () => {
    const denied = (tenantId: string): EventError | undefined =>
      tenantId === 'acme' ? undefined : { code: Code.PERMISSION_DENIED, reason: 'PERMISSION_DENIED', field: 'tenant_id', message: `tenant_id: not "${tenantId}"` };
    const ctx = { ...baseContext, callerTenant: 'acme', denied };
    const bytes = codec.requestSerialize({
      events: [
        { eventId: ULIDS[0], tenantId: 'acme', featureId: 'tokens', quantity: '1' },
        { eventId: ULIDS[1], tenantId: 'beta', featureId: 'tokens', quantity: '1' },
        { eventId: 'junk', tenantId: 'nobody', featureId: 'tokens', quantity: '1' },
      ],
    });
    const scan = new BatchScanner().scan(bytes, ctx)!;
    expect(scanned(scan)).toEqual(generic(bytes, ctx).outcomes);
    expect(scanned(scan).map((o) => o.error?.reason)).toEqual([undefined, 'PERMISSION_DENIED', 'PERMISSION_DENIED']);
  });

  it('sees a catalog change at the next batch', () => {
    const scanner = new BatchScanner();
    const bytes = codec.requestSerialize({ events: [{ tenantId: 'beta', featureId: 'api.calls', quantity: '1' }] });
    expect(scanner.scan(bytes, baseContext)!.accepted).toBe(0);
    catalog.beta['api.calls'] = feature();
    try {
      expect(scanner.scan(bytes, baseContext)!.accepted).toBe(1);
    } finally {
      delete catalog.beta['api.calls'];
    }
    expect(scanner.scan(bytes, baseContext)!.accepted).toBe(0);
  });

  it('refuses malformed bytes as the generic decoder does', () => {
    const bytes = codec.requestSerialize({ events: [{ tenantId: 'acme', featureId: 'tokens', quantity: '1' }, { tenantId: 'acme', featureId: 'tokens', quantity: '2' }] });
    for (let cut = 1; cut < bytes.length; cut++) {
      const truncated = bytes.subarray(0, cut);
      let genericError: unknown;
      try {
        decodeReportBatchRequest(truncated);
      } catch (err) {
        genericError = err;
      }
      if (genericError) expect(() => new BatchScanner().scan(truncated, baseContext)).toThrow(WireError);
      else expect(new BatchScanner().scan(truncated, baseContext)).toBeDefined();
    }
    // Unknown fields (a varint field 15) inside an event and at the top level are skipped.
    const event = bytes.subarray(2, 2 + bytes[1]);
    const withUnknown = Buffer.concat([Buffer.from([0x0a, event.length + 2]), event, Buffer.from([0x78, 0x05]), Buffer.from([0x78, 0x01])]);
    const scan = new BatchScanner().scan(withUnknown, baseContext)!;
    expect(scanned(scan)).toEqual(generic(withUnknown, baseContext).outcomes);
    expect(scan.accepted).toBe(1);
  });

  it('encodes the response the generic codec reads back, and a spool failure refuses every accepted event', () => {
    const random = lcg(11);
    const events = Array.from({ length: 200 }, () => randomEvent(random));
    const bytes = codec.requestSerialize({ events });
    const scan = new BatchScanner().scan(bytes, baseContext)!;
    const outcomes = scanned(scan);
    const accepted = outcomes.filter((o) => o.accepted).length;
    expect(accepted).toBeGreaterThan(0);
    expect(codec.responseDeserialize(encodeScannedResponse(scan))).toEqual({
      results: outcomes.map((o) => ({ eventId: o.eventId, accepted: o.accepted, error: o.error ?? null })),
      accepted,
      rejected: outcomes.length - accepted,
    });
    const failure: EventError = { code: Code.RESOURCE_EXHAUSTED, reason: 'SPOOL_FULL', field: '', message: 'usage spool is full; retry later' };
    expect(codec.responseDeserialize(encodeScannedResponse(scan, failure))).toEqual({
      results: outcomes.map((o) => ({ eventId: o.eventId, accepted: false, error: o.accepted ? failure : o.error })),
      accepted: 0,
      rejected: outcomes.length,
    });
  });
});
