import { Reader, Writer } from '../../../common/protowire.js';
import type { CheckBatchRequest__Output } from '../../../proto/gen/tollgate/v1/CheckBatchRequest.js';
import type { CheckRequest__Output } from '../../../proto/gen/tollgate/v1/CheckRequest.js';
import type { CheckBatchItemResult } from '../../../proto/gen/tollgate/v1/CheckBatchItemResult.js';
import type { CheckBatchResponse } from '../../../proto/gen/tollgate/v1/CheckBatchResponse.js';
import type { CheckResponse } from '../../../proto/gen/tollgate/v1/CheckResponse.js';
import type { Decision, Reason } from '../domain/decision.js';

/**
 * Direct codecs for Check and CheckBatch (quota.proto), the hottest calls: protobufjs's generic path turns every
 * int64 into a Long and back and builds two objects per message. Requests decode to the same shape as the generic
 * codec with `longs: String`; responses omit fields at their default, as proto3 does. Tested against the generic
 * codec (tests/sidecar/check-wire.test.ts).
 */
const REASON_NUMBERS: Record<Reason | 'REASON_UNSPECIFIED', number> = {
  REASON_UNSPECIFIED: 0,
  OK: 1,
  RATE_LIMITED: 2,
  QUOTA_EXHAUSTED: 3,
  NOT_ENTITLED: 4,
  SUBSCRIPTION_INACTIVE: 5,
  UNKNOWN_TENANT: 6,
  STORE_UNAVAILABLE: 7,
};

function uint(w: Writer, field: number, value: number): void {
  if (!value) return;
  w.varint(field << 3);
  w.varint(value);
}

function writeDecision(w: Writer, d: Decision): void {
  if (d.allowed) uint(w, 1, 1);
  uint(w, 2, REASON_NUMBERS[d.reason]);
  uint(w, 3, d.limit);
  uint(w, 4, d.remaining);
  uint(w, 5, d.resetAfterMs);
  uint(w, 6, d.retryAfterMs);
  if (d.overage) uint(w, 7, 1);
  if (d.degraded) uint(w, 8, 1);
  uint(w, 9, d.quotaLimit);
  uint(w, 10, d.quotaRemaining);
  uint(w, 11, d.snapshotVersion);
}

const writer = new Writer();

/** Serializes what the Check handler returns: always a Decision (see quota-service.ts). */
export function encodeCheckResponse(response: CheckResponse): Buffer {
  writer.pos = 0;
  writeDecision(writer, response as Decision);
  return Buffer.from(writer.finish());
}

/**
 * Each result is a CheckBatchItemResult ({decision} or {error}) or, as the sidecar's CheckBatch sends them, a
 * Decision itself (one object less per item).
 */
export function encodeCheckBatchResponse(response: CheckBatchResponse | { results: Array<Decision | CheckBatchItemResult> }): Buffer {
  writer.pos = 0;
  for (const item of response.results ?? []) {
    const result = item as CheckBatchItemResult & Partial<Decision>;
    if (result.error) {
      const e = result.error;
      writer.nested((1 << 3) | 2, () =>
        writer.nested((2 << 3) | 2, () => {
          uint(writer, 1, Number(e.code ?? 0));
          writer.string((2 << 3) | 2, e.message ?? '');
          writer.string((3 << 3) | 2, e.field ?? '');
        }),
      );
    } else {
      const decision = (result.decision ?? (result.reason !== undefined ? result : undefined)) as Decision | undefined;
      writer.nested((1 << 3) | 2, () => {
        if (decision) writer.nested((1 << 3) | 2, () => writeDecision(writer, decision));
      });
    }
  }
  return Buffer.from(writer.finish());
}

function readCheckRequest(r: Reader, end: number): CheckRequest__Output {
  const request: CheckRequest__Output = { tenantId: '', featureId: '', cost: '0', dryRun: false };
  while (r.pos < end) {
    const key = r.varint();
    const field = key >>> 3;
    if (field === 1 && (key & 7) === 2) request.tenantId = r.string();
    else if (field === 2 && (key & 7) === 2) request.featureId = r.string();
    else if (field === 3 && (key & 7) === 0) request.cost = r.int64String();
    else if (field === 4 && (key & 7) === 0) request.dryRun = r.varint() !== 0;
    else r.skip(key & 7);
  }
  return request;
}

export function decodeCheckRequest(buf: Buffer): CheckRequest__Output {
  return readCheckRequest(new Reader(buf), buf.length);
}

