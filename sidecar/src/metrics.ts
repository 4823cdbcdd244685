import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Decision } from './domain/decision.js';
import type { EngineMetrics } from './engine/quota-engine.js';

export interface SidecarMetrics extends EngineMetrics {
  registry: Registry;
  redisRoundTrip(seconds: number): void;
  storeUp(up: boolean): void;
  snapshots(count: number): void;
}

export function createSidecarMetrics(): SidecarMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tollgate_process_' });
  const decisions = new Counter({ name: 'tollgate_decisions_total', help: 'Decisions by reason', labelNames: ['reason'] as const, registers: [registry] });
  const latency = new Histogram({
    name: 'tollgate_decision_seconds',
    help: 'Time to decide, inside the sidecar (excludes gRPC transport)',
    buckets: [0.00002, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [registry],
  });
  const roundTrips = new Counter({ name: 'tollgate_redis_round_trips_total', help: 'Script calls and reads sent to Redis for decisions', registers: [registry] });
  const redisLatency = new Histogram({
    name: 'tollgate_redis_call_seconds',
    help: 'Duration of Redis calls on the decision path, failures included',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [registry],
  });
  const leaseHits = new Counter({ name: 'tollgate_lease_hits_total', help: 'Decisions served from a local token lease without Redis', registers: [registry] });
  const degraded = new Counter({ name: 'tollgate_degraded_decisions_total', help: 'Decisions made without Redis (store unreachable)', labelNames: ['reason'] as const, registers: [registry] });
  const storeUp = new Gauge({ name: 'tollgate_store_up', help: '1 when Redis answers, 0 while decisions are degraded', registers: [registry] });
  const snapshots = new Gauge({ name: 'tollgate_snapshots', help: 'Tenants with an entitlement snapshot in memory', registers: [registry] });
  storeUp.set(1);
  // Children are resolved once; labels() per call would cost a map lookup on the hot path.
  const byReason = new Map<string, Counter.Internal>();
  const reasonCounter = (reason: string) => {
    let c = byReason.get(reason);
    if (!c) byReason.set(reason, (c = decisions.labels(reason)));
    return c;
  };
  return {
    registry,
    decided(decision: Decision, startedMs: number) {
      reasonCounter(decision.reason).inc();
      if (decision.degraded) degraded.labels(decision.reason).inc();
      latency.observe((performance.now() - startedMs) / 1000);
    },
    leaseHit: () => leaseHits.inc(),
    redisRoundTrip: (seconds) => {
      roundTrips.inc();
      redisLatency.observe(seconds);
    },
    storeUp: (up) => storeUp.set(up ? 1 : 0),
    snapshots: (count) => snapshots.set(count),
  };
}
