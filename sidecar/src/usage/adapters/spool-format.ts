import { crc32 } from 'node:zlib';

/**
 * On-disk format of spool segments.
 *
 *   segment := MAGIC record*
 *   record  := u32le payload_length · u32le crc32(payload) · payload
 *
 * A record is whole when its length fits in the file and its checksum matches. After a crash only the tail of a
 * segment can be torn (appends are sequential), so recovery keeps the longest prefix of whole records.
 */
export const SEGMENT_MAGIC = Buffer.from('TGSPOOL1');
export const RECORD_HEADER_BYTES = 8;
/** Bigger than any record the sidecar writes; a length beyond this is a torn or corrupt header. */
export const MAX_RECORD_BYTES = 1 << 20;

export function encodeRecord(payload: Buffer): Buffer {
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  record.writeUInt32LE(payload.length, 0);
  record.writeUInt32LE(crc32(payload), 4);
  payload.copy(record, RECORD_HEADER_BYTES);
  return record;
}

export interface DecodedRecords {
  payloads: Buffer[];
  /** Bytes of `chunk` consumed by whole records. */
  consumed: number;
  /** True when decoding stopped at a record whose checksum or length is wrong (not merely incomplete). */
  corrupt: boolean;
}

/** Decodes whole records from the start of `chunk`, at most `maxRecords`. */
export function decodeRecords(chunk: Buffer, maxRecords = Number.POSITIVE_INFINITY): DecodedRecords {
  const payloads: Buffer[] = [];
  let offset = 0;
  while (payloads.length < maxRecords && offset + RECORD_HEADER_BYTES <= chunk.length) {
    const length = chunk.readUInt32LE(offset);
    if (length > MAX_RECORD_BYTES) return { payloads, consumed: offset, corrupt: true };
    const end = offset + RECORD_HEADER_BYTES + length;
    if (end > chunk.length) break;
    const payload = chunk.subarray(offset + RECORD_HEADER_BYTES, end);
    if (crc32(payload) !== chunk.readUInt32LE(offset + 4)) return { payloads, consumed: offset, corrupt: true };
    payloads.push(payload);
    offset = end;
  }
  return { payloads, consumed: offset, corrupt: false };
}
