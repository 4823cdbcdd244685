import { describe, expect, it } from 'vitest';
import { runArrivals } from '../../loadtest/driver/arrivals.js';
import { durationSeconds, rateAt, scaled, scenarios, summaryTable, tenantIndex } from '../../loadtest/workloads.js';

describe('load-test scenarios (shared by k6 and the driver)', () => {
  it('ramps arrival rates linearly between stages, like k6 ramping-arrival-rate', () => {
    const spike = scenarios.spike;
    expect(durationSeconds(spike)).toBe(25);
    expect(rateAt(spike, 0)).toBe(500);
    expect(rateAt(spike, 7.5)).toBe(2750);
    expect(rateAt(spike, 12)).toBe(5000);
    expect(rateAt(spike, 22.5)).toBe(2750);
    expect(scaled(spike, 0.1, 0.2).stages).toEqual([
      { rate: 50, seconds: 1 },
      { rate: 500, seconds: 1 },
      { rate: 500, seconds: 2 },
      { rate: 50, seconds: 1 },
    ]);
  });

  it('sends the hot share of arrivals to tenant 0 and spreads the rest', () => {
    const hot = scenarios.hot_tenant;
    const counts = new Map<number, number>();
    for (let i = 0; i < 10_000; i++) {
      const t = tenantIndex(hot, i / 10_000);
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    expect(counts.get(0)).toBe(9000);
    expect(Math.max(...[...counts.keys()])).toBe(hot.tenants - 1);
    const uniform = new Set(Array.from({ length: 1000 }, (_, i) => tenantIndex(scenarios.steady, i / 1000)));
    expect(uniform.size).toBe(1000);
  });

  it('prints one table with threshold verdicts', () => {
    const table = summaryTable([
      { scenario: 'steady', target: 'check', requests: 1000, items: 1000, seconds: 1, p50Ms: 0.2, p90Ms: 0.4, p99Ms: 1, errors: 0, denied: 10, dropped: 0 },
      { scenario: 'spike', target: 'gateway', requests: 1000, items: 1000, seconds: 1, p50Ms: 2, p90Ms: 9, p99Ms: 30, errors: 0, denied: 0, dropped: 3 },
    ]);
    const [header, , steady, spike] = table.split('\n');
    expect(header).toMatch(/^scenario\s+target\s+requests\s+rate\/s\s+p50 ms\s+p90 ms\s+p99 ms\s+errors\s+denied\s+dropped\s+thresholds$/);
    expect(steady).toMatch(/1000\s+1000\s+0\.20\s+0\.40\s+1\.00\s+0\.00%\s+1\.0%\s+0\s+ok$/);
    expect(spike).toMatch(/FAIL$/);
  });
});

describe('driver: open-loop arrivals', () => {
  it('starts requests on schedule, not when earlier ones finish', async () => {
    const scenario = { ...scenarios.steady, startRate: 200, stages: [{ rate: 200, seconds: 1 }] };
    // Each request takes 50 ms: a closed loop with 4 workers would manage 80; open loop starts ~200.
    const stats = await runArrivals(scenario, () => new Promise((r) => setTimeout(() => r({ ok: true, denied: 0 }), 50)), 64);
    expect(stats.requests).toBeGreaterThanOrEqual(180);
    expect(stats.requests).toBeLessThanOrEqual(201);
    expect(stats.dropped).toBe(0);
    expect(Math.min(...stats.latenciesMs)).toBeGreaterThanOrEqual(49);
  });

  it('drops arrivals beyond the in-flight bound and counts them', async () => {
    const scenario = { ...scenarios.steady, startRate: 200, stages: [{ rate: 200, seconds: 1 }] };
    const stats = await runArrivals(scenario, () => new Promise((r) => setTimeout(() => r({ ok: true, denied: 0 }), 500)), 10);
    expect(stats.dropped).toBeGreaterThan(100);
    expect(stats.requests + stats.dropped).toBeGreaterThanOrEqual(180);
  });
});