export function decodeCheckBatchRequest(buf: Buffer): CheckBatchRequest__Output {
  const r = new Reader(buf);
  const items: CheckRequest__Output[] = [];
  while (r.pos < buf.length) {
    const key = r.varint();
    if (key === ((1 << 3) | 2)) {
      const [start, end] = r.delimited();
      items.push(readCheckRequest(new Reader(buf, start, end), end));
    } else r.skip(key & 7);
  }
  return { items };
}

// Client side: what an application sends and reads back (sidecar/src/client/quota-client.ts).

const REASON_NAMES = Object.fromEntries(Object.entries(REASON_NUMBERS).map(([name, n]) => [n, name])) as Record<number, Reason>;

function writeCheckRequest(w: Writer, item: { tenantId: string; featureId: string; cost: number; dryRun?: boolean }): void {
  w.string((1 << 3) | 2, item.tenantId);
  w.string((2 << 3) | 2, item.featureId);
  uint(w, 3, item.cost);
  if (item.dryRun) uint(w, 4, 1);
}

export interface CheckItem {
  tenantId: string;
  featureId: string;
  /** Whole units, 0 ≤ cost ≤ 2^53-1. */
  cost: number;
  dryRun?: boolean;
}

export function encodeCheckRequest(item: CheckItem): Buffer {
  writer.pos = 0;
  writeCheckRequest(writer, item);
  return Buffer.from(writer.finish());
}

export function encodeCheckBatchRequest(request: { items: CheckItem[] }): Buffer {
  writer.pos = 0;
  for (const item of request.items) writer.nested((1 << 3) | 2, () => writeCheckRequest(writer, item));
  return Buffer.from(writer.finish());
}

function readDecision(r: Reader, end: number): Decision {
  const d = emptyDecisionShape();
  while (r.pos < end) {
    const key = r.varint();
    const value = (key & 7) === 0 ? r.varint() : (r.skip(key & 7), 0);
    switch (key >>> 3) {
      case 1: d.allowed = value !== 0; break;
      case 2: d.reason = REASON_NAMES[value] ?? 'OK'; break;
      case 3: d.limit = value; break;
      case 4: d.remaining = value; break;
      case 5: d.resetAfterMs = value; break;
      case 6: d.retryAfterMs = value; break;
      case 7: d.overage = value !== 0; break;
      case 8: d.degraded = value !== 0; break;
      case 9: d.quotaLimit = value; break;
      case 10: d.quotaRemaining = value; break;
      case 11: d.snapshotVersion = value; break;
    }
  }
  return d;
}

function emptyDecisionShape(): Decision {
  return { allowed: false, reason: 'REASON_UNSPECIFIED' as Reason, limit: 0, remaining: 0, resetAfterMs: 0, retryAfterMs: 0, overage: false, degraded: false, quotaLimit: 0, quotaRemaining: 0, snapshotVersion: 0 };
}

export function decodeCheckResponse(buf: Buffer): Decision {
  return readDecision(new Reader(buf), buf.length);
}

export type BatchItemResult = { decision: Decision; error?: undefined } | { decision?: undefined; error: { code: number; message: string; field: string } };

function readItemError(r: Reader, end: number): { code: number; message: string; field: string } {
  const e = { code: 0, message: '', field: '' };
  while (r.pos < end) {
    const key = r.varint();
    if (key === 1 << 3) e.code = r.varint();
    else if (key === ((2 << 3) | 2)) e.message = r.string();
    else if (key === ((3 << 3) | 2)) e.field = r.string();
    else r.skip(key & 7);
  }
  return e;
}

export function decodeCheckBatchResponse(buf: Buffer): { results: BatchItemResult[] } {
  const r = new Reader(buf);
  const results: BatchItemResult[] = [];
  while (r.pos < buf.length) {
    const key = r.varint();
    if (key !== ((1 << 3) | 2)) {
      r.skip(key & 7);
      continue;
    }
    const [itemStart, itemEnd] = r.delimited();
    const item = new Reader(buf, itemStart, itemEnd);
    let result: BatchItemResult = { decision: emptyDecisionShape() };
    while (item.pos < itemEnd) {
      const k = item.varint();
      if (k === ((1 << 3) | 2)) {
        const [start, end] = item.delimited();
        result = { decision: readDecision(new Reader(buf, start, end), end) };
      } else if (k === ((2 << 3) | 2)) {
        const [start, end] = item.delimited();
        result = { error: readItemError(new Reader(buf, start, end), end) };
      } else item.skip(k & 7);
    }
    results.push(result);
  }
  return { results };
}
