import { Counter, type Registry } from 'prom-client';

export interface EnvoyMetrics {
  /** Counts an ext_authz answer: `ok`, the HTTP status of a denial, `invalid` or `error`. */
  check(outcome: string): void;
  /** Counts a ShouldRateLimit answer by overall code (`OK`, `OVER_LIMIT`), or `invalid` / `error`. */
  rateLimit(code: string): void;
}

function counter(registry: Registry, name: string, help: string, label: string): Counter<string> {
  return (registry.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames: [label], registers: [registry] });
}

/** Label children are resolved once per value: labels() on every call would hash the labels on the hot path. */
function byLabel(metric: Counter<string>): (value: string) => void {
  const children = new Map<string, { inc(): void }>();
  return (value) => {
    let child = children.get(value);
    if (!child) children.set(value, (child = metric.labels(value)));
    child.inc();
  };
}

export function envoyMetrics(registry: Registry): EnvoyMetrics {
  return {
    check: byLabel(counter(registry, 'tollgate_envoy_authz_checks_total', 'Envoy ext_authz Check answers by outcome (ok, HTTP status of the denial, invalid, error)', 'outcome')),
    rateLimit: byLabel(counter(registry, 'tollgate_envoy_rate_limit_requests_total', 'Envoy ShouldRateLimit answers by overall code', 'code')),
  };
}
