/**
 * The worker side of ScanWorker (scan-worker.ts): runs the ReportBatch scan off the main thread, against its copy of
 * the tenants' features that the main thread keeps current (every entry carries a version the main thread checks).
 */
import { parentPort } from 'node:worker_threads';
import { monotonicFactory } from 'ulid';
import type { SnapshotSource } from '../../ports.js';
import { WireError } from '../../../../common/protowire.js';
import { BatchScanner } from './report-batch-scan.js';
import { encodeScannedResponse } from './report-batch-wire.js';
import { MAX_POOLED_BYTES, SPARE_BYTES, type CatalogEntry, type ScanReply, type ScanRequest } from './scan-worker.js';

const scanner = new BatchScanner();
const newEventId = monotonicFactory();
const catalog = new Map<string, CatalogEntry>();
/** Memory the main thread gave back (rows and ids of answered batches), reused for the next answers. */
const spare: SharedArrayBuffer[] = [];
let spareBytes = 0;

/** `bytes` copied into memory of its own (a spare buffer when one is big enough), to be handed over. */
function handOver(bytes: Uint8Array): Uint8Array {
  let buffer: SharedArrayBuffer | undefined;
  for (let i = spare.length - 1; i >= 0; i--) {
    if (spare[i].byteLength >= bytes.length) {
      buffer = spare[i];
      spare.splice(i, 1);
      spareBytes -= buffer.byteLength;
      break;
    }
  }
  const out = new Uint8Array(buffer ?? new SharedArrayBuffer(Math.max(bytes.length, 64 * 1024)), 0, bytes.length);
  out.set(bytes);
  return out;
}

parentPort!.on('message', (request: ScanRequest) => {
  for (const buffer of request.spare) {
    if (spareBytes + buffer.byteLength > SPARE_BYTES || buffer.byteLength > MAX_POOLED_BYTES) continue;
    spare.push(buffer);
    spareBytes += buffer.byteLength;
  }
  if (request.clearCatalog) catalog.clear();
  for (const [tenantId, entry] of request.catalog) catalog.set(tenantId, entry);
  const used = new Map<string, number>();
  const missing: string[] = [];
  const snapshots: SnapshotSource = {
    get(tenantId) {
      const entry = catalog.get(tenantId);
      if (!entry) {
        missing.push(tenantId);
        return undefined;
      }
      used.set(tenantId, entry.version);
      return entry.features ? ({ features: entry.features } as ReturnType<SnapshotSource['get']>) : undefined;
    },
    tenantForKeyHash: () => undefined,
  };
  let reply: ScanReply;
  try {
    const scan = scanner.scan(Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength), {
      nowMs: request.nowMs,
      limits: request.limits,
      snapshots,
      newEventId,
    });
    if (missing.length > 0) {
      // The request's bytes go back with the question, for the same request to be sent again.
      reply = { id: request.id, kind: 'missing', tenants: [...new Set(missing)], bytes: request.bytes };
    }
    else if (!scan) reply = { id: request.id, kind: 'give-up' };
    else {
      // Copies of exactly the bytes used, in shared memory (scan-worker.ts: nothing is transferred); the scanner keeps
      // its own buffers.
      const rows = handOver(scan.rows);
      const ids = handOver(scan.ids.subarray(0, scan.events * 26));
      // The answer if the spool takes the record (the main thread writes another one only if it does not).
      const response = new Uint8Array(encodeScannedResponse(scan));
      // The request's bytes go back too: the main thread reuses the memory of a copy it made.
      // An all-accepted batch's outcomes are all undefined: sent as an empty array, not a thousand holes.
      const outcomes = scan.outcomes.every((o) => o === undefined) ? [] : scan.outcomes;
      reply = { id: request.id, kind: 'scanned', used: [...used], events: scan.events, accepted: scan.accepted, rows, ids, response, outcomes, summary: scan.summary, bytes: request.bytes };
      scanner.recycle(scan);
    }
  } catch (err) {
    reply = err instanceof WireError ? { id: request.id, kind: 'wire-error', message: err.message } : { id: request.id, kind: 'error', message: String((err as Error)?.stack ?? err) };
  }
  parentPort!.postMessage(reply);
});
