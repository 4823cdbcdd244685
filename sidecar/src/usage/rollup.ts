import type { Logger } from '../../../common/log.js';
import { dateTimeText, sqlString } from '../../../common/clickhouse/sql-text.js';
import type { UsageStore } from '../../../common/clickhouse/store.js';
import { hourlySql } from '../../../common/clickhouse/usage-queries.js';
import type { RecordSummary } from './adapters/usage-record.js';

const HOUR_MS = 3_600_000;
/**
 * The share of wall time the recomputes of one (tenant, feature) may take. A recompute reads every event of the hours
 * it covers (ClickHouse 18.16: ~1 µs of CPU per event), so under sustained ingest its cost grows with the hour: at
 * 1,000 events/s an hour holds up to 3.6M events, and recomputing it every 5 s kept over a third of a ClickHouse core
 * busy on average (500,000 events of ten tenants: ~0.5 s of ClickHouse CPU to recompute).
 * After a recompute that took t, the next for the same (tenant, feature) waits at least t × (1 / share − 1); below
 * ~250,000 events an hour that is within the configured interval and changes nothing.
 */
const MAX_RECOMPUTE_SHARE = 0.05;

interface Touched {
  tenantId: string;
  featureId: string;
  hours: Set<number>;
  corrected: Set<string>;
}

/**
 * Keeps the dashboard rollup (usage_hourly) in step with what was shipped: every (tenant, feature, hour) a batch
 * touched is recomputed from the deduplicated, corrected raw events, and written with the time the computation
 * started, so the newest computation of an hour wins. A correction touches the hour of the event it corrects.
 */
export class RollupRefresher {
  private touched = new Map<string, Touched>();
  /** By tenant\tfeature: no recompute before this time (epoch ms), after an expensive one. */
  private readonly notBefore = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

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
      if (!entry) this.touched.set(key, (entry = { tenantId, featureId, hours: new Set(), corrected: new Set() }));
      return entry;
    };
    for (const summary of summaries) {
      for (const [tenantId, featureId, hour] of summary.hours) entryFor(tenantId, featureId).hours.add(hour);
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

  private async refreshTouched(all: boolean): Promise<void> {
    const now = this.nowMs();
    for (const [key, until] of this.notBefore) if (until <= now) this.notBefore.delete(key);
    const work: Touched[] = [];
    const waiting = new Map<string, Touched>();
    for (const [key, entry] of this.touched) (!all && this.notBefore.has(key) ? waiting.set(key, entry) : work.push(entry));
    this.touched = waiting;
    const db = this.store.database;
    try {
      while (work.length > 0) {
        const entry = work[0];
        const started = this.nowMs();
        if (entry.corrected.size > 0) {
          const ids = [...entry.corrected].map(sqlString).join(',');
          const rows = await this.store.rows(
            `SELECT DISTINCT toUInt32(toStartOfHour(event_time)) FROM ${db}.usage_events
             WHERE tenant_id = ${sqlString(entry.tenantId)} AND feature_id = ${sqlString(entry.featureId)} AND correction = '' AND event_id IN (${ids})`,
          );
          for (const [hour] of rows) entry.hours.add(Number(hour) * 1000);
          entry.corrected.clear();
        }
        if (entry.hours.size > 0) await this.recompute(entry);
        const finished = this.nowMs();
        const wait = (finished - started) * (1 / MAX_RECOMPUTE_SHARE - 1);
        if (wait > this.intervalMs) this.notBefore.set(keyOf(entry.tenantId, entry.featureId), finished + wait);
        work.shift();
      }
    } catch (err) {
      // Put back what was not done, so the next interval retries it.
      for (const entry of work) {
        const key = keyOf(entry.tenantId, entry.featureId);
        const current = this.touched.get(key);
        if (!current) this.touched.set(key, entry);
        else {
          for (const h of entry.hours) current.hours.add(h);
          for (const c of entry.corrected) current.corrected.add(c);
        }
      }
      throw err;
    }
  }

  private async recompute(entry: Touched): Promise<void> {
    const computedAt = this.nowMs();
    const hours = [...entry.hours].sort((a, b) => a - b);
    const rows = await this.store.rows(
      hourlySql(this.store.database, { tenantId: entry.tenantId, featureId: entry.featureId, fromMs: hours[0], toMs: hours[hours.length - 1] + HOUR_MS }),
    );
    const byHour = new Map(rows.map(([, , hour, quantity, events]) => [Number(hour) * 1000, { quantity, events }]));
    // An hour whose events were all voided gets an explicit zero, replacing the older non-zero computation.
    const body = hours
      .map((h) => {
        const value = byHour.get(h) ?? { quantity: '0', events: '0' };
        return `${entry.tenantId}\t${entry.featureId}\t${dateTimeText(new Date(h))}\t${value.quantity}\t${value.events}\t${computedAt}\n`;
      })
      .join('');
    await this.store.insertTsv('usage_hourly', ['tenant_id', 'feature_id', 'hour', 'quantity', 'events', 'computed_at_ms'], Buffer.from(body));
  }
}

function keyOf(tenantId: string, featureId: string): string {
  return `${tenantId}\t${featureId}`;
}
