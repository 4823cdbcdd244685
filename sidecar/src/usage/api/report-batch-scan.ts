import { epochMsDateTimeText } from '../../../../common/clickhouse/sql-text.js';
import { usageRowTsv } from '../../../../common/clickhouse/usage-row.js';
import { Reader, WireError } from '../../../../common/protowire.js';
import type { FeatureEntitlement } from '../../../../common/snapshot.js';
import type { SnapshotSource } from '../../ports.js';
import { SummaryBuilder, type RecordSummary } from '../adapters/usage-record.js';
import { validateEvent, type EventError, type ValidationContext, type ValidationLimits } from '../domain/validate-event.js';
import type { ReportOutcome } from '../ingest.js';
import { decodeEventAt } from './report-batch-wire.js';

/**
 * The ReportBatch hot path: validates every event of a ReportBatchRequest directly on the request bytes and writes
 * each valid one straight into the TabSeparated row bytes that go into the spool and, unchanged, to ClickHouse — no
 * event object, no strings per field. Ids are compared as bytes against interned tenant and feature ids.
 *
 * Only the plain case is handled on bytes: every field ASCII and well-formed, no correction, nothing that would be
 * refused. Any other event (invalid, a correction, non-ASCII text, a repeated attribute key, ...) takes the generic
 * path for that event alone — decodeEvent + validateEvent + usageRowTsv — so every error is the generic one, word for
 * word. The invariant, tested on random events: an event accepted here is accepted by the generic path with the
 * identical row. A feature enforced on report needs an asynchronous quota check: the scan then gives up and the whole
 * batch takes the generic path (`undefined`).
 */

export interface ScanContext {
  nowMs: number;
  limits: ValidationLimits;
  snapshots: SnapshotSource;
  newEventId(): string;
  /** A tenant API key may report only its own tenant's usage: the refusal for another tenant, or undefined. */
  denied?(tenantId: string): EventError | undefined;
  /** The tenant the caller is restricted to (with `denied`). */
  callerTenant?: string;
}

export interface ScannedBatch {
  events: number;
  /** Events accepted by validation (not yet spooled). */
  accepted: number;
  /** 26 bytes per event: the (normalized or generated) ULID of each event accepted on the byte path. */
  ids: Buffer;
  /** Outcomes of events that took the generic path (accepted or not); undefined for the byte path's accepts. */
  outcomes: Array<ReportOutcome | undefined>;
  /** TabSeparated rows (USAGE_ROW_COLUMNS order) of the accepted events, in input order. */
  rows: Buffer;
  summary: RecordSummary;
  /** The encoded answer for when the spool takes the record, if already made (by the scan worker). */
  response?: Buffer;
  /** Gives the ids' memory back to whoever made it (the scan worker), once the batch is answered. */
  releaseIds?: () => void;
  /** Gives the rows' memory back, once the spool is done with them (Spool.append's whenDropped). */
  releaseRows?: () => void;
}

const ULID_BYTES = 26;
const MINUTE_MS = 60_000;
const MAX_ID_LENGTH = 128;
const INTERN_LIMIT = 10_000;
const POOLED_BUFFERS = 32;
const MAX_POOLED_BYTES = 2 << 20;

/** Crockford base32 character → its upper-case byte; 0 for anything else. */
const ULID_UPPER = new Uint8Array(256);
for (const c of '0123456789ABCDEFGHJKMNPQRSTVWXYZ') {
  ULID_UPPER[c.charCodeAt(0)] = c.charCodeAt(0);
  ULID_UPPER[c.toLowerCase().charCodeAt(0)] = c.charCodeAt(0);
}
/** 1: letter or digit; 2: . _ : - (the id pattern's other characters). */
const ID_CHAR = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  if (/^[A-Za-z0-9]$/.test(ch)) ID_CHAR[c] = 1;
  else if ('._:-'.includes(ch)) ID_CHAR[c] = 2;
}
/** Bytes a quoted string (an Array(String) element) escapes, and the escape's second byte. */
const QUOTED_ESCAPE = new Uint8Array(256);
QUOTED_ESCAPE[0x5c] = 0x5c; // \\
QUOTED_ESCAPE[0x27] = 0x27; // \'
QUOTED_ESCAPE[0x09] = 0x74; // \t
QUOTED_ESCAPE[0x0a] = 0x6e; // \n
QUOTED_ESCAPE[0x0d] = 0x72; // \r
QUOTED_ESCAPE[0x00] = 0x30; // \0
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const PROTO_KEY = Buffer.from('__proto__');

