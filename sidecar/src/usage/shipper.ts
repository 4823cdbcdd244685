import type { Logger } from '../../../common/log.js';
import { appendFile, open } from 'node:fs/promises';
import { isDataRejection, type UsageStore } from '../../../common/clickhouse/store.js';
import { USAGE_ROW_COLUMNS } from '../../../common/clickhouse/usage-row.js';
import { migrateUsageStore } from '../../../common/clickhouse/migrations.js';
import type { Spool, SpoolPosition, SpoolRecord } from './adapters/spool.js';
import { decodeUsageRecord, type RecordSummary } from './adapters/usage-record.js';
import type { UsageMetrics } from './metrics.js';

export interface ShipperOptions {
  batchEvents: number;
  batchIntervalMs: number;
  retryMinMs: number;
  retryMaxMs: number;
  migrateAtStart: boolean;
  /** Rows ClickHouse refuses as unparseable are appended here (JSON lines), never dropped. */
  quarantineFile: string;
  /**
   * Batches in flight at once (default 1). Batches are still formed and released in order; a second insert lets a
   * shipper that fell behind use a second core of ClickHouse, which parses each insert on one thread.
   */
  concurrency?: number;
}

/** A batch sent and not yet released. */
interface InFlight {
  events: number;
  /** The spool position just after the batch's last record. */
  upTo: SpoolPosition;
  summaries: RecordSummary[];
  /** Resolves true once ClickHouse confirmed the batch, false if stopping interrupted its retries. */
  done: Promise<boolean>;
  /** Set when `done` resolved. */
  confirmed?: boolean;
}

/** Full jitter: a random wait up to the exponential step, so many sidecars do not retry in lockstep. */
export function backoffMs(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.max(minMs / 2, Math.floor(random() * ceiling));
}

/**
 * Moves acknowledged events from the spool to ClickHouse, oldest first, in batches by size or age. A batch is
 * released from the spool only after ClickHouse confirmed the insert; after a failure the same records are sent again
 * (totals deduplicate by event_id, so a batch that did land before the failure counts once).
 */
export class Shipper {
  private stopping = false;
  /** Everything sleeping (the loop's wait, each insert's backoff), woken at stop. */
  private readonly sleepers = new Set<() => void>();
  private loop?: Promise<void>;
  private migration?: Promise<void>;
  private readonly concurrency: number;
  /** Undefined until the store was reached once. */
  connected = false;

  constructor(
    private readonly spool: Spool,
    private readonly store: UsageStore,
    private readonly options: ShipperOptions,
    private readonly metrics: UsageMetrics,
    private readonly logger: Logger,
    private readonly onShipped: (summaries: RecordSummary[]) => void = () => {},
  ) {
    // chdb runs one session per data directory; its inserts stay one at a time.
    this.concurrency = store.kind === 'embedded' ? 1 : Math.max(1, options.concurrency ?? 1);
  }

  start(): void {
    this.loop = this.runUntilStopped();
  }

