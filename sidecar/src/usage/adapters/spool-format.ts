import { crc32 } from 'node:zlib';

/**
 * On-disk format of spool segments.
 *
 *   segment := MAGIC record*
 *   record  := u32le payload_length · u32le crc32(count ‖ payload) · u32le count · payload
 *
 * `count` is how many events the payload holds (a record is one acknowledged append, typically a whole batch).
 * A record is whole when its length fits in the file and its checksum matches. After a crash only the tail of a
 * segment can be torn (appends are sequential), so recovery keeps the longest prefix of whole records.
 */
export const SEGMENT_MAGIC = Buffer.from('TGSPOOL2');
export const RECORD_HEADER_BYTES = 12;
/** Bigger than any record the sidecar writes; a length beyond this is a torn or corrupt header. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

export interface SpoolRecord {
  /** The payload as appended: one buffer when read from disk, the appended parts when kept in memory. */
  parts: readonly Buffer[];
  count: number;
}

function checksum(count: number, payload: Buffer | readonly Buffer[]): number {
  const countBytes = Buffer.allocUnsafe(4);
  countBytes.writeUInt32LE(count, 0);
  let crc = crc32(countBytes);
  if (Buffer.isBuffer(payload)) return crc32(payload, crc);
  for (const part of payload) crc = crc32(part, crc);
  return crc;
}

/** The header of a record whose payload is `payload`, or the concatenation of its parts. */
export function encodeRecordHeader(payload: Buffer | readonly Buffer[], count: number): Buffer {
  const length = Buffer.isBuffer(payload) ? payload.length : payload.reduce((n, part) => n + part.length, 0);
  const header = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
  header.writeUInt32LE(length, 0);
  header.writeUInt32LE(checksum(count, payload), 4);
  header.writeUInt32LE(count, 8);
  return header;
}

export interface DecodedRecords {
  records: SpoolRecord[];
  /** Bytes of `chunk` consumed by whole records. */
  consumed: number;
  /** True when decoding stopped at a record whose checksum or length is wrong (not merely incomplete). */
  corrupt: boolean;
  /** When stopped at an incomplete record: its total size, header included. */
  incompleteBytes?: number;
}

/** Decodes whole records from the start of `chunk` until they hold at least `maxCount` events. */
export function decodeRecords(chunk: Buffer, maxCount = Number.POSITIVE_INFINITY): DecodedRecords {
  const records: SpoolRecord[] = [];
  let offset = 0;
  let count = 0;
  while (count < maxCount && offset + RECORD_HEADER_BYTES <= chunk.length) {
    const length = chunk.readUInt32LE(offset);
    if (length > MAX_RECORD_BYTES) return { records, consumed: offset, corrupt: true };
    const end = offset + RECORD_HEADER_BYTES + length;
    if (end > chunk.length) return { records, consumed: offset, corrupt: false, incompleteBytes: RECORD_HEADER_BYTES + length };
    const recordCount = chunk.readUInt32LE(offset + 8);
    const payload = chunk.subarray(offset + RECORD_HEADER_BYTES, end);
    if (checksum(recordCount, payload) !== chunk.readUInt32LE(offset + 4)) return { records, consumed: offset, corrupt: true };
    records.push({ parts: [payload], count: recordCount });
    count += recordCount;
    offset = end;
  }
  return { records, consumed: offset, corrupt: false };
}
