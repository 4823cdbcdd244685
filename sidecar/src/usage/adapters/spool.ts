import { closeSync, openSync, fsyncSync, readFileSync, writeFileSync, unlinkSync, existsSync, mkdirSync } from 'node:fs';
import { open, readdir, rename, stat, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeRecords, encodeRecordHeader, MAX_RECORD_BYTES, RECORD_HEADER_BYTES, SEGMENT_MAGIC, type SpoolRecord } from './spool-format.js';

export type { SpoolRecord };

/**
 * The sidecar's durable spool: append-only segment files of checksummed records.
 *
 * Invariants:
 *  - append() resolves only after the records are written and fdatasync'ed (group commit: appends arriving while a
 *    commit is waiting or running share the next fsync).
 *  - A segment file is deleted only by release(), which the shipper calls after ClickHouse confirmed every record
 *    before the released position.
 *  - Records are never rewritten; after a crash, a torn tail is cut back to the last whole record.
 *  - Appends beyond maxBytes of unreleased data are refused (SpoolFullError) before anything is written.
 *  - Up to memoryBytes of the newest durable records stay in memory until released, and read() hands them out from
 *    there: a shipper that keeps up never reads back from disk what it was just given. What read() returns is the
 *    same either way (the bytes written); disk reads verify checksums, memory has nothing to verify.
 */
export interface SpoolOptions {
  dir: string;
  maxBytes: number;
  segmentBytes: number;
  fsyncIntervalMs: number;
  /** Payload bytes of recent durable records kept in memory for read() (default 0: every read goes to disk). */
  memoryBytes?: number;
  now?: () => number;
}

/** Where a reader is: a segment's sequence number and a byte offset in it. */
export interface SpoolPosition {
  segment: number;
  offset: number;
}

export interface RecoveryReport {
  segments: number;
  /** Events in the whole records found. */
  events: number;
  /** Segments whose tail was cut, with the bytes removed. */
  tornTails: Array<{ file: string; cutBytes: number; corrupt: boolean }>;
}

export interface SpoolStats {
  /** Bytes of segments on disk not yet released. */
  bytes: number;
  segments: number;
  /** Events acknowledged and not yet released (spool depth). */
  pendingEvents: number;
  /** Age of the oldest unreleased record's commit. */
  oldestPendingMs: number;
  /** Since open: bytes appended (record headers included); events appended (plus those recovered at open). */
  appendedBytes: number;
  appendedEvents: number;
  /** Payload bytes of the records kept in memory. */
  memoryBytes: number;
  /** Since open: events read() handed out from memory, and from disk. */
  readEvents: { memory: number; disk: number };
}

export class SpoolFullError extends Error {
  override name = 'SpoolFullError';
}

interface Segment {
  seq: number;
  path: string;
  /** Bytes known durable (header included). */
  size: number;
  records: number;
  sealed: boolean;
}

interface PendingAppend {
  records: Buffer[];
  bytes: number;
  count: number;
  resolve: () => void;
  reject: (err: Error) => void;
  whenDropped?: () => void;
}

/** A durable record also held in memory, from `offset` to `next` in its segment (header included). */
interface KeptRecord {
  segment: number;
  offset: number;
  next: number;
  parts: readonly Buffer[];
  count: number;
  payloadBytes: number;
  whenDropped?: () => void;
}

