import type { ReportBatchResponse } from '../../../../proto/gen/tollgate/v1/ReportBatchResponse.js';
import type { ReportResult } from '../../../../proto/gen/tollgate/v1/ReportResult.js';
import type { EventError, UsageEventInput } from '../domain/validate-event.js';
import type { ScannedBatch } from './report-batch-scan.js';

/**
 * A direct protobuf codec for the ingestion hot path (ReportBatch): events are read straight from the request bytes
 * into plain objects and results written straight to bytes, instead of protobufjs decode + toObject, which costs two
 * objects per event and most of the sidecar's garbage at high rates. Wire-compatible with usage.proto; tested
 * against the generic codec.
 */

import { Reader, WireError, Writer } from '../../../../common/protowire.js';

export { WireError };

const CORRECTION_NAMES = ['CORRECTION_KIND_UNSPECIFIED', 'VOID', 'AMEND'];



function decodeAttribute(reader: Reader, start: number, end: number, into: Record<string, string>): void {
  const entry = new Reader(reader.buf, start, end);
  let key = '';
  let value = '';
  while (entry.pos < entry.end) {
    const tag = entry.varint();
    if (tag === 0x0a) key = entry.string();
    else if (tag === 0x12) value = entry.string();
    else entry.skip(tag & 7);
  }
  into[key] = value;
}

/** The UsageEvent at buf[start, end). */
export function decodeEventAt(buf: Buffer, start: number, end: number): UsageEventInput {
  const r = new Reader(buf, start, end);
  const event: UsageEventInput = {
    eventId: '',
    tenantId: '',
    serviceId: '',
    featureId: '',
    quantity: '',
    timestamp: '',
    attributes: undefined,
    correctsEventId: '',
    correction: 'CORRECTION_KIND_UNSPECIFIED',
  };
  while (r.pos < r.end) {
    const tag = r.varint();
    switch (tag) {
      case 0x0a:
        event.eventId = r.string();
        break;
      case 0x12:
        event.tenantId = r.string();
        break;
      case 0x1a:
        event.serviceId = r.string();
        break;
      case 0x22:
        event.featureId = r.string();
        break;
      case 0x2a:
        event.quantity = r.string();
        break;
      case 0x32:
        event.timestamp = r.string();
        break;
      case 0x3a: {
        const [s, e] = r.delimited();
        decodeAttribute(r, s, e, (event.attributes ??= {}));
        break;
      }
      case 0x42:
        event.correctsEventId = r.string();
        break;
      case 0x48: {
        const kind = r.varint();
        event.correction = CORRECTION_NAMES[kind] ?? `UNKNOWN(${kind})`;
        break;
      }
      default:
        r.skip(tag & 7);
    }
  }
  return event;
}

/** ReportBatchRequest bytes → events, in order. */
export function decodeReportBatchRequest(buf: Buffer): UsageEventInput[] {
  const r = new Reader(buf);
  const events: UsageEventInput[] = [];
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 0x0a) {
      const [start, end] = r.delimited();
      events.push(decodeEventAt(buf, start, end));
    } else r.skip(tag & 7);
  }
  return events;
}


function writeResult(w: Writer, result: ReportResult): void {
  w.nested(0x0a, () => {
    w.string(0x0a, result.eventId ?? '');
    if (result.accepted) {
      w.varint(0x10);
      w.varint(1);
    }
    const error = result.error;
    if (error) {
      w.nested(0x1a, () => {
        if (error.code) {
          w.varint(0x08);
          w.varint(error.code);
        }
        w.string(0x12, error.message ?? '');
        w.string(0x1a, error.field ?? '');
        w.string(0x22, error.reason ?? '');
      });
    }
  });
}

function writeCounts(w: Writer, accepted: number, rejected: number): void {
  if (accepted) {
    w.varint(0x10);
    w.varint(accepted);
  }
  if (rejected) {
    w.varint(0x18);
    w.varint(rejected);
  }
}

/** ReportBatchResponse → bytes. */
export function encodeReportBatchResponse(response: ReportBatchResponse): Buffer {
  const w = new Writer();
  for (const result of response.results ?? []) writeResult(w, result);
  writeCounts(w, Number(response.accepted ?? 0), Number(response.rejected ?? 0));
  return w.finish();
}

/** The common answer, every event accepted on the byte path: 32 bytes per event, then `accepted`. */
function allAccepted(scan: ScannedBatch): Buffer {
  const out = Buffer.allocUnsafe(32 * scan.events + 6);
  writeAcceptedResults(out, scan.ids, scan.events);
  let o = 32 * scan.events;
  if (scan.events > 0) {
    out[o++] = 0x10;
    for (let v = scan.events; ; v = Math.floor(v / 128)) {
      if (v < 0x80) {
        out[o++] = v;
        break;
      }
      out[o++] = (v & 0x7f) | 0x80;
    }
  }
  return out.subarray(0, o);
}

/**
 * The results of `events` accepted events, 32 bytes each, from their ids. A function of its own with nothing after
 * its loop: V8 compiles the loop on stack (OSR) during the first call, and code after the loop that had not run yet
 * then had no type feedback, so that compiled loop bailed out at its end on every later call (174 times in 600 calls
 * in the scan worker, seen with --trace-deopt) and recompiled.
 */
function writeAcceptedResults(out: Buffer, ids: Buffer, events: number): void {
  for (let i = 0, o = 0; i < events; i++, o += 32) {
    out[o] = 0x0a;
    out[o + 1] = 30;
    out[o + 2] = 0x0a;
    out[o + 3] = 26;
    const at = i * 26;
    for (let j = 0; j < 26; j++) out[o + 4 + j] = ids[at + j];
    out[o + 30] = 0x10;
    out[o + 31] = 1;
  }
}

/** results { event_id = <26 bytes>, accepted = true }: 2 + 26 + 2 bytes, around the id. */
const ACCEPTED_PREFIX = Buffer.from([0x0a, 30, 0x0a, 26]);
const ACCEPTED_SUFFIX = Buffer.from([0x10, 1]);

/**
 * The response to a batch scanned on bytes: an accepted event's result is written from its 26 id bytes; `failure`
 * (the spool could not take the record) replaces every acceptance.
 */
export function encodeScannedResponse(scan: ScannedBatch, failure?: EventError): Buffer {
  if (!failure && scan.response) return scan.response;
  if (!failure && scan.accepted === scan.events && scan.outcomes.every((o) => o === undefined)) return allAccepted(scan);
  const w = new Writer(32 * scan.events + 32);
  let accepted = 0;
  for (let i = 0; i < scan.events; i++) {
    const outcome = scan.outcomes[i];
    if (outcome === undefined && !failure) {
      w.raw(ACCEPTED_PREFIX);
      w.raw(scan.ids, i * 26, i * 26 + 26);
      w.raw(ACCEPTED_SUFFIX);
      accepted++;
    } else if (outcome === undefined) {
      writeResult(w, { eventId: scan.ids.toString('latin1', i * 26, i * 26 + 26), accepted: false, error: failure });
    } else if (outcome.accepted && failure) {
      writeResult(w, { eventId: outcome.eventId, accepted: false, error: failure });
    } else {
      writeResult(w, { eventId: outcome.eventId, accepted: outcome.accepted, error: outcome.error ?? null });
      if (outcome.accepted) accepted++;
    }
  }
  writeCounts(w, accepted, scan.events - accepted);
  return w.finish();
}
