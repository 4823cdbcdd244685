import { Counter, type Registry } from 'prom-client';

export interface EnvoyMetrics {
  checks: Counter<'outcome'>;
  rateLimits: Counter<'code'>;
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  return (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

export function envoyMetrics(registry: Registry): EnvoyMetrics {
  return {
    checks: counter(registry, 'tollgate_envoy_authz_checks_total', 'Envoy ext_authz Check answers by outcome (ok, HTTP status of the denial, invalid, error)', ['outcome']),
    rateLimits: counter(registry, 'tollgate_envoy_rate_limit_requests_total', 'Envoy ShouldRateLimit answers by overall code', ['code']),
  };
}
