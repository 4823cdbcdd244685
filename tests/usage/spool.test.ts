import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool, SpoolFullError, type SpoolPosition } from '../../sidecar/src/usage/adapters/spool.js';
import { tempDir } from './helpers.js';

const open: Spool[] = [];
async function openSpool(dir: string, overrides: Partial<{ maxBytes: number; segmentBytes: number; fsyncIntervalMs: number; memoryBytes: number }> = {}) {
  const result = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 4096, fsyncIntervalMs: 1, ...overrides });
  open.push(result.spool);
  return result;
}
afterEach(async () => {
  for (const spool of open.splice(0)) await spool.close();
});

const payload = (i: number) => Buffer.from(`event-${i}\tpayload\n`);

async function readAll(spool: Spool): Promise<{ texts: string[]; end: SpoolPosition }> {
  const texts: string[] = [];
  let position = spool.firstPosition();
  for (;;) {
    const { records, next } = await spool.read(position, 1000);
    if (records.length === 0 && next.segment === position.segment && next.offset === position.offset) return { texts, end: position };
    texts.push(...records.map((r) => Buffer.concat(r.parts).toString()));
    position = next;
  }
}

describe('spool', () => {
  it('stores a record given in parts exactly as the joined payload, checksum included, and cuts a torn one', async () => {
    const dir = tempDir('spool');
    const { spool } = await openSpool(dir, { segmentBytes: 1 << 20 });
    await spool.append([Buffer.from('head|'), Buffer.from('rows one\n'), Buffer.alloc(0), Buffer.from('rows two\n')], 2);
    await spool.append(Buffer.from('head|rows one\nrows two\n'), 2);
    await spool.append([Buffer.from('torn|'), Buffer.from('x'.repeat(100))], 1);
    await spool.close();
    // The two first records are byte for byte the same (header and checksum included).
    const [segment] = readdirSync(dir).filter((f) => f.endsWith('.log'));
    const file = join(dir, segment);
    const bytes = readFileSync(file);
    const recordBytes = 12 + 'head|rows one\nrows two\n'.length;
    expect(bytes.subarray(8, 8 + recordBytes).equals(bytes.subarray(8 + recordBytes, 8 + 2 * recordBytes))).toBe(true);
    truncateSync(file, statSync(file).size - 10);
    const { spool: reopened, recovery } = await openSpool(dir);
    expect(recovery.events).toBe(4);
    expect(recovery.tornTails).toHaveLength(1);
    expect((await readAll(reopened)).texts).toEqual(['head|rows one\nrows two\n', 'head|rows one\nrows two\n']);
  });

  it('returns acknowledged records in order across segments and after reopening', async () => {
    const dir = tempDir('spool');
    const { spool } = await openSpool(dir, { memoryBytes: 1 << 20 });
    for (let i = 0; i < 500; i += 10) await Promise.all(Array.from({ length: 10 }, (_, j) => spool.append(payload(i + j), 1)));
    expect(readdirSync(dir).filter((f) => f.endsWith('.log')).length).toBeGreaterThan(2);
    // From memory, segment by segment as from disk.
    expect((await readAll(spool)).texts).toEqual(Array.from({ length: 500 }, (_, i) => payload(i).toString()));
    expect(spool.stats().readEvents).toEqual({ memory: 500, disk: 0 });
    await spool.close();

    const { spool: reopened, recovery } = await openSpool(dir);
    expect(recovery.events).toBe(500);
    expect(recovery.tornTails).toEqual([]);
    const { texts } = await readAll(reopened);
    expect(texts).toEqual(Array.from({ length: 500 }, (_, i) => payload(i).toString()));
  });

  it('deletes segments only up to the released position', async () => {
    const dir = tempDir('spool');
    const { spool } = await openSpool(dir);
    for (let i = 0; i < 300; i++) await spool.append(payload(i), 1);
    const first = await spool.read(spool.firstPosition(), 100);
    expect(first.records).toHaveLength(100);
    const before = spool.stats();
    await spool.release(first.next, 100);
    expect(spool.stats().pendingEvents).toBe(before.pendingEvents - 100);
    const { end } = await readAll(spool);
    await spool.release(end, 200);
    expect(spool.stats().pendingEvents).toBe(0);
    // Only the active segment is left.
    expect(readdirSync(dir).filter((f) => f.endsWith('.log'))).toHaveLength(1);
    await spool.close();
    const { recovery } = await openSpool(dir);
    expect(recovery.events).toBe(0);
  });

  it('tells how long each unreleased event has been durable, counted in spool order', async () => {
    let nowMs = 1_000_000;
    const { spool } = await Spool.open({ dir: tempDir('spool'), maxBytes: 1 << 20, segmentBytes: 4096, fsyncIntervalMs: 1, now: () => nowMs });
    open.push(spool);
    await spool.append(payload(0), 2); // events 0-1, durable at 1,000,000
    nowMs += 300;
    await spool.append(payload(1), 3); // events 2-4, at 1,000,300
    nowMs += 200; // now 1,000,500
    expect([0, 1, 2, 4, 5].map((skip) => spool.pendingEventAgeMs(skip))).toEqual([500, 500, 200, 200, 0]);
    expect(spool.oldestPendingAgeMs()).toBe(500);
    const first = await spool.read(spool.firstPosition(), 2);
    await spool.release(first.next, 2);
    expect([0, 2, 3].map((skip) => spool.pendingEventAgeMs(skip))).toEqual([200, 200, 0]);
  });

  it('cuts a torn tail back to the last whole record', async () => {
    const dir = tempDir('spool');
    const { spool } = await openSpool(dir, { segmentBytes: 1 << 20 });
    await Promise.all([spool.append(payload(1), 1), spool.append(payload(2), 1), spool.append(payload(3), 1)]);
    await spool.close();
    const segment = join(dir, readdirSync(dir).filter((f) => f.endsWith('.log')).sort()[0]);
    const whole = statSync(segment).size;
    // A crash mid-append: half of a fourth record's bytes reached the disk.
    appendFileSync(segment, Buffer.from([22, 0, 0, 0, 1, 2, 3, 4, 1, 0, 0, 0, 65, 66, 67]));
    const { spool: reopened, recovery } = await openSpool(dir);
    expect(recovery.tornTails).toEqual([{ file: segment.split('/').pop(), cutBytes: 15, corrupt: false }]);
    expect(statSync(segment).size).toBe(whole);
    expect((await readAll(reopened)).texts).toEqual([1, 2, 3].map((i) => payload(i).toString()));
  });

  it('cuts a record whose checksum does not match, and everything after it', async () => {
    const dir = tempDir('spool');
    const { spool } = await openSpool(dir, { segmentBytes: 1 << 20 });
    await spool.append(payload(1), 1);
    await spool.append(payload(2), 1);
    await spool.close();
    const segment = join(dir, readdirSync(dir).filter((f) => f.endsWith('.log')).sort()[0]);
    truncateSync(segment, statSync(segment).size - 1);
    appendFileSync(segment, 'X'); // last byte of record 2 changed
    const { spool: reopened, recovery } = await openSpool(dir);
    expect(recovery.tornTails[0].corrupt).toBe(true);
    expect((await readAll(reopened)).texts).toEqual([payload(1).toString()]);
  });

  it('refuses appends beyond max_bytes without writing anything, and accepts again after a release', async () => {
    const dir = tempDir('spool');
    const { spool } = await openSpool(dir, { maxBytes: 2000, segmentBytes: 500 });
    let accepted = 0;
    let full: unknown;
    for (let i = 0; i < 200 && !full; i++) {
      try {
        await spool.append(payload(i), 1);
        accepted++;
      } catch (err) {
        full = err;
      }
    }
    expect(full).toBeInstanceOf(SpoolFullError);
    expect(spool.stats().bytes).toBeLessThanOrEqual(2000);
    const { texts, end } = await readAll(spool);
    expect(texts).toHaveLength(accepted);
    await spool.release(end, accepted);
    await expect(spool.append(payload(999), 1)).resolves.toBeUndefined();
  });

  it('counts events, not records, and reads records larger than one read chunk', async () => {
    const dir = tempDir('spool');
    const { spool } = await openSpool(dir, { maxBytes: 64 << 20, segmentBytes: 1 << 20 });
    const big = Buffer.alloc(10 << 20, 'x');
    await spool.append(big, 5000);
    await spool.append(payload(1), 3);
    expect(spool.stats().pendingEvents).toBe(5003);
    const first = await spool.read(spool.firstPosition(), 1);
    expect(first.records.map((r) => [Buffer.concat(r.parts).length, r.count])).toEqual([[big.length, 5000]]);
    const second = await spool.read(first.next, 10_000);
    expect(second.records.map((r) => r.count)).toEqual([3]);
  });

  it('hands out recent records from memory, the same as on disk, and lets go of them only at release', async () => {
    const dir = tempDir('spool');
    // Room in memory for 5 of the 8 records' payloads of 16 bytes.
    const { spool } = await openSpool(dir, { memoryBytes: 5 * 16 + 15 });
    const dropped: number[] = [];
    const parts: Buffer[][] = [];
    for (let i = 0; i < 8; i++) {
      parts.push([Buffer.from(`event-${i}\t`), Buffer.from('payload\n')]);
      await spool.append(parts[i], 1, () => dropped.push(i));
    }
    // The records that did not fit were let go of as soon as they were durable; the kept ones are not.
    expect(dropped).toEqual([5, 6, 7]);
    expect(spool.stats().memoryBytes).toBe(5 * 16);

    const first = await spool.read(spool.firstPosition(), 3);
    expect(first.records.map((r) => r.count)).toEqual([1, 1, 1]);
    // The appended parts themselves: nothing read back or copied.
    expect(first.records[0].parts[0]).toBe(parts[0][0]);
    const rest = await spool.read(first.next, 100);
    expect(rest.records.map((r) => Buffer.concat(r.parts).toString())).toEqual([3, 4].map((i) => `event-${i}\tpayload\n`));
    const fromDisk = await spool.read(rest.next, 100);
    expect(fromDisk.records.map((r) => Buffer.concat(r.parts).toString())).toEqual([5, 6, 7].map((i) => `event-${i}\tpayload\n`));
    expect(spool.stats().readEvents).toEqual({ memory: 5, disk: 3 });

    // A release lets go of exactly the records before its position.
    await spool.release(first.next, 3);
    expect(dropped).toEqual([5, 6, 7, 0, 1, 2]);
    expect(spool.stats().memoryBytes).toBe(2 * 16);
    // Read again from the start of what is left, as a restarted shipper does: memory and disk agree.
    const again = await spool.read(first.next, 100);
    expect(again.records.map((r) => Buffer.concat(r.parts).toString())).toEqual(rest.records.map((r) => Buffer.concat(r.parts).toString()));
    const { texts } = await readAll(spool);
    await spool.close();
    const { spool: reopened } = await openSpool(dir);
    expect((await readAll(reopened)).texts).toEqual(texts);
  });

  it('hands a refused or failed append\'s parts back at once', async () => {
    const { spool } = await openSpool(tempDir('spool'), { maxBytes: 100, memoryBytes: 1 << 20 });
    let dropped = 0;
    await expect(spool.append(Buffer.alloc(200), 1, () => dropped++)).rejects.toBeInstanceOf(SpoolFullError);
    expect(dropped).toBe(1);
    await spool.close();
    await expect(spool.append(payload(1), 1, () => dropped++)).rejects.toThrow(/closed/);
    expect(dropped).toBe(2);
  });

  it('refuses a second process-level owner of the directory', async () => {
    const dir = tempDir('spool');
    await openSpool(dir);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'LOCK'), String(process.ppid)); // a live process that is not us
    await expect(Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 4096, fsyncIntervalMs: 1 })).rejects.toThrow(/in use by process/);
  });
});
