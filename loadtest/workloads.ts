/**
 * The load-test scenarios, shared by the k6 scripts (k6/) and the in-repo driver (driver/), so both run the same
 * arrival profiles and tenant mixes and print the same summary. Pure TypeScript: no k6 and no Node imports.
 */

export type ScenarioName = 'steady' | 'spike' | 'hot_tenant';
export type TargetName = 'check' | 'check_batch' | 'report_batch' | 'gateway';

export interface Stage {
  /** Arrivals per second reached at the end of the stage (linear ramp from the previous one). */
  rate: number;
  seconds: number;
}

export interface Scenario {
  name: ScenarioName;
  description: string;
  startRate: number;
  stages: Stage[];
  tenants: number;
  /** Share of arrivals that go to tenant 0 (the rest spread evenly); 0 = uniform. */
  hotShare: number;
}

export const scenarios: Record<ScenarioName, Scenario> = {
  steady: {
    name: 'steady',
    description: 'constant rate across many tenants',
    startRate: 2000,
    stages: [{ rate: 2000, seconds: 30 }],
    tenants: 1000,
    hotShare: 0,
  },
  spike: {
    name: 'spike',
    description: 'baseline, a 10x burst, back to baseline',
    startRate: 500,
    stages: [
      { rate: 500, seconds: 5 },
      { rate: 5000, seconds: 5 },
      { rate: 5000, seconds: 10 },
      { rate: 500, seconds: 5 },
    ],
    tenants: 1000,
    hotShare: 0,
  },
  hot_tenant: {
    name: 'hot_tenant',
    description: '90% of traffic from one tenant (leases, coalescing, 429s)',
    startRate: 2000,
    stages: [{ rate: 2000, seconds: 30 }],
    tenants: 1000,
    hotShare: 0.9,
  },
};

/** Items per CheckBatch / events per ReportBatch call. */
export const BATCH_SIZE = 100;

export function itemsPerRequest(target: TargetName): number {
  return target === 'check_batch' || target === 'report_batch' ? BATCH_SIZE : 1;
}

/** Latency budgets (ms at p99) and error budgets per target; the same numbers are k6 thresholds. */
export const thresholds: Record<TargetName, { p99Ms: number; maxErrorRate: number }> = {
  check: { p99Ms: 5, maxErrorRate: 0.001 },
  check_batch: { p99Ms: 20, maxErrorRate: 0.001 },
  report_batch: { p99Ms: 50, maxErrorRate: 0.001 },
  gateway: { p99Ms: 10, maxErrorRate: 0.001 },
};

/** Scales rates (machine size) and durations (time budget). */
export function scaled(s: Scenario, rateScale: number, timeScale: number): Scenario {
  return {
    ...s,
    startRate: Math.max(1, Math.round(s.startRate * rateScale)),
    stages: s.stages.map((st) => ({ rate: Math.max(1, Math.round(st.rate * rateScale)), seconds: Math.max(1, Math.round(st.seconds * timeScale)) })),
  };
}

export function durationSeconds(s: Scenario): number {
  return s.stages.reduce((n, st) => n + st.seconds, 0);
}

/** Arrival rate at `t` seconds into the scenario (k6 ramping-arrival-rate semantics). */
export function rateAt(s: Scenario, t: number): number {
  let from = s.startRate;
  let elapsed = 0;
  for (const st of s.stages) {
    if (t < elapsed + st.seconds) return from + ((st.rate - from) * (t - elapsed)) / st.seconds;
    elapsed += st.seconds;
    from = st.rate;
  }
  return from;
}

/** The tenant of the n-th arrival, from a uniform number in [0, 1) — deterministic given the number. */
export function tenantIndex(s: Scenario, random: number): number {
  if (s.hotShare > 0 && random < s.hotShare) return 0;
  const rest = s.hotShare > 0 ? (random - s.hotShare) / (1 - s.hotShare) : random;
  const spread = s.hotShare > 0 ? s.tenants - 1 : s.tenants;
  return (s.hotShare > 0 ? 1 : 0) + Math.min(spread - 1, Math.floor(rest * spread));
}

export const tenantId = (i: number) => `lt-tenant-${i}`;
export const FEATURE = 'api-calls';

export interface SummaryRow {
  scenario: string;
  target: string;
  requests: number;
  /** Decisions or events: requests × BATCH_SIZE for the batch targets. */
  items: number;
  seconds: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  errors: number;
  denied: number;
  dropped: number;
}

export function passes(row: SummaryRow): boolean {
  const t = thresholds[row.target as TargetName];
  if (!t) return true;
  return row.p99Ms <= t.p99Ms && (row.requests === 0 ? true : row.errors / row.requests <= t.maxErrorRate);
}

/** One table: the format both k6's handleSummary and the driver print. */
export function summaryTable(rows: SummaryRow[]): string {
  const header = ['scenario', 'target', 'requests', 'rate/s', 'p50 ms', 'p90 ms', 'p99 ms', 'errors', 'denied', 'dropped', 'thresholds'];
  const lines = rows.map((r) => [
    r.scenario,
    r.target,
    String(r.requests),
    (r.requests / Math.max(r.seconds, 1e-9)).toFixed(0),
    r.p50Ms.toFixed(2),
    r.p90Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    `${((100 * r.errors) / Math.max(r.requests, 1)).toFixed(2)}%`,
    `${((100 * r.denied) / Math.max(r.items, 1)).toFixed(1)}%`,
    String(r.dropped),
    passes(r) ? 'ok' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}
