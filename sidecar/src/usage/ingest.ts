import { usageRowTsv, type UsageRow } from '../../../common/clickhouse/usage-row.js';
import type { Decider, SnapshotSource } from '../ports.js';
import { Spool, SpoolFullError } from './adapters/spool.js';
import { encodeUsageRecord, SummaryBuilder, usageRecordParts } from './adapters/usage-record.js';
import { BatchScanner, type ScanContext, type ScannedBatch } from './api/report-batch-scan.js';
import type { ScanWorker } from './api/scan-worker.js';
import type { UsageMetrics } from './metrics.js';
import { Code, validateEvent, type EventError, type UsageEventInput, type ValidationLimits } from './domain/validate-event.js';

export interface ReportOutcome {
  eventId: string;
  accepted: boolean;
  error?: EventError;
}

export interface IngestDeps {
  spool: Spool;
  snapshots: SnapshotSource;
  decider: Decider;
  limits: ValidationLimits;
  metrics: UsageMetrics;
  nowMs: () => number;
  newEventId: () => string;
  /** Where ReportBatch scans run when there is one; else on this thread. */
  scanWorker?: ScanWorker;
}

/** Whole units for the quota counter: a fractional quantity counts as the next whole unit. */
export function quotaCost(quantity: string): number {
  const [integer, fraction] = quantity.split('.');
  const whole = Number(integer) + (fraction ? 1 : 0);
  return Math.min(whole, Number.MAX_SAFE_INTEGER);
}

const ROOM_FOR_ONE_EVENT = 4096;
/**
 * Smaller ReportBatch requests (up to ~60–150 events, as the gateway's 20 ms usage batches are) are scanned on the main
 * thread: that takes tens of microseconds, while handing them to the scan worker and back costs both threads a message
 * and a wake-up each (a sidecar taking 8-event batches 43 times a second used ~20 % less CPU scanning them here).
 */
const OFF_THREAD_MIN_BYTES = 8 * 1024;

function spoolFull(message: string): EventError {
  return { code: Code.RESOURCE_EXHAUSTED, reason: 'SPOOL_FULL', field: '', message: `${message}; retry later` };
}

function spoolFailure(err: unknown): EventError {
  return err instanceof SpoolFullError
    ? spoolFull(err.message)
    : { code: Code.UNAVAILABLE, reason: 'UNAVAILABLE', field: '', message: `usage spool write failed: ${(err as Error).message}; retry` };
}

/** How many recently enforced event ids are remembered, so a retried report does not spend quota twice. */
const ENFORCED_MEMORY = 100_000;

/**
 * Report → validate → (enforce quota) → spool → acknowledge. Results are in input order; an event is accepted only
 * once it is fsynced in the spool.
 */
export class UsageIngest {
  private readonly enforced = new Map<string, true>();

  constructor(private readonly deps: IngestDeps) {}

  async report(events: UsageEventInput[]): Promise<ReportOutcome[]> {
    const started = process.hrtime.bigint();
    const nowMs = this.deps.nowMs();
    const outcomes: ReportOutcome[] = new Array(events.length);
    const rows: Array<UsageRow | undefined> = new Array(events.length);
    const ctx = {
      nowMs,
      limits: this.deps.limits,
      featuresOf: (tenantId: string) => this.deps.snapshots.get(tenantId)?.features,
      newEventId: this.deps.newEventId,
    };
    const enforcement: Array<Promise<void>> = [];
    for (let i = 0; i < events.length; i++) {
      const result = validateEvent(events[i], ctx);
      if (!result.ok) {
        outcomes[i] = { eventId: result.eventId, accepted: false, error: result.error };
        continue;
      }
      const { row, feature } = result;
      outcomes[i] = { eventId: row.eventId, accepted: true };
      rows[i] = row;
      if (feature.enforce_on_report && row.correction === '' && !this.enforced.has(row.eventId)) {
        // Remembered before the check resolves, so the same id twice in one call is charged once.
        this.remember(row.eventId);
        enforcement.push(
          this.enforce(row.tenantId, row.featureId, row.quantity).then((error) => {
            if (error) {
              this.enforced.delete(row.eventId);
              outcomes[i] = { eventId: row.eventId, accepted: false, error };
              rows[i] = undefined;
            }
          }),
        );
      }
    }
    if (enforcement.length > 0) await Promise.all(enforcement);

    // One spool record per call: one checksum, one write, one fsync shared with concurrent calls.
    let text = '';
    let count = 0;
    const summary = new SummaryBuilder();
    for (const row of rows) {
      if (!row) continue;
      text += usageRowTsv(row);
      summary.add(row.tenantId, row.featureId, row.eventTimeMs, row.correctsEventId);
      count++;
    }
    if (count > 0) {
      try {
        await this.deps.spool.append(encodeUsageRecord(text, summary.build()), count);
      } catch (err) {
        const error = spoolFailure(err);
        rows.forEach((row, i) => {
          if (row) outcomes[i] = { eventId: outcomes[i].eventId, accepted: false, error };
        });
      }
    }
    this.count(outcomes);
    this.deps.metrics.ackSeconds(Number(process.hrtime.bigint() - started) / 1e9);
    return outcomes;
  }

