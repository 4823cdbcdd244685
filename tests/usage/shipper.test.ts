import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { migrateUsageStore } from '../../common/clickhouse/migrations.js';
import type { UsageStore } from '../../common/clickhouse/store.js';
import { usageRowTsv } from '../../common/clickhouse/usage-row.js';
import { createLogger } from '../../common/log.js';
import { Spool } from '../../sidecar/src/usage/adapters/spool.js';
import { usageRecordParts } from '../../sidecar/src/usage/adapters/usage-record.js';
import { createUsageMetrics } from '../../sidecar/src/usage/metrics.js';
import { Shipper } from '../../sidecar/src/usage/shipper.js';
import { sharedClickHouseUrl } from '../harness/clickhouse.js';
import { openTestStore, row, tempDir } from './helpers.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/**
 * The real store, with each insert first waiting for `gate()` to resolve: a slow ClickHouse insert, decided by the
 * test, in front of a real server.
 */
function gatedStore(store: UsageStore, gate: () => Promise<void>): UsageStore {
  return {
    kind: store.kind,
    location: store.location,
    database: store.database,
    exec: (sql) => store.exec(sql),
    rows: (sql) => store.rows(sql),
    insertTsv: async (table, columns, body) => {
      await gate();
      await store.insertTsv(table, columns, body);
    },
    close: () => store.close(),
  };
}

/** A spool on a clock the test moves, and a shipper from it into a real ClickHouse. */
async function shipperOver(options: { batchEvents: number; batchIntervalMs: number; concurrency?: number }, gate: () => Promise<void> = async () => {}) {
  let nowMs = Date.now();
  const dir = tempDir('shipper');
  const { spool } = await Spool.open({ dir, maxBytes: 1 << 24, segmentBytes: 1 << 20, fsyncIntervalMs: 1, now: () => nowMs });
  const store: UsageStore = await openTestStore(sharedClickHouseUrl(inject('clickhouseUrl')), 'shipper');
  await migrateUsageStore(store);
  const registry = new Registry();
  const metrics = createUsageMetrics(registry, () => spool.stats());
  const shipper = new Shipper(
    spool,
    gatedStore(store, gate),
    { ...options, retryMinMs: 50, retryMaxMs: 200, migrateAtStart: false, quarantineFile: join(dir, 'rejected.jsonl') },
    metrics,
    createLogger('test', 'silent'),
  );
  cleanup.push(async () => {
    await shipper.stop();
    await spool.close();
    await store.exec(`DROP DATABASE IF EXISTS ${store.database}`);
    await store.close();
  });
  const stored = async () => Number((await store.rows(`SELECT count() FROM ${store.database}.usage_events`))[0][0]);
  const append = (count: number) => {
    const rows = Array.from({ length: count }, () => usageRowTsv(row({ tenantId: 'acme', featureId: 'tokens', quantity: '1', eventTimeMs: Date.now() }))).join('');
    return spool.append(usageRecordParts(Buffer.from(rows), { hours: [], corrections: [] }), count);
  };
  const inFlight = async () => (await registry.getSingleMetric('tollgate_usage_ship_in_flight')!.get()).values[0]?.value;
  return { shipper, spool, stored, append, inFlight, advance: (ms: number) => (nowMs += ms) };
}

async function within(ms: number, probe: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

describe('shipper batching', () => {
  it("ships a partial batch once its oldest event has waited the interval since the spool made it durable", async () => {
    const { shipper, stored, append, advance } = await shipperOver({ batchEvents: 1000, batchIntervalMs: 5_000 });
    await append(3);
    // The events became durable 6 s ago on the spool's clock: a shipper that counted the interval from when it read
    // them would hold them 5 s more.
    advance(6_000);
    shipper.start();
    expect(await within(2_000, async () => (await stored()) === 3)).toBe(true);
  });

  it('holds a partial batch until the interval has passed, then ships it whole', async () => {
    const { shipper, stored, append, advance } = await shipperOver({ batchEvents: 1000, batchIntervalMs: 400 });
    shipper.start();
    await append(2);
    advance(100);
    await append(2);
    // Neither the events' age on the spool's clock (100 ms) nor real time has reached 400 ms yet.
    expect(await stored()).toBe(0);
    advance(400);
    expect(await within(2_000, async () => (await stored()) === 4)).toBe(true);
  });

  it('sends batches side by side but releases them from the spool in order', async () => {
    let openFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (openFirst = resolve));
    let inserts = 0;
    const { shipper, spool, stored, append, inFlight } = await shipperOver({ batchEvents: 3, batchIntervalMs: 60_000, concurrency: 2 }, () => (inserts++ === 0 ? firstHeld : Promise.resolve()));
    shipper.start();
    await append(3);
    await append(3);
    // The second batch lands while the first is held; the spool keeps both until the first is confirmed.
    expect(await within(2_000, async () => (await stored()) === 3)).toBe(true);
    // Another commit wakes the shipper, which releases what it may: nothing, while the first batch is held.
    await append(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(spool.stats().pendingEvents).toBe(7);
    expect(await inFlight()).toBe(2);
    openFirst();
    expect(await within(2_000, async () => (await stored()) === 6 && spool.stats().pendingEvents === 1)).toBe(true);
    expect(await inFlight()).toBe(0);
  });

  it('keeps one batch in flight with a concurrency of 1', async () => {
    let openFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (openFirst = resolve));
    let inserts = 0;
    const { shipper, stored, append } = await shipperOver({ batchEvents: 3, batchIntervalMs: 60_000, concurrency: 1 }, () => (inserts++ === 0 ? firstHeld : Promise.resolve()));
    shipper.start();
    await append(3);
    await append(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(await stored()).toBe(0);
    openFirst();
    expect(await within(2_000, async () => (await stored()) === 6)).toBe(true);
  });

  it('ships a full batch at once, whatever its age', async () => {
    const { shipper, stored, append } = await shipperOver({ batchEvents: 5, batchIntervalMs: 60_000 });
    shipper.start();
    await append(5);
    expect(await within(2_000, async () => (await stored()) === 5)).toBe(true);
  });
});
