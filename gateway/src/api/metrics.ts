import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface GatewayMetrics {
  registry: Registry;
  requests: Counter<'outcome'>;
  sidecarSeconds: Histogram;
  usageReported: Counter;
  usageReportFailures: Counter<'code'>;
  settlementFailures: Counter<'operation'>;
}

export function gatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  // Event-loop lag sampled every 100 ms, not prom-client's default 10: 100 wake-ups a second cost an idle process
  // ~20 ms of CPU a second on a small VM, and stalls worth alerting on last longer than that.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  return {
    registry,
    requests: new Counter({ name: 'tollgate_gateway_requests_total', help: 'Requests by outcome: proxied, or the HTTP status the gateway answered itself', labelNames: ['outcome'], registers: [registry] }),
    sidecarSeconds: new Histogram({
      name: 'tollgate_gateway_sidecar_seconds',
      help: 'Time to ask the sidecar (Check or Reserve)',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25],
      registers: [registry],
    }),
    usageReported: new Counter({ name: 'tollgate_gateway_usage_reported_total', help: 'Usage events the sidecar accepted', registers: [registry] }),
    usageReportFailures: new Counter({ name: 'tollgate_gateway_usage_report_failures_total', help: 'Usage events not reported, by gRPC status (UNIMPLEMENTED: the sidecar has no UsageService)', labelNames: ['code'], registers: [registry] }),
    settlementFailures: new Counter({ name: 'tollgate_gateway_settlement_failures_total', help: 'Commit/Release calls that failed (the reservation then expires by TTL)', labelNames: ['operation'], registers: [registry] }),
  };
}
