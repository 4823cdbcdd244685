import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FeatureEntitlement } from '../../../../common/snapshot.js';
import { WireError } from '../../../../common/protowire.js';
import type { SnapshotSource } from '../../ports.js';
import type { RecordSummary } from '../adapters/usage-record.js';
import type { ValidationLimits } from '../domain/validate-event.js';
import type { ReportOutcome } from '../ingest.js';
import type { ScannedBatch } from './report-batch-scan.js';

/**
 * Runs the ReportBatch scan (report-batch-scan.ts) on a worker thread, so the main thread is left with gRPC, the
 * spool and the shipper. The spool, the acknowledgement and every catalog decision stay on the main thread:
 *
 *  - The worker validates against its copy of the tenants' features. Each entry has a version; a reply lists the
 *    (tenant, version) pairs it used, and the main thread accepts it only if each is still the version it holds and
 *    that version's features are still the entitlement snapshot's (same object). Otherwise the entry is refreshed and
 *    the batch is scanned again on the main thread: a catalog change is never missed.
 *  - A tenant the worker has not been told about makes it answer `missing`; the main thread sends the entries and the
 *    same request again.
 *  - If the worker fails or exits, every pending and later batch is scanned on the main thread.
 *
 * Memory passes between the threads as SharedArrayBuffers, shared rather than transferred, and goes round (request
 * copies come back with the answers; rows and ids go back once the batch is done with them). Nothing is transferred
 * because transferring detaches an ArrayBuffer, and once any ArrayBuffer has been detached V8 checks every typed-array
 * access of optimized code for detachment for the rest of the isolate's life: that made the byte scan ~25 % slower
 * (750 against 990 ns an event in a microbenchmark). Whoever holds a buffer by the protocol above is its only user.
 */

export interface CatalogEntry {
  version: number;
  /** null: no such tenant. */
  features: Record<string, FeatureEntitlement> | null;
}

export interface ScanRequest {
  id: number;
  bytes: Uint8Array;
  nowMs: number;
  limits: ValidationLimits;
  catalog: Array<[string, CatalogEntry]>;
  clearCatalog: boolean;
  /** Memory of answered batches, given back to the worker for its next answers. */
  spare: SharedArrayBuffer[];
}

export type ScanReply =
  | {
      id: number;
      kind: 'scanned';
      used: Array<[string, number]>;
      events: number;
      accepted: number;
      rows: Uint8Array;
      ids: Uint8Array;
      /** The encoded answer when the spool takes the record. */
      response: Uint8Array;
      /** Empty when every event was accepted on the byte path. */
      outcomes: Array<ReportOutcome | undefined>;
      summary: RecordSummary;
      /** The request's bytes, given back. */
      bytes: Uint8Array;
    }
  | { id: number; kind: 'missing'; tenants: string[]; bytes: Uint8Array }
  | { id: number; kind: 'give-up' }
  | { id: number; kind: 'wire-error'; message: string }
  | { id: number; kind: 'error'; message: string };

/** What the worker says about a batch: scanned, give-up (generic path), or stale (scan it here). */
export type WorkerScan = { kind: 'scanned'; scan: ScannedBatch } | { kind: 'give-up' } | { kind: 'stale' } | { kind: 'unavailable' };

const CATALOG_LIMIT = 10_000;
const POOLED_BUFFERS = 32;
/** Buffers of an unusually large call are left to the collector rather than kept (32 × 8 MB would be a lot). */
export const MAX_POOLED_BYTES = 1 << 20;
/**
 * Memory of answered batches kept for reuse by the worker, and on its way there. Rows come back when the spool lets
 * go of them (after shipping, a few dozen calls' worth at once), so this is counted in bytes, not buffers.
 */
export const SPARE_BYTES = 32 << 20;
const MAX_MISSING_ROUNDS = 3;

/**
 * The compiled worker next to this module; none when running from TypeScript sources (tests, tsx), where a worker
 * thread would not have the loader: the scan then runs on the main thread. TOLLGATE_USAGE_SCAN_WORKER=0 keeps it on
 * the main thread too (for a machine without a core to spare, or to compare).
 */
export function scanWorkerFile(env: NodeJS.ProcessEnv = process.env): URL | undefined {
  if (env.TOLLGATE_USAGE_SCAN_WORKER === '0') return undefined;
  const compiled = new URL('./scan-worker-thread.js', import.meta.url);
  return import.meta.url.endsWith('.js') && existsSync(fileURLToPath(compiled)) ? compiled : undefined;
}

