import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SpoolStats } from './adapters/spool.js';

export interface UsageMetrics {
  eventsReported(outcome: 'accepted' | 'rejected', reason: string, count: number): void;
  ackSeconds(seconds: number): void;
  batchShipped(events: number, seconds: number): void;
  shipFailed(): void;
  rowsQuarantined(n: number): void;
  /** Batches sent to ClickHouse and not yet released from the spool. */
  shipInFlight(batches: number): void;
  /** A ReportBatch request scanned on bytes, on the scan worker or on the main thread. */
  batchScanned(thread: 'worker' | 'main'): void;
}

/** Spool depth and shipping lag are read from the spool when Prometheus scrapes. */
export function createUsageMetrics(
  registry: Registry,
  spoolStats: () => SpoolStats,
): UsageMetrics {
  const events = new Counter({ name: 'tollgate_usage_events_total', help: 'Reported usage events by outcome and reason', labelNames: ['outcome', 'reason'] as const, registers: [registry] });
  const ack = new Histogram({
    name: 'tollgate_usage_ack_seconds',
    help: 'Report/ReportBatch: from receipt to acknowledgement (validation, spool write, fsync)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const batch = new Histogram({
    name: 'tollgate_usage_ship_batch_events',
    help: 'Events per batch inserted into ClickHouse',
    buckets: [1, 10, 100, 1000, 5000, 10_000, 25_000, 50_000, 100_000],
    registers: [registry],
  });
  const shipSeconds = new Histogram({ name: 'tollgate_usage_ship_seconds', help: 'Time of one successful batch insert', buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] });
  const shipped = new Counter({ name: 'tollgate_usage_shipped_events_total', help: 'Events confirmed by ClickHouse (duplicates from replays included)', registers: [registry] });
  const quarantined = new Counter({ name: 'tollgate_usage_quarantined_rows_total', help: 'Rows ClickHouse refused as unparseable, kept in the spool directory\'s rejected.jsonl', registers: [registry] });
  const failures = new Counter({ name: 'tollgate_usage_ship_failures_total', help: 'Failed batch inserts (retried with backoff)', registers: [registry] });
  const scans = new Counter({
    name: 'tollgate_usage_batch_scans_total',
    help: 'ReportBatch requests scanned on bytes, by thread: the scan worker, or the main thread (small requests, tenant API keys, no worker)',
    labelNames: ['thread'] as const,
    registers: [registry],
  });
  const inFlight = new Gauge({ name: 'tollgate_usage_ship_in_flight', help: 'Batches sent to ClickHouse and not yet released from the spool (at most shipper.concurrency)', registers: [registry] });
  new Gauge({ name: 'tollgate_usage_spool_events', help: 'Acknowledged events not yet confirmed by ClickHouse (spool depth)', registers: [registry], collect() { this.set(spoolStats().pendingEvents); } });
  new Gauge({ name: 'tollgate_usage_spool_bytes', help: 'Bytes of spool segments not yet released', registers: [registry], collect() { this.set(spoolStats().bytes); } });
  new Gauge({ name: 'tollgate_usage_spool_segments', help: 'Spool segment files on disk', registers: [registry], collect() { this.set(spoolStats().segments); } });
  new Counter({
    name: 'tollgate_usage_spool_appended_bytes_total',
    help: 'Bytes appended to the spool (record headers included) since start',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(spoolStats().appendedBytes);
    },
  });
  new Gauge({ name: 'tollgate_usage_spool_memory_bytes', help: 'Payload bytes of recent spool records kept in memory for the shipper (at most usage.spool.memory_bytes)', registers: [registry], collect() { this.set(spoolStats().memoryBytes); } });
  new Counter({
    name: 'tollgate_usage_spool_read_events_total',
    help: 'Events the shipper read from the spool since start, from memory or from disk',
    labelNames: ['from'] as const,
    registers: [registry],
    collect() {
      const { memory, disk } = spoolStats().readEvents;
      this.reset();
      this.labels('memory').inc(memory);
      this.labels('disk').inc(disk);
    },
  });
  new Gauge({
    name: 'tollgate_usage_shipping_lag_seconds',
    help: 'Age of the oldest acknowledged event not yet confirmed by ClickHouse',
    registers: [registry],
    collect() {
      this.set(spoolStats().oldestPendingMs / 1000);
    },
  });
  return {
    eventsReported: (outcome, reason, count) => events.labels(outcome, reason).inc(count),
    ackSeconds: (seconds) => ack.observe(seconds),
    batchShipped: (n, seconds) => {
      batch.observe(n);
      shipSeconds.observe(seconds);
      shipped.inc(n);
    },
    shipFailed: () => failures.inc(),
    rowsQuarantined: (n) => quarantined.inc(n),
    shipInFlight: (batches) => inFlight.set(batches),
    batchScanned: (thread) => scans.labels(thread).inc(),
  };
}
