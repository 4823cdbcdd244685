import type { Logger } from '../../../common/log.js';
import { dateTimeText, sqlString } from '../../../common/clickhouse/sql-text.js';
import type { UsageStore } from '../../../common/clickhouse/store.js';
import { hourFromMinutesSql, minutelySql } from '../../../common/clickhouse/usage-queries.js';
import type { RecordSummary } from './adapters/usage-record.js';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/**
 * The share of wall time the recomputes of one (tenant, feature) may take. A recompute reads every event of what it
 * covers (ClickHouse 18.16: ~1 µs of CPU per event); recomputing whole hours every 5 s under sustained ingest kept
 * over a third of a ClickHouse core busy at 1,000 events/s. Minutes made the usual recompute small, but an hour is
 * still recomputed whole the first time a process touches it (or for a spool record written before minutes).
 * After a recompute that took t, the next for the same (tenant, feature) waits at least t × (1 / share − 1); below
 * ~250,000 events recomputed at once that is within the configured interval and changes nothing.
 */
const MAX_RECOMPUTE_SHARE = 0.05;
/**
 * A recompute also reads this far back before its first minute, so that a copy of an event stored again later with a
 * newer timestamp (a client retrying with the same id and a fresh time) is placed, as in the exact totals, by the
 * copy received first, and counts once. Minutes are written only for what was planned.
 */
const LOOKBACK_MS = 2 * MINUTE_MS;
/** Hours this process computed whole, remembered up to this many (then forgotten, and computed whole again). */
const COMPUTED_HOURS_LIMIT = 100_000;

interface Touched {
  tenantId: string;
  featureId: string;
  /** Hours to recompute whole: from spool records written before minutes were recorded. */
  hours: Set<number>;
  minutes: Set<number>;
  corrected: Set<string>;
}

/**
 * Keeps the dashboard rollup in step with what was shipped. Every (tenant, feature, minute) a batch touched is
 * recomputed from the deduplicated, corrected raw events into usage_minutely; then each touched hour is summed from
 * its minutes into usage_hourly. Rows carry the time their computation started, so the newest computation of a minute
 * or an hour wins, whichever sidecar made it. An hour's sum needs all its minutes: the first time this process touches
 * an hour it recomputes all sixty (minutes with nothing get explicit zeros); afterwards every change to one of them is
 * recomputed by the sidecar that shipped it. A correction touches the minute of the event it corrects.
 */
export class RollupRefresher {
  private touched = new Map<string, Touched>();
  /** tenant\tfeature\thour of the hours this process has recomputed whole. */
  private readonly computedHours = new Set<string>();
  /** By tenant\tfeature: no recompute before this time (epoch ms), after an expensive one. */
  private readonly notBefore = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private lastStamp = 0;

