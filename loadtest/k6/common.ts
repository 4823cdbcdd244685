import type { Options, Scenario as K6Scenario } from 'k6/options';
import { Counter, Rate } from 'k6/metrics';
import { durationSeconds, itemsPerRequest, scaled, scenarios, summaryTable, thresholds, type Scenario, type ScenarioName, type SummaryRow, type TargetName } from '../workloads.ts';

/** Environment: SCENARIOS=steady,spike,hot_tenant  RATE_SCALE=1  TIME_SCALE=1 */
const selected = (__ENV.SCENARIOS ?? 'steady,spike,hot_tenant').split(',').map((s) => s.trim()) as ScenarioName[];
const rateScale = Number(__ENV.RATE_SCALE ?? '1');
const timeScale = Number(__ENV.TIME_SCALE ?? '1');

export const plan: Scenario[] = selected.map((name) => {
  const s = scenarios[name];
  if (!s) throw new Error(`unknown scenario "${name}" (steady, spike, hot_tenant)`);
  return scaled(s, rateScale, timeScale);
});

export const errors = new Rate('tollgate_errors');
export const denied = new Counter('tollgate_denied');

/** k6 options: the scenarios one after another, with per-scenario thresholds (which also give per-scenario summaries). */
export function optionsFor(target: TargetName, latencyMetric: 'grpc_req_duration' | 'http_req_duration'): Options {
  const k6Scenarios: Record<string, K6Scenario> = {};
  const k6Thresholds: Record<string, string[]> = {};
  let start = 0;
  for (const s of plan) {
    k6Scenarios[s.name] = {
      executor: 'ramping-arrival-rate',
      startRate: s.startRate,
      timeUnit: '1s',
      stages: s.stages.map((st) => ({ target: st.rate, duration: `${st.seconds}s` })),
      preAllocatedVUs: Math.max(10, Math.ceil(Math.max(s.startRate, ...s.stages.map((st) => st.rate)) / 100)),
      maxVUs: Math.max(50, Math.ceil(Math.max(s.startRate, ...s.stages.map((st) => st.rate)) / 10)),
      startTime: `${start}s`,
      gracefulStop: '5s',
      tags: { target },
    };
    start += durationSeconds(s) + 5;
    k6Thresholds[`${latencyMetric}{scenario:${s.name}}`] = [`p(99)<${thresholds[target].p99Ms}`];
    k6Thresholds[`tollgate_errors{scenario:${s.name}}`] = [`rate<${thresholds[target].maxErrorRate}`];
    k6Thresholds[`tollgate_denied{scenario:${s.name}}`] = ['count>=0'];
    k6Thresholds[`iterations{scenario:${s.name}}`] = ['count>=0'];
    k6Thresholds[`dropped_iterations{scenario:${s.name}}`] = ['count>=0'];
  }
  return { scenarios: k6Scenarios, thresholds: k6Thresholds, summaryTrendStats: ['med', 'p(90)', 'p(99)', 'max'], discardResponseBodies: false };
}

interface SummaryData {
  metrics: Record<string, { values: Record<string, number> } | undefined>;
}

/** The same one-table summary the in-repo driver prints. */
export function summaryFor(target: TargetName, latencyMetric: string) {
  return (data: SummaryData) => {
    const rows: SummaryRow[] = plan.map((s) => {
      const m = (name: string) => data.metrics[`${name}{scenario:${s.name}}`]?.values ?? {};
      const latency = m(latencyMetric);
      return {
        scenario: s.name,
        target,
        requests: m('iterations').count ?? 0,
        items: (m('iterations').count ?? 0) * itemsPerRequest(target),
        seconds: durationSeconds(s),
        p50Ms: latency.med ?? 0,
        p90Ms: latency['p(90)'] ?? 0,
        p99Ms: latency['p(99)'] ?? 0,
        errors: m('tollgate_errors').passes ?? 0,
        denied: m('tollgate_denied').count ?? 0,
        dropped: m('dropped_iterations').count ?? 0,
      };
    });
    return { stdout: `\n${summaryTable(rows)}\n` };
  };
}