  /** An unexpected failure (say, a spool read error) restarts shipping from the oldest unreleased event. */
  private async runUntilStopped(): Promise<void> {
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        await this.run();
        return;
      } catch (err) {
        this.metrics.shipFailed();
        const wait = backoffMs(attempt, this.options.retryMinMs, this.options.retryMaxMs);
        this.logger.error({ err: String(err), retryInMs: wait }, 'usage shipper failed unexpectedly; restarting from the oldest unshipped event');
        await this.sleep(wait);
      }
    }
  }

  /** Ships what it can without waiting on failures, then stops; unshipped events stay in the spool. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of [...this.sleepers]) wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    const inFlight: InFlight[] = [];
    try {
      await this.shipFromSpool(inFlight);
    } finally {
      // An unexpected failure restarts from the oldest unreleased event: no insert of this pass may still be running.
      await Promise.all(inFlight.map((f) => f.done));
      this.metrics.shipInFlight(0);
    }
  }

  private async shipFromSpool(inFlight: InFlight[]): Promise<void> {
    let position = this.spool.firstPosition();
    let batch: SpoolRecord[] = [];
    let events = 0;
    for (;;) {
      if (!(await this.releaseConfirmed(inFlight))) return;
      // A full batch waiting for a free slot reads nothing more.
      const room = this.options.batchEvents - events;
      const { records, next } = room > 0 ? await this.spool.read(position, room) : { records: [], next: position };
      for (const r of records) {
        batch.push(r);
        events += r.count;
      }
      const moved = next.segment !== position.segment || next.offset !== position.offset;
      position = next;
      // The batch's age is its oldest event's, from when the spool made it durable (the spool knows each event's
      // commit by its place among the unreleased ones, and batches in flight come first). Counting from when this
      // loop read it instead held a shipper that had fallen behind (a burst, ClickHouse down for a while) for a
      // whole further interval on its last, partial batch.
      const waitedMs = batch.length > 0 ? this.spool.pendingEventAgeMs(inFlight.reduce((n, f) => n + f.events, 0)) : 0;
      const due = events >= this.options.batchEvents || (batch.length > 0 && (this.stopping || waitedMs >= this.options.batchIntervalMs));
      if (due) {
        if (inFlight.length >= this.concurrency) {
          await inFlight[0].done;
          continue;
        }
        inFlight.push(this.send(batch, events, position));
        this.metrics.shipInFlight(inFlight.length);
        batch = [];
        events = 0;
        continue;
      }
      if (moved) continue;
      if (this.stopping) {
        await Promise.all(inFlight.map((f) => f.done));
        await this.releaseConfirmed(inFlight);
        return;
      }
      const waitMs = batch.length > 0 ? this.options.batchIntervalMs - waitedMs : this.options.batchIntervalMs;
      await this.sleepUntilCommit(waitMs, inFlight[0]?.done);
    }
  }

  /**
   * Releases, oldest first, the batches ClickHouse confirmed, stopping at the first still in flight: the spool only
   * ever lets go of a prefix. False when a batch's retries were interrupted by stopping (its events stay spooled).
   */
  private async releaseConfirmed(inFlight: InFlight[]): Promise<boolean> {
    while (inFlight.length > 0 && inFlight[0].confirmed !== undefined) {
      const head = inFlight.shift()!;
      if (!head.confirmed) return false;
      await this.spool.release(head.upTo, head.events);
      this.metrics.shipInFlight(inFlight.length);
      this.onShipped(head.summaries);
    }
    return true;
  }

  private send(records: SpoolRecord[], events: number, upTo: SpoolPosition): InFlight {
    const decoded = records.map((r) => decodeUsageRecord(r.parts));
    const entry: InFlight = { events, upTo, summaries: decoded.map((d) => d.summary), done: Promise.resolve(false) };
    entry.done = this.insertWithRetry(
      decoded.map((d) => d.rows),
      events,
    ).then((confirmed) => (entry.confirmed = confirmed));
    return entry;
  }

  /** Wakes at the next spool commit, when `orAfter` settles, or after `ms`, whichever comes first. */
  private sleepUntilCommit(ms: number, orAfter?: Promise<unknown>): Promise<void> {
    return new Promise((resolve) => {
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        cancel();
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, ms));
      const cancel = this.spool.onNextCommit(done);
      this.sleepers.add(done);
      void orAfter?.then(done, done);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const sleepers = this.sleepers;
      sleepers.add(done);
      function done() {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      }
    });
  }

  private async insert(body: Buffer[]): Promise<void> {
    try {
      await this.store.insertTsv('usage_events', USAGE_ROW_COLUMNS, body);
    } catch (err) {
      if (!isDataRejection(err)) throw err;
      // Retrying cannot help: find the rows ClickHouse refuses by halving, store the rest, quarantine those.
      this.logger.error({ err: String(err) }, 'usage shipper: ClickHouse refused rows of a batch; isolating them');
      await this.insertIsolating(body.flatMap(splitRows));
    }
  }

  private async insertIsolating(rows: Buffer[]): Promise<void> {
    try {
      await this.store.insertTsv('usage_events', USAGE_ROW_COLUMNS, rows);
    } catch (err) {
      if (!isDataRejection(err)) throw err;
      if (rows.length === 1) return this.quarantine(rows[0], err);
      const half = Math.ceil(rows.length / 2);
      await this.insertIsolating(rows.slice(0, half));
      await this.insertIsolating(rows.slice(half));
    }
  }

  private async quarantine(row: Buffer, err: unknown): Promise<void> {
    const line = JSON.stringify({ at: new Date().toISOString(), error: String(err).slice(0, 2000), row: row.toString('utf8') });
    await appendFile(this.options.quarantineFile, `${line}\n`);
    const handle = await open(this.options.quarantineFile, 'r');
    await handle.datasync().finally(() => handle.close());
    this.metrics.rowsQuarantined(1);
    this.logger.error({ file: this.options.quarantineFile, err: String(err) }, 'usage shipper: a row ClickHouse cannot store was quarantined');
  }

  /** True once ClickHouse confirmed the rows; false when stopping interrupted the retries. */
  private async insertWithRetry(body: Buffer[], events: number): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.migrateOnce();
        const started = process.hrtime.bigint();
        await this.insert(body);
        this.metrics.batchShipped(events, Number(process.hrtime.bigint() - started) / 1e9);
        if (!this.connected || attempt > 0) this.logger.info({ events, attempts: attempt + 1 }, 'usage shipper: ClickHouse confirmed a batch');
        this.connected = true;
        return true;
      } catch (err) {
        this.metrics.shipFailed();
        if (this.stopping) {
          this.logger.warn({ err: String(err), events }, 'usage shipper: stopping with events left in the spool; they ship at the next start');
          return false;
        }
        const wait = backoffMs(attempt, this.options.retryMinMs, this.options.retryMaxMs);
        if (attempt === 0 || attempt % 10 === 0) {
          this.logger.warn({ err: String(err), events, attempt: attempt + 1, retryInMs: wait }, 'usage shipper: ClickHouse insert failed; retrying, events stay in the spool');
        }
        await this.sleep(wait);
      }
    }
  }

  /** The schema, once, before the first insert (inserts in flight together share the one attempt). */
  private async migrateOnce(): Promise<void> {
    if (!this.options.migrateAtStart) return;
    this.migration ??= migrateUsageStore(this.store).then(
      () => undefined,
      (err: unknown) => {
        this.migration = undefined;
        throw err;
      },
    );
    await this.migration;
  }
}

/** The TabSeparated rows of a chunk, each with its "\n". */
function splitRows(chunk: Buffer): Buffer[] {
  const rows: Buffer[] = [];
  let start = 0;
  for (let end = chunk.indexOf(10, start); end !== -1; end = chunk.indexOf(10, start)) {
    rows.push(chunk.subarray(start, end + 1));
    start = end + 1;
  }
  if (start < chunk.length) rows.push(chunk.subarray(start));
  return rows;
}