  constructor(
    private readonly store: UsageStore,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly nowMs: () => number = Date.now,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.refresh(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Records what shipped records touched. */
  noteShipped(summaries: RecordSummary[]): void {
    const entryFor = (tenantId: string, featureId: string) => {
      const key = keyOf(tenantId, featureId);
      let entry = this.touched.get(key);
      if (!entry) this.touched.set(key, (entry = { tenantId, featureId, hours: new Set(), minutes: new Set(), corrected: new Set() }));
      return entry;
    };
    for (const summary of summaries) {
      if (summary.minutes) for (const [tenantId, featureId, minute] of summary.minutes) entryFor(tenantId, featureId).minutes.add(minute);
      else for (const [tenantId, featureId, hour] of summary.hours) entryFor(tenantId, featureId).hours.add(hour);
      for (const [tenantId, featureId, id] of summary.corrections) entryFor(tenantId, featureId).corrected.add(id);
    }
  }

  /** Recomputes what was touched; an entry still waiting after an expensive recompute waits on, unless `all`. */
  refresh(all = false): Promise<void> {
    this.running ??= this.refreshTouched(all)
      .catch((err: unknown) => this.logger.warn({ err: String(err) }, 'usage rollup refresh failed; retried at the next interval'))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * Every entry's minutes are recomputed first (one query each, timed against the duty cycle), then written in one
   * insert; then every touched hour is summed from its minutes and written in one insert. Two inserts a refresh however
   * many tenants it covers: each insert is a part ClickHouse has to merge.
   */
  private async refreshTouched(all: boolean): Promise<void> {
    const now = this.nowMs();
    for (const [key, until] of this.notBefore) if (until <= now) this.notBefore.delete(key);
    const work: Touched[] = [];
    const waiting = new Map<string, Touched>();
    for (const [key, entry] of this.touched) (!all && this.notBefore.has(key) ? waiting.set(key, entry) : work.push(entry));
    this.touched = waiting;
    const db = this.store.database;
    const recomputed: Array<{ entry: Touched; hours: number[] }> = [];
    const minuteRows: string[] = [];
    try {
      while (work.length > 0) {
        const entry = work[0];
        const started = this.nowMs();
        if (entry.corrected.size > 0) {
          const ids = [...entry.corrected].map(sqlString).join(',');
          const rows = await this.store.rows(
            `SELECT DISTINCT toUInt32(toStartOfMinute(event_time)) FROM ${db}.usage_events
             WHERE tenant_id = ${sqlString(entry.tenantId)} AND feature_id = ${sqlString(entry.featureId)} AND correction = '' AND event_id IN (${ids})`,
          );
          for (const [minute] of rows) entry.minutes.add(Number(minute) * 1000);
          entry.corrected.clear();
        }
        if (entry.hours.size > 0 || entry.minutes.size > 0) recomputed.push({ entry, hours: await this.recomputeMinutes(entry, minuteRows) });
        const finished = this.nowMs();
        const wait = (finished - started) * (1 / MAX_RECOMPUTE_SHARE - 1);
        if (wait > this.intervalMs) this.notBefore.set(keyOf(entry.tenantId, entry.featureId), finished + wait);
        work.shift();
      }
      if (minuteRows.length > 0) await this.store.insertTsv('usage_minutely', ROLLUP_COLUMNS('minute'), Buffer.from(minuteRows.join('')));
      // Stamped with the time the sums start: a sum made later has read every minute written before it.
      const summedAt = this.stamp();
      const hourRows: string[] = [];
      for (const { entry, hours } of recomputed) {
        for (const hour of hours) {
          const [[quantity, events]] = await this.store.rows(hourFromMinutesSql(db, entry.tenantId, entry.featureId, hour));
          hourRows.push(rollupRow(entry.tenantId, entry.featureId, hour, quantity, events, summedAt));
        }
      }
      if (hourRows.length > 0) await this.store.insertTsv('usage_hourly', ROLLUP_COLUMNS('hour'), Buffer.from(hourRows.join('')));
      for (const { entry, hours } of recomputed) {
        for (const hour of hours) {
          if (this.computedHours.size >= COMPUTED_HOURS_LIMIT) this.computedHours.clear();
          this.computedHours.add(`${keyOf(entry.tenantId, entry.featureId)}\t${hour}`);
        }
      }
    } catch (err) {
      // Put back what was not written, so the next interval retries it.
      for (const entry of [...recomputed.map((r) => r.entry), ...work]) {
        const key = keyOf(entry.tenantId, entry.featureId);
        const current = this.touched.get(key);
        if (!current) this.touched.set(key, entry);
        else {
          for (const h of entry.hours) current.hours.add(h);
          for (const m of entry.minutes) current.minutes.add(m);
          for (const c of entry.corrected) current.corrected.add(c);
        }
      }
      throw err;
    }
  }

  /**
   * A computation's `computed_at_ms`: the clock, but always after this process's previous one, so that of two
   * computations a millisecond apart (an interval's refresh and the one at stop) the later wins, never a tie.
   */
  private stamp(): number {
    this.lastStamp = Math.max(this.nowMs(), this.lastStamp + 1);
    return this.lastStamp;
  }

  /** Appends the entry's recomputed minutes to `minuteRows`; returns the hours they fall in. */
  private async recomputeMinutes(entry: Touched, minuteRows: string[]): Promise<number[]> {
    const computedAt = this.stamp();
    const { tenantId, featureId } = entry;
    // Per hour: the minutes to recompute, or undefined for all sixty.
    const plan = new Map<number, Set<number> | undefined>();
    for (const hour of entry.hours) plan.set(hour, undefined);
    for (const minute of entry.minutes) {
      const hour = minute - (minute % HOUR_MS);
      if (!this.computedHours.has(`${keyOf(tenantId, featureId)}\t${hour}`)) plan.set(hour, undefined);
      if (!plan.has(hour)) plan.set(hour, new Set());
      plan.get(hour)?.add(minute);
    }
    for (const [hour, minutes] of plan) {
      const touched = minutes ? [...minutes].sort((a, b) => a - b) : Array.from({ length: 60 }, (_, i) => hour + i * MINUTE_MS);
      const rows = await this.store.rows(
        minutelySql(this.store.database, { tenantId, featureId, fromMs: touched[0] - LOOKBACK_MS, toMs: touched[touched.length - 1] + MINUTE_MS }),
      );
      const values = new Map(rows.map(([, , minute, quantity, events]) => [Number(minute) * 1000, { quantity, events }]));
      // A minute with nothing left (all voided) gets an explicit zero, replacing the older computation.
      for (const minute of touched) {
        const value = values.get(minute) ?? { quantity: '0', events: '0' };
        minuteRows.push(rollupRow(tenantId, featureId, minute, value.quantity, value.events, computedAt));
      }
    }
    return [...plan.keys()].sort((a, b) => a - b);
  }
}

const ROLLUP_COLUMNS = (bucket: 'minute' | 'hour') => ['tenant_id', 'feature_id', bucket, 'quantity', 'events', 'computed_at_ms'];

function rollupRow(tenantId: string, featureId: string, startMs: number, quantity: string, events: string, computedAt: number): string {
  return `${tenantId}\t${featureId}\t${dateTimeText(new Date(startMs))}\t${quantity}\t${events}\t${computedAt}\n`;
}

function keyOf(tenantId: string, featureId: string): string {
  return `${tenantId}\t${featureId}`;
}