  private readonly scanner = new BatchScanner();

  /**
   * ReportBatchRequest bytes validated and encoded on bytes (report-batch-scan.ts); undefined when the batch needs a
   * quota check on report and must take report() instead. Throws WireError on malformed bytes.
   */
  scanBatch(bytes: Buffer, restriction: Pick<ScanContext, 'callerTenant' | 'denied'> = {}): ScannedBatch | undefined {
    return this.scanner.scan(bytes, {
      nowMs: this.deps.nowMs(),
      limits: this.deps.limits,
      snapshots: this.deps.snapshots,
      newEventId: this.deps.newEventId,
      ...restriction,
    });
  }

  /**
   * scanBatch, on the scan worker when there is one (for callers not restricted to one tenant); a batch the worker
   * scanned against a catalog entry that has changed since, or that it could not scan, is scanned here.
   */
  async scanBatchOffThread(bytes: Buffer, restriction: Pick<ScanContext, 'callerTenant' | 'denied'> = {}): Promise<ScannedBatch | undefined> {
    const worker = this.deps.scanWorker;
    if (worker?.available && restriction.callerTenant === undefined && bytes.length >= OFF_THREAD_MIN_BYTES) {
      const result = await worker.scan(bytes, this.deps.nowMs(), this.deps.limits);
      if (result.kind === 'scanned') {
        this.deps.metrics.batchScanned('worker');
        return result.scan;
      }
      if (result.kind === 'give-up') return undefined;
    }
    const scan = this.scanBatch(bytes, restriction);
    if (scan) this.deps.metrics.batchScanned('main');
    return scan;
  }

  /** Call once a scanned batch is answered. Its rows are given back by spoolScanned, when the spool is done with them. */
  recycle(scan: ScannedBatch): void {
    if (scan.releaseIds) scan.releaseIds();
    else this.scanner.recycleIds(scan);
  }

  private recycleRows(scan: ScannedBatch): void {
    if (scan.releaseRows) scan.releaseRows();
    else this.scanner.recycleRows(scan);
  }

  /**
   * Appends a scanned batch's accepted rows to the spool as one record; resolves once they are durable, or with the
   * error that refuses every one of them.
   */
  async spoolScanned(scan: ScannedBatch, started: bigint): Promise<EventError | undefined> {
    let failure: EventError | undefined;
    if (scan.accepted > 0) {
      try {
        // The spool may keep the rows in memory for the shipper: they are reused only once it lets go of them.
        await this.deps.spool.append(usageRecordParts(scan.rows, scan.summary), scan.accepted, () => this.recycleRows(scan));
      } catch (err) {
        failure = spoolFailure(err);
      }
    } else this.recycleRows(scan);
    const rejected = new Map<string, number>();
    for (const o of scan.outcomes) if (o !== undefined && !o.accepted) rejected.set(o.error!.reason, (rejected.get(o.error!.reason) ?? 0) + 1);
    if (failure) rejected.set(failure.reason, (rejected.get(failure.reason) ?? 0) + scan.accepted);
    else if (scan.accepted) this.deps.metrics.eventsReported('accepted', 'OK', scan.accepted);
    for (const [reason, n] of rejected) this.deps.metrics.eventsReported('rejected', reason, n);
    this.deps.metrics.ackSeconds(Number(process.hrtime.bigint() - started) / 1e9);
    return failure;
  }

  private remember(eventId: string): void {
    if (this.enforced.size >= ENFORCED_MEMORY) this.enforced.delete(this.enforced.keys().next().value!);
    this.enforced.set(eventId, true);
  }

  /** Counts the event into its period quota; an explicit error when the decider says no. */
  private async enforce(tenantId: string, featureId: string, quantity: string): Promise<EventError | undefined> {
    // Do not spend quota on an event the spool could not take anyway.
    if (!this.deps.spool.hasRoom(ROOM_FOR_ONE_EVENT)) return spoolFull('usage spool is full');
    const decision = await this.deps.decider.check({ tenantId, featureId, cost: quotaCost(quantity), dryRun: false });
    if (!decision.allowed && !decision.shadow) {
      return {
        code: Code.FAILED_PRECONDITION,
        reason: decision.reason as EventError['reason'],
        field: 'quantity',
        message: `quantity: refused on report (${decision.reason}); quota remaining ${decision.quotaRemaining} of ${decision.quotaLimit}`,
      };
    }
    return undefined;
  }

  private count(outcomes: ReportOutcome[]): void {
    let accepted = 0;
    const rejected = new Map<string, number>();
    for (const o of outcomes) {
      if (o.accepted) accepted++;
      else rejected.set(o.error!.reason, (rejected.get(o.error!.reason) ?? 0) + 1);
    }
    if (accepted) this.deps.metrics.eventsReported('accepted', 'OK', accepted);
    for (const [reason, n] of rejected) this.deps.metrics.eventsReported('rejected', reason, n);
  }
}