const SEGMENT_FILE = /^segment-(\d{12})\.log$/;
const segmentName = (seq: number) => `segment-${String(seq).padStart(12, '0')}.log`;
const READ_CHUNK_BYTES = 8 * 1024 * 1024;

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export class Spool {
  private readonly segments = new Map<number, Segment>();
  private active!: Segment;
  private activeHandle!: FileHandle;
  private readHandle?: { seq: number; handle: FileHandle };
  private queue: PendingAppend[] = [];
  private queuedBytes = 0;
  private commitTimer?: NodeJS.Timeout | 'immediate';
  private committing?: Promise<void>;
  private commitWaiters = new Set<() => void>();
  private closed = false;
  private bytes = 0;
  private pending = 0;
  /** Commit time of the oldest record not yet released, for the shipping-lag metric. */
  private commitTimes: Array<{ upTo: number; at: number }> = [];
  private committedTotal = 0;
  private releasedTotal = 0;
  private releasedUpTo?: SpoolPosition;
  private appendedBytes = 0;
  /** In spool order; the oldest are dropped as they are released. */
  private kept: KeptRecord[] = [];
  private keptBytes = 0;
  private readonly readEvents = { memory: 0, disk: 0 };
  private readonly now: () => number;

  private constructor(private readonly options: SpoolOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Opens (and recovers) the spool in options.dir; one process per directory, enforced by a lock file. */
  static async open(options: SpoolOptions): Promise<{ spool: Spool; recovery: RecoveryReport }> {
    mkdirSync(options.dir, { recursive: true });
    takeLock(options.dir);
    const spool = new Spool(options);
    try {
      const recovery = await spool.recover();
      await spool.startSegment(spool.lastSeq() + 1);
      return { spool, recovery };
    } catch (err) {
      releaseLock(options.dir);
      throw err;
    }
  }

  // ---- writer side ----

  /**
   * Resolves once the record is durable. Throws SpoolFullError at once when it would not fit. The payload may be
   * given in parts (one record, written without joining them); the caller must not change them afterwards.
   * `whenDropped` is called once the spool and its reader are done with the parts (the record was released, or was
   * not kept in memory after its write, or was refused), so that the caller may reuse their memory; a spool that is
   * closed with the record still kept never calls it.
   */
  append(payload: Buffer | readonly Buffer[], count: number, whenDropped?: () => void): Promise<void> {
    const refuse = (err: Error) => {
      whenDropped?.();
      return Promise.reject(err);
    };
    if (this.closed) return refuse(new Error('spool is closed'));
    const parts = Buffer.isBuffer(payload) ? [payload] : payload;
    const length = parts.reduce((n, part) => n + part.length, 0);
    if (length > MAX_RECORD_BYTES) return refuse(new Error(`spool record of ${length} bytes exceeds ${MAX_RECORD_BYTES}`));
    const bytes = RECORD_HEADER_BYTES + length;
    if (!this.hasRoom(bytes)) {
      return refuse(new SpoolFullError(`usage spool is full (${this.bytes + this.queuedBytes} of ${this.options.maxBytes} bytes unshipped)`));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ records: [encodeRecordHeader(parts, count), ...parts], bytes, count, resolve, reject, whenDropped });
      this.queuedBytes += bytes;
      this.scheduleCommit();
    });
  }

  hasRoom(bytes: number): boolean {
    return this.bytes + this.queuedBytes + bytes <= this.options.maxBytes;
  }

  private scheduleCommit(): void {
    if (this.commitTimer || this.committing) return;
    const run = () => {
      this.commitTimer = undefined;
      this.committing = this.commit().finally(() => {
        this.committing = undefined;
        if (this.queue.length > 0) this.scheduleCommit();
      });
    };
    if (this.options.fsyncIntervalMs === 0) {
      this.commitTimer = 'immediate';
      setImmediate(run);
    } else {
      this.commitTimer = setTimeout(run, this.options.fsyncIntervalMs);
    }
  }

  private async commit(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const records = batch.flatMap((a) => a.records);
    const bytes = batch.reduce((n, a) => n + a.bytes, 0);
    const count = batch.reduce((n, a) => n + a.count, 0);
    let start: number;
    try {
      if (this.active.size >= this.options.segmentBytes) await this.rotate();
      start = this.active.size;
      let position = start;
      // Positional writes: after a failed attempt the next commit overwrites the same bytes, never leaves a gap.
      // writev takes at most IOV_MAX (1024) buffers.
      for (let i = 0; i < records.length; i += 1024) {
        const slice = records.slice(i, i + 1024);
        const { bytesWritten } = await this.activeHandle.writev(slice, position);
        position += bytesWritten;
        const expected = slice.reduce((n, r) => n + r.length, 0);
        if (bytesWritten !== expected) throw new Error(`short write to spool: ${bytesWritten} of ${expected} bytes`);
      }
      await this.activeHandle.datasync();
    } catch (err) {
      this.queuedBytes -= bytes;
      for (const a of batch) {
        a.whenDropped?.();
        a.reject(err as Error);
      }
      return;
    }
    this.keep(batch, start);
    this.active.size += bytes;
    this.active.records += count;
    this.bytes += bytes;
    this.appendedBytes += bytes;
    this.queuedBytes -= bytes;
    this.pending += count;
    this.committedTotal += count;
    this.commitTimes.push({ upTo: this.committedTotal, at: this.now() });
    for (const a of batch) a.resolve();
    const waiters = this.commitWaiters;
    this.commitWaiters = new Set();
    for (const w of waiters) w();
  }

  /** Keeps a commit's records in memory, in order, while they fit in memoryBytes; the others are dropped at once. */
  private keep(batch: PendingAppend[], start: number): void {
    const limit = this.options.memoryBytes ?? 0;
    let offset = start;
    for (const a of batch) {
      const payloadBytes = a.bytes - RECORD_HEADER_BYTES;
      if (this.keptBytes + payloadBytes <= limit && !this.closed) {
        this.kept.push({ segment: this.active.seq, offset, next: offset + a.bytes, parts: a.records.slice(1), count: a.count, payloadBytes, whenDropped: a.whenDropped });
        this.keptBytes += payloadBytes;
      } else a.whenDropped?.();
      offset += a.bytes;
    }
  }

  private async rotate(): Promise<void> {
    this.active.sealed = true;
    await this.activeHandle.close();
    await this.startSegment(this.active.seq + 1);
  }

  private async startSegment(seq: number): Promise<void> {
    const path = join(this.options.dir, segmentName(seq));
    const handle = await open(path, 'wx');
    await handle.write(SEGMENT_MAGIC, 0, SEGMENT_MAGIC.length, 0);
    await handle.sync();
    fsyncDirectory(this.options.dir);
    const segment: Segment = { seq, path, size: SEGMENT_MAGIC.length, records: 0, sealed: false };
    this.segments.set(seq, segment);
    this.bytes += SEGMENT_MAGIC.length;
    this.active = segment;
    this.activeHandle = handle;
  }

  // ---- reader side (the shipper) ----

  /** The oldest position not yet released. */
  firstPosition(): SpoolPosition {
    const first = Math.min(...this.segments.keys());
    return { segment: first, offset: SEGMENT_MAGIC.length };
  }

  /** Records from `from` holding at least maxCount events (or all there are); never crosses a segment boundary. */
  async read(from: SpoolPosition, maxCount: number): Promise<{ records: SpoolRecord[]; next: SpoolPosition }> {
    if (this.closed) return { records: [], next: from };
    const segment = this.segments.get(from.segment);
    if (!segment) throw new Error(`spool segment ${from.segment} is gone (released or never existed)`);
    if (from.offset >= segment.size) {
      if (segment.sealed && this.segments.has(segment.seq + 1)) return this.read({ segment: segment.seq + 1, offset: SEGMENT_MAGIC.length }, maxCount);
      return { records: [], next: from };
    }
    const fromMemory = this.readKept(from, maxCount);
    if (fromMemory) return fromMemory;
    const handle = await this.readerFor(segment);
    let length = Math.min(segment.size - from.offset, READ_CHUNK_BYTES);
    for (;;) {
      const chunk = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(chunk, 0, length, from.offset);
      const decoded = decodeRecords(chunk.subarray(0, bytesRead), maxCount);
      if (decoded.corrupt) throw new Error(`spool segment ${segment.path} is corrupt at offset ${from.offset + decoded.consumed}`);
      // A record larger than the read chunk: read again, exactly that record.
      if (decoded.records.length === 0 && decoded.incompleteBytes && decoded.incompleteBytes > length && from.offset + decoded.incompleteBytes <= segment.size) {
        length = decoded.incompleteBytes;
        continue;
      }
      for (const r of decoded.records) this.readEvents.disk += r.count;
      return { records: decoded.records, next: { segment: segment.seq, offset: from.offset + decoded.consumed } };
    }
  }

  /** read() from the records kept in memory, when the one at `from` is; undefined otherwise. */
  private readKept(from: SpoolPosition, maxCount: number): { records: SpoolRecord[]; next: SpoolPosition } | undefined {
    const kept = this.kept;
    // Binary search for the first kept record at or after `from` (kept records are in spool order).
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const k = kept[mid];
      if (k.segment < from.segment || (k.segment === from.segment && k.offset < from.offset)) low = mid + 1;
      else high = mid;
    }
    if (low === kept.length || kept[low].segment !== from.segment || kept[low].offset !== from.offset) return undefined;
    const records: SpoolRecord[] = [];
    let count = 0;
    let next = from.offset;
    // Contiguous records of the same segment only, as a disk read would give them.
    for (let i = low; i < kept.length && count < maxCount && kept[i].segment === from.segment && kept[i].offset === next; i++) {
      records.push({ parts: kept[i].parts, count: kept[i].count });
      count += kept[i].count;
      next = kept[i].next;
    }
    this.readEvents.memory += count;
    return { records, next: { segment: from.segment, offset: next } };
  }

  private async readerFor(segment: Segment): Promise<FileHandle> {
    if (this.readHandle?.seq === segment.seq) return this.readHandle.handle;
    await this.readHandle?.handle.close();
    this.readHandle = { seq: segment.seq, handle: await open(segment.path, 'r') };
    return this.readHandle.handle;
  }

  /**
   * Everything before `upTo` is confirmed stored downstream: counts `events` as shipped and deletes segments that
   * lie wholly before it.
   */
  async release(upTo: SpoolPosition, events: number): Promise<void> {
    if (this.closed) return;
    this.pending -= events;
    this.releasedTotal += events;
    this.releasedUpTo = upTo;
    while (this.commitTimes.length > 0 && this.commitTimes[0].upTo <= this.releasedTotal) this.commitTimes.shift();
    this.dropKeptBefore(upTo);
    await this.deleteSegmentsBefore(upTo);
  }

  private dropKeptBefore(upTo: SpoolPosition): void {
    let n = 0;
    while (n < this.kept.length) {
      const k = this.kept[n];
      if (k.segment > upTo.segment || (k.segment === upTo.segment && k.next > upTo.offset)) break;
      this.keptBytes -= k.payloadBytes;
      k.whenDropped?.();
      n++;
    }
    if (n > 0) this.kept = this.kept.slice(n);
  }

  private async deleteSegmentsBefore(upTo: SpoolPosition): Promise<void> {
    for (const segment of [...this.segments.values()].sort((a, b) => a.seq - b.seq)) {
      const wholly = segment.seq < upTo.segment || (segment.sealed && segment.seq === upTo.segment && upTo.offset >= segment.size);
      if (!wholly || (segment === this.active && !this.closed)) break;
      if (this.readHandle?.seq === segment.seq) {
        await this.readHandle.handle.close();
        this.readHandle = undefined;
      }
      await unlink(segment.path);
      this.segments.delete(segment.seq);
      this.bytes -= segment.size;
    }
  }

  /** Calls `onCommit` once, at the next commit; returns a function that cancels the wait. */
  onNextCommit(onCommit: () => void): () => void {
    this.commitWaiters.add(onCommit);
    return () => this.commitWaiters.delete(onCommit);
  }

  /** How long the oldest record not yet released has been durable (0 when every record is released). */
  oldestPendingAgeMs(): number {
    return this.pendingEventAgeMs(0);
  }

  /**
   * How long the unreleased event after the first `skip` unreleased ones has been durable (0 when there is no such
   * event). Events are counted in spool order, as the shipper reads them.
   */
  pendingEventAgeMs(skip: number): number {
    const ordinal = this.releasedTotal + skip;
    // The first commit whose running total goes past the event holds it.
    let low = 0;
    let high = this.commitTimes.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.commitTimes[mid].upTo > ordinal) high = mid;
      else low = mid + 1;
    }
    const commit = this.commitTimes[low];
    return commit ? this.now() - commit.at : 0;
  }

  stats(): SpoolStats {
    return {
      bytes: this.bytes,
      segments: this.segments.size,
      pendingEvents: this.pending,
      oldestPendingMs: this.oldestPendingAgeMs(),
      appendedBytes: this.appendedBytes,
      appendedEvents: this.committedTotal,
      memoryBytes: this.keptBytes,
      readEvents: { ...this.readEvents },
    };
  }

  /** Commits what is queued, then closes the files. Unreleased segments stay for the next start. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.commitTimer && this.commitTimer !== 'immediate') clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    await this.committing;
    if (this.queue.length > 0) await this.commit();
    await this.activeHandle.close();
    await this.readHandle?.handle.close();
    this.readHandle = undefined;
    // A shipper cut off by the stop may still hold kept parts: they are forgotten, never handed back for reuse.
    this.kept = [];
    this.keptBytes = 0;
    // A clean stop with everything shipped leaves nothing to re-ship at the next start.
    this.active.sealed = true;
    const released = this.releasedUpTo;
    if (released && released.segment === this.active.seq && released.offset >= this.active.size) await this.deleteSegmentsBefore(released);
    for (const w of this.commitWaiters) w();
    releaseLock(this.options.dir);
  }

  // ---- recovery ----

  private lastSeq(): number {
    return this.segments.size === 0 ? 0 : Math.max(...this.segments.keys());
  }

  private async recover(): Promise<RecoveryReport> {
    const report: RecoveryReport = { segments: 0, events: 0, tornTails: [] };
    const names = (await readdir(this.options.dir)).filter((n) => SEGMENT_FILE.test(n)).sort();
    for (const name of names) {
      const path = join(this.options.dir, name);
      const seq = Number(SEGMENT_FILE.exec(name)![1]);
      const size = (await stat(path)).size;
      const content = readFileSync(path);
      if (size < SEGMENT_MAGIC.length && SEGMENT_MAGIC.subarray(0, size).equals(content)) {
        // Crashed while creating the segment: nothing in it was ever acknowledged.
        await unlink(path);
        continue;
      }
      if (!content.subarray(0, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC)) {
        // Not ours or damaged at the start: keep it aside for a human rather than delete possible data.
        await rename(path, `${path}.unreadable`);
        report.tornTails.push({ file: name, cutBytes: size, corrupt: true });
        continue;
      }
      const decoded = decodeRecords(content.subarray(SEGMENT_MAGIC.length));
      const whole = SEGMENT_MAGIC.length + decoded.consumed;
      const events = decoded.records.reduce((n, r) => n + r.count, 0);
      if (whole < size) {
        await truncate(path, whole);
        const fd = openSync(path, 'r+');
        fsyncSync(fd);
        closeSync(fd);
        report.tornTails.push({ file: name, cutBytes: size - whole, corrupt: decoded.corrupt });
      }
      this.segments.set(seq, { seq, path, size: whole, records: events, sealed: true });
      this.bytes += whole;
      this.pending += events;
      this.committedTotal += events;
      report.segments += 1;
      report.events += events;
    }
    if (this.committedTotal > 0) this.commitTimes.push({ upTo: this.committedTotal, at: this.now() });
    return report;
  }
}

function lockPath(dir: string): string {
  return join(dir, 'LOCK');
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Two processes appending to one spool would interleave records; a stale lock (its process gone) is taken over. */
function takeLock(dir: string): void {
  const path = lockPath(dir);
  if (existsSync(path)) {
    const pid = Number(readFileSync(path, 'utf8').trim());
    if (pid && pid !== process.pid && processAlive(pid)) throw new Error(`usage spool ${dir} is in use by process ${pid}`);
  }
  writeFileSync(path, String(process.pid));
}

function releaseLock(dir: string): void {
  try {
    unlinkSync(lockPath(dir));
  } catch {
    // already gone
  }
}