/** A tenant or feature id seen on the wire, with its string and per-batch catalog lookups. */
interface Interned {
  bytes: Buffer;
  id: string;
  /** Printable ASCII without a backslash: the bytes are the TabSeparated field as they are. */
  plain: boolean;
  /** Batch generation the lookups below belong to. */
  gen: number;
  features: Record<string, FeatureEntitlement> | undefined;
  featureOf: Map<Interned, FeatureEntitlement | null>;
  /** The last (feature, minute since the epoch) put into this batch's summary for this tenant. */
  summaryFeature?: Interned;
  summaryMinute: number;
}

function hashRange(buf: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5 ^ (end - start);
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h;
}

function sameBytes(a: Buffer, buf: Buffer, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== buf[start + i]) return false;
  return true;
}

function sameRanges(buf: Buffer, aS: number, aE: number, bS: number, bE: number): boolean {
  if (aE - aS !== bE - bS) return false;
  for (let i = 0; i < aE - aS; i++) if (buf[aS + i] !== buf[bS + i]) return false;
  return true;
}

class InternTable {
  private readonly byHash = new Map<number, Interned>();
  /** A direct-mapped cache in front of the map: most batches name a handful of ids over and over. */
  private readonly recent: Array<Interned | undefined> = new Array(256).fill(undefined);

  get(buf: Buffer, start: number, end: number): Interned {
    const hash = hashRange(buf, start, end);
    const slot = hash & 255;
    const cached = this.recent[slot];
    if (cached !== undefined && sameBytes(cached.bytes, buf, start, end)) return cached;
    const entry = this.lookup(hash, buf, start, end);
    this.recent[slot] = entry;
    return entry;
  }

  private lookup(hash: number, buf: Buffer, start: number, end: number): Interned {
    const found = this.byHash.get(hash);
    if (found && sameBytes(found.bytes, buf, start, end)) return found;
    if (this.byHash.size >= INTERN_LIMIT) {
      this.byHash.clear();
      this.recent.fill(undefined);
    }
    const bytes = Buffer.from(buf.subarray(start, end));
    let plain = true;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] < 0x20 || bytes[i] > 0x7e || bytes[i] === 0x5c) plain = false;
    const entry: Interned = { bytes, id: bytes.toString('latin1'), plain, gen: -1, features: undefined, featureOf: new Map(), summaryMinute: -1 };
    this.byHash.set(hash, entry);
    return entry;
  }
}