export class ScanWorker {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: ScanReply | undefined) => void>();
  /** What the worker holds, by tenant. */
  private readonly sent = new Map<string, CatalogEntry & { source: Record<string, FeatureEntitlement> | undefined }>();
  private updates: Array<[string, CatalogEntry]> = [];
  private clearCatalog = false;
  private version = 0;
  // Memory goes round instead of being allocated per call (~0.3 MB per 1000-event call otherwise, most of the main
  // thread's garbage collection): request copies come back with the answers, answers' rows and ids go back to the
  // worker once the batch is done.
  private readonly requestBuffers: SharedArrayBuffer[] = [];
  private toWorker: SharedArrayBuffer[] = [];
  private toWorkerBytes = 0;

  constructor(
    file: URL,
    private readonly snapshots: SnapshotSource,
    private readonly onFailure: (err: unknown) => void = () => {},
  ) {
    const worker = new Worker(file);
    worker.unref();
    worker.on('message', (reply: ScanReply) => {
      const resolve = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      resolve?.(reply);
    });
    const fail = (err: unknown) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const resolve of this.pending.values()) resolve(undefined);
      this.pending.clear();
      this.onFailure(err);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`usage scan worker exited with code ${code}`)));
    this.worker = worker;
  }

  get available(): boolean {
    return this.worker !== undefined;
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    for (const resolve of this.pending.values()) resolve(undefined);
    this.pending.clear();
    await worker?.terminate();
  }

  async scan(bytes: Buffer, nowMs: number, limits: ValidationLimits): Promise<WorkerScan> {
    // A request already in shared memory (a local call's frame, sidecar/src/api/frame-pool.ts) is shared as it lies;
    // any other is copied into shared memory of ours. The worker only reads it, so `bytes` stays intact for a scan
    // on this thread if the worker's answer cannot be used.
    const copied = !(bytes.buffer instanceof SharedArrayBuffer);
    let request = copied ? this.requestCopy(bytes) : bytes;
    for (let round = 0; round < MAX_MISSING_ROUNDS; round++) {
      const reply = await this.post(request, nowMs, limits);
      if (reply === undefined) return { kind: 'unavailable' };
      switch (reply.kind) {
        case 'missing':
          for (const tenantId of reply.tenants) this.refresh(tenantId);
          request = reply.bytes;
          continue;
        case 'give-up':
          return { kind: 'give-up' };
        case 'wire-error':
          throw new WireError(reply.message);
        case 'error':
          this.onFailure(new Error(reply.message));
          return { kind: 'unavailable' };
        case 'scanned': {
          let stale = false;
          for (const [tenantId, version] of reply.used) {
            const entry = this.sent.get(tenantId);
            if (!entry || entry.version !== version || entry.source !== this.snapshots.get(tenantId)?.features) {
              stale = true;
              this.refresh(tenantId);
            }
          }
          if (copied) this.keepRequestBuffer(reply.bytes.buffer as SharedArrayBuffer);
          if (stale) return { kind: 'stale' };
          const scan: ScannedBatch = {
            events: reply.events,
            accepted: reply.accepted,
            ids: Buffer.from(reply.ids.buffer, reply.ids.byteOffset, reply.ids.byteLength),
            rows: Buffer.from(reply.rows.buffer, reply.rows.byteOffset, reply.rows.byteLength),
            outcomes: reply.outcomes.length === 0 ? new Array<undefined>(reply.events).fill(undefined) : reply.outcomes,
            summary: reply.summary,
            response: Buffer.from(reply.response.buffer, reply.response.byteOffset, reply.response.byteLength),
            releaseIds: () => this.giveBack(reply.ids.buffer as SharedArrayBuffer),
            releaseRows: () => this.giveBack(reply.rows.buffer as SharedArrayBuffer),
          };
          return { kind: 'scanned', scan };
        }
      }
    }
    return { kind: 'stale' };
  }

  private requestCopy(bytes: Buffer): Uint8Array {
    let buffer: SharedArrayBuffer | undefined;
    for (let i = this.requestBuffers.length - 1; i >= 0; i--) {
      if (this.requestBuffers[i].byteLength >= bytes.length) {
        buffer = this.requestBuffers[i];
        this.requestBuffers.splice(i, 1);
        break;
      }
    }
    const copy = new Uint8Array(buffer ?? new SharedArrayBuffer(Math.max(bytes.length, 64 * 1024)), 0, bytes.length);
    copy.set(bytes);
    return copy;
  }

  private keepRequestBuffer(buffer: SharedArrayBuffer): void {
    if (this.requestBuffers.length < POOLED_BUFFERS && buffer.byteLength <= MAX_POOLED_BYTES) this.requestBuffers.push(buffer);
  }

  private giveBack(...buffers: SharedArrayBuffer[]): void {
    for (const buffer of buffers) {
      if (this.toWorkerBytes + buffer.byteLength > SPARE_BYTES || buffer.byteLength > MAX_POOLED_BYTES) continue;
      this.toWorker.push(buffer);
      this.toWorkerBytes += buffer.byteLength;
    }
  }

  /**
   * Sends the tenant's current features with the next request, unless the worker already has (or is being sent)
   * them: many calls in flight all reporting the same new tenant must not make versions the worker never holds.
   */
  private refresh(tenantId: string): void {
    const source = this.snapshots.get(tenantId)?.features;
    if (this.sent.get(tenantId)?.source === source && this.sent.has(tenantId)) return;
    if (this.sent.size >= CATALOG_LIMIT) {
      this.sent.clear();
      this.updates = [];
      this.clearCatalog = true;
    }
    const entry = { version: ++this.version, features: source ?? null };
    this.sent.set(tenantId, { ...entry, source });
    this.updates.push([tenantId, entry]);
  }

  private post(bytes: Uint8Array, nowMs: number, limits: ValidationLimits): Promise<ScanReply | undefined> {
    const worker = this.worker;
    if (!worker) return Promise.resolve(undefined);
    const id = this.nextId++;
    const spare = this.toWorker;
    const request: ScanRequest = { id, bytes, nowMs, limits, catalog: this.updates, clearCatalog: this.clearCatalog, spare };
    this.updates = [];
    this.clearCatalog = false;
    this.toWorker = [];
    this.toWorkerBytes = 0;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage(request);
    });
  }
}
