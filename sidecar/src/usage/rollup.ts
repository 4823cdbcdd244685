import type { Logger } from '../../../common/log.js';
import { dateTimeText, sqlString } from '../../../common/clickhouse/sql-text.js';
import type { UsageStore } from '../../../common/clickhouse/store.js';
import { hourlySql } from '../../../common/clickhouse/usage-queries.js';
import type { RecordSummary } from './adapters/usage-record.js';

const HOUR_MS = 3_600_000;

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
      const key = `${tenantId}\t${featureId}`;
      let entry = this.touched.get(key);
      if (!entry) this.touched.set(key, (entry = { tenantId, featureId, hours: new Set(), corrected: new Set() }));
      return entry;
    };
    for (const summary of summaries) {
      for (const [tenantId, featureId, hour] of summary.hours) entryFor(tenantId, featureId).hours.add(hour);
      for (const [tenantId, featureId, id] of summary.corrections) entryFor(tenantId, featureId).corrected.add(id);
    }
  }

  refresh(): Promise<void> {
    this.running ??= this.refreshTouched()
      .catch((err: unknown) => this.logger.warn({ err: String(err) }, 'usage rollup refresh failed; retried at the next interval'))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async refreshTouched(): Promise<void> {
    const work = [...this.touched.values()];
    this.touched = new Map();
    const db = this.store.database;
    try {
      while (work.length > 0) {
        const entry = work[0];
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
        work.shift();
      }
    } catch (err) {
      // Put back what was not done, so the next interval retries it.
      for (const entry of work) {
        const key = `${entry.tenantId}\t${entry.featureId}`;
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
