import { monotonicFactory } from 'ulid';
import type { UsageRow } from '../../common/clickhouse/usage-row.js';
import type { ReportedUsageEvent } from '../../gateway/src/adapters/report-batch-writer.js';
import { seededRandom } from '../check/stats.js';

export const BENCH_TENANTS = Array.from({ length: 10 }, (_, i) => `tenant-${i}`);
export const BENCH_FEATURE = 'tokens';
/** The tenant of the warm-up events sent before the clock starts: kept apart from the measured totals. */
export const WARM_UP_TENANT = 'tenant-warm-up';

/** A generated event: its quantity is exact decimal text with up to 3 fractional digits. */
export type BenchEvent = ReportedUsageEvent;

/** N events over the tenants and the last hour, in time order as reporters send them; the same sequence every run. */
export function generateEvents(n: number, nowMs: number, tenants: readonly string[] = BENCH_TENANTS, seed = 42): BenchEvent[] {
  const random = seededRandom(seed);
  const ulid = monotonicFactory(random);
  const events: BenchEvent[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const timeMs = nowMs - 3_600_000 + Math.floor((i * 3_600_000) / n);
    events[i] = {
      eventId: ulid(timeMs),
      tenantId: tenants[i % tenants.length],
      serviceId: 'bench',
      featureId: BENCH_FEATURE,
      quantity: `${Math.floor(random() * 5000)}.${String(Math.floor(random() * 1000)).padStart(3, '0')}`.replace(/\.?0+$/, '') || '0',
      timestamp: new Date(timeMs).toISOString(),
      attributes: { model: `model-${i % 4}`, region: 'eu-1' },
    };
  }
  return events;
}

/** The rows the sidecar would store for these events. */
export function rowsOf(events: BenchEvent[], receivedAtMs: number): UsageRow[] {
  return events.map((e) => ({
    eventId: e.eventId,
    tenantId: e.tenantId,
    serviceId: e.serviceId,
    featureId: e.featureId,
    quantity: e.quantity,
    eventTimeMs: Date.parse(e.timestamp),
    attributes: e.attributes,
    correction: '',
    correctsEventId: '',
    receivedAtMs,
  }));
}