const enum Verdict {
  ACCEPTED,
  GENERIC,
  GIVE_UP,
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil), for years ≥ 1970. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function digits(buf: Buffer, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Scans ReportBatchRequest bytes; keeps interned ids between batches. One instance per ingest. */
export class BatchScanner {
  private readonly tenants = new InternTable();
  private readonly features = new InternTable();
  private gen = 0;
  private lastService = Buffer.alloc(MAX_ID_LENGTH);
  private lastServiceLength = -1;
  private attrStart = new Int32Array(64);
  private attrEnd = new Int32Array(64);

  // Per scan.
  private buf!: Buffer;
  private ctx!: ScanContext;
  private out!: Buffer;
  private o = 0;
  private ids!: Buffer;
  private summary!: SummaryBuilder;
  private receivedText!: Buffer;
  private nowText!: Buffer;
  private nowMillis = 0;
  private nowMinuteIndex = 0;

  /** Undefined: an event needs a quota check on report; take the generic path for the whole batch. */
  scan(buf: Buffer, ctx: ScanContext): ScannedBatch | undefined {
    this.buf = buf;
    this.ctx = ctx;
    this.gen++;
    if (this.attrStart.length <= ctx.limits.maxAttributes) {
      this.attrStart = new Int32Array(ctx.limits.maxAttributes + 1);
      this.attrEnd = new Int32Array(ctx.limits.maxAttributes + 1);
    }
    this.out = this.takeBuffer(this.rowBuffers, Math.max(1024, buf.length * 2));
    this.o = 0;
    this.summary = new SummaryBuilder();
    this.nowText = Buffer.from(epochMsDateTimeText(ctx.nowMs), 'latin1');
    this.receivedText = this.nowText;
    this.nowMillis = ctx.nowMs % 1000;
    this.nowMinuteIndex = Math.floor(ctx.nowMs / MINUTE_MS);
    const outcomes: Array<ReportOutcome | undefined> = [];
    let ids = this.takeBuffer(this.idBuffers, ULID_BYTES * 1024);
    this.ids = ids;
    let events = 0;
    let accepted = 0;
    const r = new Reader(buf);
    while (r.pos < r.end) {
      const tag = r.varint();
      if (tag !== 0x0a) {
        r.skip(tag & 7);
        continue;
      }
      // r.delimited() without its array: a thousand events a call.
      const length = r.varint();
      const start = r.pos;
      const end = start + length;
      if (end > r.end) throw new WireError('truncated field');
      r.pos = end;
      if ((events + 1) * ULID_BYTES > ids.length) {
        const bigger = Buffer.allocUnsafe(ids.length * 2);
        ids.copy(bigger, 0, 0, events * ULID_BYTES);
        this.ids = ids = bigger;
      }
      this.ensure(2 * (end - start) + 256);
      const rowStart = this.o;
      const verdict = this.plainEvent(start, end, events);
      if (verdict === Verdict.ACCEPTED) {
        outcomes.push(undefined);
        accepted++;
      } else {
        this.o = rowStart;
        if (verdict === Verdict.GIVE_UP) return undefined;
        const outcome = this.genericEvent(start, end);
        if (outcome === undefined) return undefined;
        outcomes.push(outcome);
        if (outcome.accepted) accepted++;
      }
      events++;
    }
    return { events, accepted, ids, outcomes, rows: this.out.subarray(0, this.o), summary: this.summary.build() };
  }

  // Buffers are reused once a batch is done with them (recycle): at 1000 events a call, fresh ones were ~0.5 MB of
  // garbage per call.
  private readonly rowBuffers: Buffer[] = [];
  private readonly idBuffers: Buffer[] = [];

  private takeBuffer(pool: Buffer[], bytes: number): Buffer {
    const reused = pool.pop();
    return reused && reused.length >= bytes ? reused : Buffer.allocUnsafe(bytes);
  }

  /** Nothing refers to the batch's buffers any more: they may be reused. */
  recycle(scan: ScannedBatch): void {
    this.recycleRows(scan);
    this.recycleIds(scan);
  }

  // Buffers of an unusually large call are left to the collector rather than kept.
  recycleRows(scan: ScannedBatch): void {
    const rows = scan.rows.buffer.byteLength - scan.rows.byteOffset;
    if (this.rowBuffers.length < POOLED_BUFFERS && rows <= MAX_POOLED_BYTES) this.rowBuffers.push(Buffer.from(scan.rows.buffer, scan.rows.byteOffset, rows));
  }

  recycleIds(scan: ScannedBatch): void {
    if (this.idBuffers.length < POOLED_BUFFERS && scan.ids.length <= MAX_POOLED_BYTES) this.idBuffers.push(scan.ids);
  }

  private ensure(bytes: number): void {
    if (this.o + bytes <= this.out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.o + bytes));
    this.out.copy(bigger, 0, 0, this.o);
    this.out = bigger;
  }

  /** The generic path for one event; undefined when it needs a quota check. */
  private genericEvent(start: number, end: number): ReportOutcome | undefined {
    const input = decodeEventAt(this.buf, start, end);
    const denied = this.ctx.denied?.(input.tenantId ?? '');
    if (denied) return { eventId: input.eventId ?? '', accepted: false, error: denied };
    const ctx: ValidationContext = {
      nowMs: this.ctx.nowMs,
      limits: this.ctx.limits,
      featuresOf: (tenantId) => this.ctx.snapshots.get(tenantId)?.features,
      newEventId: this.ctx.newEventId,
    };
    const result = validateEvent(input, ctx);
    if (!result.ok) return { eventId: result.eventId, accepted: false, error: result.error };
    const { row, feature } = result;
    if (feature.enforce_on_report && row.correction === '') return undefined;
    const text = usageRowTsv(row);
    this.ensure(3 * text.length);
    this.o += this.out.write(text, this.o, 'utf8');
    this.summary.add(row.tenantId, row.featureId, row.eventTimeMs, row.correctsEventId);
    return { eventId: row.eventId, accepted: true };
  }

  /** The byte path: ACCEPTED with the row written, GENERIC for anything it does not handle. */
  private plainEvent(s: number, e: number, index: number): Verdict {
    const buf = this.buf;
    const limits = this.ctx.limits;
    let idS = 0;
    let idE = 0;
    let tS = 0;
    let tE = 0;
    let svS = 0;
    let svE = 0;
    let fS = 0;
    let fE = 0;
    let qS = 0;
    let qE = 0;
    let tsS = 0;
    let tsE = 0;
    let attrs = 0;
    let correcting = false;
    let p = s;
    while (p < e) {
      const tag = buf[p++];
      if (tag === 0x48) {
        // correction (enum): only an explicit 0 (unspecified) stays on this path.
        if (p >= e || buf[p] !== 0) return Verdict.GENERIC;
        p++;
        continue;
      }
      if ((tag & 7) !== 2 || tag >= 0x80) return Verdict.GENERIC;
      if (p >= e) return Verdict.GENERIC;
      let length = buf[p++];
      if (length >= 0x80) {
        if (p >= e || buf[p] >= 0x80) return Verdict.GENERIC;
        length = (length & 0x7f) | (buf[p++] << 7);
      }
      const fs = p;
      p += length;
      if (p > e) return Verdict.GENERIC;
      switch (tag) {
        case 0x0a:
          idS = fs;
          idE = p;
          break;
        case 0x12:
          tS = fs;
          tE = p;
          break;
        case 0x1a:
          svS = fs;
          svE = p;
          break;
        case 0x22:
          fS = fs;
          fE = p;
          break;
        case 0x2a:
          qS = fs;
          qE = p;
          break;
        case 0x32:
          tsS = fs;
          tsE = p;
          break;
        case 0x3a:
          if (attrs >= limits.maxAttributes) return Verdict.GENERIC;
          this.attrStart[attrs] = fs;
          this.attrEnd[attrs] = p;
          attrs++;
          break;
        case 0x42:
          correcting = p > fs;
          break;
        default:
        // An unknown length-delimited field: skipped, as the generic decoder does.
      }
    }
    if (correcting) return Verdict.GENERIC;

    // event_id: a ULID (upper-cased) or generated.
    const idLength = idE - idS;
    const ids = this.ids;
    const idAt = index * ULID_BYTES;
    if (idLength === ULID_BYTES) {
      if (buf[idS] < 0x30 || buf[idS] > 0x37) return Verdict.GENERIC;
      for (let i = 0; i < ULID_BYTES; i++) {
        const c = ULID_UPPER[buf[idS + i]];
        if (c === 0) return Verdict.GENERIC;
        ids[idAt + i] = c;
      }
    } else if (idLength !== 0) return Verdict.GENERIC;

    // tenant and feature: interned, looked up in the catalog once per batch.
    if (tE === tS || fE === fS) return Verdict.GENERIC;
    const tenant = this.tenants.get(buf, tS, tE);
    if (!tenant.plain) return Verdict.GENERIC;
    if (this.ctx.callerTenant !== undefined && tenant.id !== this.ctx.callerTenant) return Verdict.GENERIC;
    if (tenant.gen !== this.gen) {
      tenant.gen = this.gen;
      tenant.features = this.ctx.snapshots.get(tenant.id)?.features;
      tenant.featureOf.clear();
      tenant.summaryFeature = undefined;
    }
    const features = tenant.features;
    if (!features) return Verdict.GENERIC;

    const svLength = svE - svS;
    if (svLength !== 0 && !this.knownService(svS, svE)) {
      if (svLength > MAX_ID_LENGTH || ID_CHAR[buf[svS]] !== 1) return Verdict.GENERIC;
      for (let i = svS + 1; i < svE; i++) if (ID_CHAR[buf[i]] === 0) return Verdict.GENERIC;
      buf.copy(this.lastService, 0, svS, svE);
      this.lastServiceLength = svLength;
    }

    const featureId = this.features.get(buf, fS, fE);
    if (!featureId.plain) return Verdict.GENERIC;
    let feature = tenant.featureOf.get(featureId);
    if (feature === undefined) {
      feature = Object.prototype.hasOwnProperty.call(features, featureId.id) ? features[featureId.id] : null;
      tenant.featureOf.set(featureId, feature);
    }
    if (feature === null) return Verdict.GENERIC;
    if (feature.enforce_on_report) return Verdict.GIVE_UP;

    // quantity: digits[.digits], canonical (no leading zeros, no trailing fraction zeros).
    if (qE === qS) return Verdict.GENERIC;
    let dot = -1;
    for (let i = qS; i < qE; i++) {
      const c = buf[i];
      if (c === 0x2e && dot < 0) dot = i;
      else if (c < 0x30 || c > 0x39) return Verdict.GENERIC;
    }
    let intS = qS;
    const intE = dot < 0 ? qE : dot;
    if (intE === intS || dot === qE - 1) return Verdict.GENERIC;
    while (intS < intE - 1 && buf[intS] === 0x30) intS++;
    let fracE = dot < 0 ? dot : qE;
    if (dot >= 0) while (fracE > dot + 1 && buf[fracE - 1] === 0x30) fracE--;
    const fracDigits = dot < 0 ? 0 : fracE - dot - 1;
    if (fracDigits > 9 || intE - intS > 20) return Verdict.GENERIC;

    // timestamp: the common `2026-11-21T10:00:00.123Z`, or none (now).
    // Milliseconds and the minute are kept as small integers: a modulo of an epoch-ms double is a call into C in V8.
    const nowMs = this.ctx.nowMs;
    let eventTimeMs = nowMs;
    let millis = this.nowMillis;
    let minuteIndex = this.nowMinuteIndex;
    const tsLength = tsE - tsS;
    if (tsLength !== 0) {
      if (tsLength !== 24) return Verdict.GENERIC;
      if (buf[tsS + 4] !== 0x2d || buf[tsS + 7] !== 0x2d || buf[tsS + 10] !== 0x54 || buf[tsS + 13] !== 0x3a || buf[tsS + 16] !== 0x3a || buf[tsS + 19] !== 0x2e || buf[tsS + 23] !== 0x5a) return Verdict.GENERIC;
      const y = digits(buf, tsS, 4);
      const mo = digits(buf, tsS + 5, 2);
      const d = digits(buf, tsS + 8, 2);
      const h = digits(buf, tsS + 11, 2);
      const mi = digits(buf, tsS + 14, 2);
      const sec = digits(buf, tsS + 17, 2);
      const ms = digits(buf, tsS + 20, 3);
      if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || ms < 0) return Verdict.GENERIC;
      const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
      if (d > DAYS_IN_MONTH[mo - 1] + (leap ? 1 : 0)) return Verdict.GENERIC;
      // Years before 1970 would print differently; they are far outside any back-dating window anyway.
      if (y < 1970) return Verdict.GENERIC;
      minuteIndex = (daysFromCivil(y, mo, d) * 24 + h) * 60 + mi;
      millis = ms;
      eventTimeMs = minuteIndex * MINUTE_MS + sec * 1000 + ms;
    }
    if (eventTimeMs > nowMs + limits.maxFutureMs || eventTimeMs < nowMs - limits.backdateMs) return Verdict.GENERIC;

    // attributes: ASCII keys and values within the limits, no repeated key, no key the object model treats apart.
    for (let a = 0; a < attrs; a++) {
      if (!this.entryRanges(a)) return Verdict.GENERIC;
      const kS = this.keyS;
      const kE = this.keyE;
      const kLength = kE - kS;
      if (kLength === 0 || kLength > limits.maxAttributeKeyLength || this.valueE - this.valueS > limits.maxAttributeValueLength) return Verdict.GENERIC;
      let allDigits = true;
      for (let i = kS; i < kE; i++) {
        const c = buf[i];
        if (c > 0x7e) return Verdict.GENERIC;
        if (c < 0x30 || c > 0x39) allDigits = false;
      }
      if (allDigits || sameBytes(PROTO_KEY, buf, kS, kE)) return Verdict.GENERIC;
      for (let i = this.valueS; i < this.valueE; i++) if (buf[i] > 0x7e) return Verdict.GENERIC;
      this.attrStart[a] = kS;
      this.attrEnd[a] = kE;
      this.valueStart[a] = this.valueS;
      this.valueEnd[a] = this.valueE;
      for (let b = 0; b < a; b++) if (sameRanges(buf, this.attrStart[b], this.attrEnd[b], kS, kE)) return Verdict.GENERIC;
    }

    // Valid: write the row. tenant \t feature \t event_time \t ms \t event_id \t service \t quantity \t keys \t values \t correction \t corrects \t received
    const out = this.out;
    let o = this.o;
    o = copy(tenant.bytes, out, o);
    out[o++] = 9;
    o = copy(featureId.bytes, out, o);
    out[o++] = 9;
    if (tsLength !== 0) {
      for (let i = 0; i < 19; i++) out[o + i] = buf[tsS + i];
      out[o + 10] = 0x20;
      o += 19;
    } else {
      o = copy(this.nowText, out, o);
    }
    out[o++] = 9;
    if (millis >= 100) out[o++] = 48 + ((millis / 100) | 0);
    if (millis >= 10) out[o++] = 48 + (((millis / 10) | 0) % 10);
    out[o++] = 48 + (millis % 10);
    out[o++] = 9;
    if (idLength === 0) ids.write(this.ctx.newEventId(), idAt, ULID_BYTES, 'latin1');
    for (let i = 0; i < ULID_BYTES; i++) out[o + i] = ids[idAt + i];
    o += ULID_BYTES;
    out[o++] = 9;
    for (let i = svS; i < svE; i++) out[o++] = buf[i];
    out[o++] = 9;
    for (let i = intS; i < intE; i++) out[o++] = buf[i];
    if (fracDigits > 0) for (let i = dot; i < fracE; i++) out[o++] = buf[i];
    out[o++] = 9;
    if (attrs === 0) {
      out[o++] = 0x5b;
      out[o++] = 0x5d;
      out[o++] = 9;
      out[o++] = 0x5b;
      out[o++] = 0x5d;
    } else {
      o = this.quotedArray(this.attrStart, this.attrEnd, attrs, o);
      out[o++] = 9;
      o = this.quotedArray(this.valueStart, this.valueEnd, attrs, o);
    }
    out[o++] = 9;
    out[o++] = 9;
    out[o++] = 9;
    o = copy(this.receivedText, out, o);
    out[o++] = 10;
    this.o = o;

    if (tenant.summaryFeature !== featureId || tenant.summaryMinute !== minuteIndex) {
      tenant.summaryFeature = featureId;
      tenant.summaryMinute = minuteIndex;
      this.summary.add(tenant.id, featureId.id, eventTimeMs, '');
    }
    return Verdict.ACCEPTED;
  }

  private valueStart = new Int32Array(64);
  private valueEnd = new Int32Array(64);
  private keyS = 0;
  private keyE = 0;
  private valueS = 0;
  private valueE = 0;

  /** Key and value ranges of map entry `a` (last occurrence wins, as in the generic decoder); false if unusual. */
  private entryRanges(a: number): boolean {
    if (this.valueStart.length < this.attrStart.length) {
      this.valueStart = new Int32Array(this.attrStart.length);
      this.valueEnd = new Int32Array(this.attrStart.length);
    }
    const buf = this.buf;
    const e = this.attrEnd[a];
    let p = this.attrStart[a];
    let kS = 0;
    let kE = 0;
    let vS = 0;
    let vE = 0;
    while (p < e) {
      const tag = buf[p++];
      if (tag !== 0x0a && tag !== 0x12) return false;
      if (p >= e) return false;
      let length = buf[p++];
      if (length >= 0x80) {
        if (p >= e || buf[p] >= 0x80) return false;
        length = (length & 0x7f) | (buf[p++] << 7);
      }
      const fs = p;
      p += length;
      if (p > e) return false;
      if (tag === 0x0a) {
        kS = fs;
        kE = p;
      } else {
        vS = fs;
        vE = p;
      }
    }
    this.keyS = kS;
    this.keyE = kE;
    this.valueS = vS;
    this.valueE = vE;
    return true;
  }

  /** `['a','b\'c']` from byte ranges of the request. */
  private quotedArray(starts: Int32Array, ends: Int32Array, n: number, o: number): number {
    const buf = this.buf;
    const out = this.out;
    out[o++] = 0x5b;
    for (let a = 0; a < n; a++) {
      if (a > 0) out[o++] = 0x2c;
      out[o++] = 0x27;
      for (let i = starts[a]; i < ends[a]; i++) {
        const c = buf[i];
        const escaped = QUOTED_ESCAPE[c];
        if (escaped !== 0 || c === 0) {
          out[o++] = 0x5c;
          out[o++] = escaped;
        } else out[o++] = c;
      }
      out[o++] = 0x27;
    }
    out[o++] = 0x5d;
    return o;
  }

  private knownService(s: number, e: number): boolean {
    if (e - s !== this.lastServiceLength) return false;
    const buf = this.buf;
    const last = this.lastService;
    for (let i = 0; i < e - s; i++) if (last[i] !== buf[s + i]) return false;
    return true;
  }
}

function copy(src: Buffer, out: Buffer, o: number): number {
  for (let i = 0; i < src.length; i++) out[o + i] = src[i];
  return o + src.length;
}
