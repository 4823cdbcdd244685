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

const writer = new Writer();

// Responses: a dedicated output buffer. A Decision is at most 11 fields of at most 11 bytes, so a batch item's two
// length prefixes are one byte each and are written in place (no closure per item, no moving bytes afterwards).
let out = Buffer.allocUnsafe(64 * 1024);
let at = 0;

function room(bytes: number): void {
  if (at + bytes <= out.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, at + bytes));
  out.copy(bigger, 0, 0, at);
  out = bigger;
}

/** As Writer.varint: negative numbers as ten-byte two's complement. */
function putVarint(value: number): void {
  let v = value;
  if (v < 0) {
    let big = BigInt.asUintN(64, BigInt(v));
    while (big >= 0x80n) {
      out[at++] = Number(big & 0x7fn) | 0x80;
      big >>= 7n;
    }
    out[at++] = Number(big);
    return;
  }
  while (v >= 0x80) {
    out[at++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[at++] = v;
}

function putUint(field: number, value: number): void {
  if (!value) return;
  out[at++] = field << 3;
  putVarint(value);
}

function putDecision(d: Decision): void {
  room(128);
  if (d.allowed) putUint(1, 1);
  putUint(2, REASON_NUMBERS[d.reason]);
  putUint(3, d.limit);
  putUint(4, d.remaining);
  putUint(5, d.resetAfterMs);
  putUint(6, d.retryAfterMs);
  if (d.overage) putUint(7, 1);
  if (d.degraded) putUint(8, 1);
  putUint(9, d.quotaLimit);
  putUint(10, d.quotaRemaining);
  putUint(11, d.snapshotVersion);
}

function varintSize(value: number): number {
  let n = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 128)) n++;
  return n;
}

function putString(field: number, value: string): void {
  if (!value) return;
  const bytes = Buffer.byteLength(value);
  room(bytes + 10);
  out[at++] = (field << 3) | 2;
  putVarint(bytes);
  at += out.write(value, at, 'utf8');
}

function putItemError(e: { code?: number | string | null; message?: string | null; field?: string | null }): void {
  const code = Number(e.code ?? 0);
  const message = e.message ?? '';
  const field = e.field ?? '';
  const sized = (s: string) => (s ? 1 + varintSize(Buffer.byteLength(s)) + Buffer.byteLength(s) : 0);
  const body = (code > 0 ? 1 + varintSize(code) : 0) + sized(message) + sized(field);
  room(body + 24);
  out[at++] = (1 << 3) | 2;
  putVarint(1 + varintSize(body) + body);
  out[at++] = (2 << 3) | 2;
  putVarint(body);
  if (code > 0) putUint(1, code);
  putString(2, message);
  putString(3, field);
}

function written(): Buffer {
  const message = Buffer.allocUnsafe(at);
  out.copy(message, 0, 0, at);
  return message;
}

/** Serializes what the Check handler returns: always a Decision (see quota-service.ts). */
export function encodeCheckResponse(response: CheckResponse): Buffer {
  at = 0;
  putDecision(response as Decision);
  return written();
}

/**
 * Each result is a CheckBatchItemResult ({decision} or {error}) or, as the sidecar's CheckBatch sends them, a
 * Decision itself (one object less per item).
 */
export function encodeCheckBatchResponse(response: CheckBatchResponse | { results: Array<Decision | CheckBatchItemResult> }): Buffer {
  at = 0;
  for (const item of response.results ?? []) {
    const result = item as CheckBatchItemResult & Partial<Decision>;
    if (result.error) {
      putItemError(result.error);
      continue;
    }
    const decision = (result.decision ?? (result.reason !== undefined ? result : undefined)) as Decision | undefined;
    room(132);
    out[at++] = (1 << 3) | 2;
    if (!decision) {
      out[at++] = 0;
      continue;
    }
    const itemLengthAt = at++;
    out[at++] = (1 << 3) | 2;
    const decisionLengthAt = at++;
    putDecision(decision);
    const length = at - decisionLengthAt - 1;
    out[decisionLengthAt] = length;
    out[itemLengthAt] = length + 2;
  }
  return written();
}

/**
 * Tenant and feature ids repeat from call to call: a small table keeps one string per distinct id, so decoding an
 * id is a hash of its bytes and a compare instead of a new string (and Map lookups on it reuse its cached hash).
 * Only short ASCII ids are kept; anything else is decoded as usual.
 */
const INTERNED_SLOTS = 4096;
const interned: Array<string | undefined> = new Array(INTERNED_SLOTS);

function idString(r: Reader): string {
  const [start, end] = r.delimited();
  const buf = r.buf;
  const length = end - start;
  if (length > 64) return buf.toString('utf8', start, end);
  let hash = 0x811c9dc5 ^ length;
  for (let i = start; i < end; i++) {
    const byte = buf[i];
    if (byte >= 0x80) return buf.toString('utf8', start, end);
    hash = Math.imul(hash ^ byte, 16777619);
  }
  const slot = (hash >>> 0) & (INTERNED_SLOTS - 1);
  const known = interned[slot];
  if (known !== undefined && known.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (known.charCodeAt(i) !== buf[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return known;
  }
  const value = buf.toString('latin1', start, end);
  interned[slot] = value;
  return value;
}

function readCheckRequest(r: Reader, end: number): CheckRequest__Output {
  const request: CheckRequest__Output = { tenantId: '', featureId: '', cost: '0', dryRun: false };
  while (r.pos < end) {
    const key = r.varint();
    const field = key >>> 3;
    if (field === 1 && (key & 7) === 2) request.tenantId = idString(r);
    else if (field === 2 && (key & 7) === 2) request.featureId = idString(r);
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
