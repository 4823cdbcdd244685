import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { status, type ServiceError } from '@grpc/grpc-js';
import { monotonicFactory } from 'ulid';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openUsageStore, usageStoreSettings } from '../../common/clickhouse/store.js';
import { usageRowTsv } from '../../common/clickhouse/usage-row.js';
import type { TollgateConfig } from '../../common/config/schema.js';
import { Spool } from '../../sidecar/src/usage/adapters/spool.js';
import { encodeUsageRecord } from '../../sidecar/src/usage/adapters/usage-record.js';
import { ClickHouseServer, sharedClickHouseUrl } from '../harness/clickhouse.js';
import { sidecarCaller, type LocalCallClient } from '../../common/local-call-client.js';
import { loadUsageProto } from '../../common/proto.js';
import type { ReportBatchResponse__Output } from '../../proto/gen/tollgate/v1/ReportBatchResponse.js';
import { metricValue } from '../../bench/ingest/bench-sidecar.js';
import { freePort } from '../harness/ports.js';
import { eventually, sleep, startUsageSidecar, usageClient, usageTestConfig, WIDE, type UsageClient } from './support.js';

const ulid = monotonicFactory();
const here = resolve(import.meta.dirname);

const children: ChildProcess[] = [];

/** The build `npm test` makes first: the sidecar as deployed, with ReportBatch scanned on its worker thread. */
const compiledTree = pathToFileURL(join(here, '../../dist/')).href;

async function startChild(config: TollgateConfig, compiled = false): Promise<{ child: ChildProcess; grpc: string; http: string; scanWorker: boolean }> {
  const file = join(config.data_dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const args = ['--import', 'tsx', join(here, 'sidecar-process.ts'), file, ...(compiled ? [compiledTree] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd: resolve(here, '../..') });
  children.push(child);
  // Its logs go to stdout too; the address line is the one without a log level.
  const address = await new Promise<{ grpc: string; http: string; scanWorker: boolean }>((ok, fail) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const parsed = JSON.parse(line) as { grpc?: string; http?: string; scanWorker?: boolean; level?: number };
      if (parsed.grpc && parsed.level === undefined) ok(parsed as { grpc: string; http: string; scanWorker: boolean });
    });
    child.once('exit', (code) => fail(new Error(`usage sidecar child exited with ${code}`)));
  });
  return { child, grpc: address.grpc, http: address.http, scanWorker: address.scanWorker };
}

/** A value of a child sidecar's /metrics, by its full name (labels included); 0 when absent. */
async function childMetric(http: string, name: string): Promise<number> {
  return metricValue(await (await fetch(`http://${http}/metrics`)).text(), name) || 0;
}

/** Events a child sidecar holds in its spool, not yet confirmed by ClickHouse. */
const spooledEvents = (http: string) => childMetric(http, 'tollgate_usage_spool_events');
/** ReportBatch requests a child sidecar scanned on its worker and on its main thread. */
const batchScans = async (http: string) => ({
  worker: await childMetric(http, 'tollgate_usage_batch_scans_total{thread="worker"}'),
  main: await childMetric(http, 'tollgate_usage_batch_scans_total{thread="main"}'),
});

async function distinctEventIds(config: TollgateConfig, tenantId: string): Promise<Set<string>> {
  const store = await openUsageStore(usageStoreSettings(config, {}));
  try {
    const rows = await store.rows(`SELECT DISTINCT event_id FROM ${store.database}.usage_events WHERE tenant_id = '${tenantId}'`);
    return new Set(rows.map((r) => r[0]));
  } finally {
    await store.close();
  }
}

/** Reports batches of `size` from `lanes` concurrent loops until stopped or an error; returns the acknowledged ids. */
function reportContinuously(client: UsageClient, tenantId: string, size: number, lanes: number, pauseMs = 0) {
  const acknowledged = new Set<string>();
  let running = true;
  let errors = 0;
  const loops = Array.from({ length: lanes }, async () => {
    while (running) {
      const events = Array.from({ length: size }, () => ({ eventId: ulid(), tenantId, featureId: 'tokens', quantity: '1' }));
      try {
        const response = await client.reportBatch({ events });
        response.results.forEach((r) => r.accepted && acknowledged.add(r.eventId));
      } catch {
        errors++;
        if (!running) return;
        await sleep(20);
      }
      if (pauseMs) await sleep(pauseMs);
    }
  });
  return {
    acknowledged,
    errors: () => errors,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe('usage durability', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it.each([
    ['from its TypeScript sources (ReportBatch scanned on the main thread)', false],
    ['built, as deployed (ReportBatch scanned on its worker thread)', true],
  ])('keeps every acknowledged event exactly once across a kill -9 of the sidecar mid-stream, %s', async (_how, compiled) => {
    const config = usageTestConfig({ clickhouseUrl: sharedClickHouseUrl(inject('clickhouseUrl')), usage: { shipper: { batch_interval_ms: 200 } } });
    const first = await startChild(config, compiled);
    expect(first.scanWorker).toBe(compiled);
    const client = usageClient(first.grpc);
    // Built: 400 events a call, ~19 KB, over the size from which the sidecar scans on its worker (ingest.ts).
    const stream = reportContinuously(client, 'acme', compiled ? 400 : 200, 4);
    await sleep(1500);
    const scans = await batchScans(first.http);
    expect(compiled ? scans.worker : scans.main, 'ReportBatch requests scanned where the test name says').toBeGreaterThan(0);
    expect(compiled ? scans.main : scans.worker).toBe(0);
    first.child.kill('SIGKILL');
    await stream.stop();
    client.close();
    const acknowledged = stream.acknowledged;
    expect(acknowledged.size).toBeGreaterThan(1000);

    const second = await startChild(config, compiled);
    // Everything the first sidecar made durable ships, acknowledged or not (a call the kill cut off before its answer):
    // the ids and the total below are read once the spool is empty, so that both see the same rows.
    await eventually(() => spooledEvents(second.http), (n) => n === 0, 60_000);
    const stored = await distinctEventIds(config, 'acme');
    const missing = [...acknowledged].filter((id) => !stored.has(id));
    expect(missing).toEqual([]);
    // Exactly once: the total counts each stored id once (replayed rows included), each event being quantity 1.
    const after = usageClient(second.grpc);
    const total = await after.getUsage({ tenantId: 'acme', featureId: 'tokens', ...WIDE });
    after.close();
    expect(total.events).toBe(String(stored.size));
    expect(total.quantity).toBe(String(stored.size));
    // A clean stop after the crash: it exits by itself.
    const exited = new Promise<number | null>((r) => second.child.once('exit', r));
    second.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);

  it('counts every event of large local calls exactly once while their memory goes round, built, as deployed', async () => {
    // Calls far larger than a socket read, over the unix socket in the local call protocol: joined into pooled shared
    // memory, scanned in place on the worker, their rows kept in the spool's memory until shipped and then reused for
    // later calls. Memory handed back too early would show as lost, doubled or altered rows in the totals.
    const config = usageTestConfig({ clickhouseUrl: sharedClickHouseUrl(inject('clickhouseUrl')), usage: { shipper: { batch_events: 5000 } } });
    const socket = join(config.data_dir, 'sidecar.sock');
    config.sidecar.socket = socket;
    const { grpc, http, scanWorker } = await startChild(config, true);
    expect(scanWorker).toBe(true);
    const local = sidecarCaller(`unix:${socket}`, 30_000) as LocalCallClient;
    const reportBatch = loadUsageProto().proto.tollgate.v1.UsageService.service.ReportBatch;
    const calls = 40;
    const perCall = 1000;
    let next = 0;
    let tenths = 0;
    const lane = async () => {
      while (next < calls) {
        const call = next++;
        const events = Array.from({ length: perCall }, (_, i) => {
          const t = ((call * perCall + i) % 97) + 1;
          tenths += t;
          return { eventId: ulid(), tenantId: 'acme', featureId: 'tokens', quantity: t % 10 === 0 ? String(t / 10) : (t / 10).toFixed(1), attributes: { call: `c${call}`, i: `n${i}` } };
        });
        const answer = reportBatch.responseDeserialize(await local.call(reportBatch.path, reportBatch.requestSerialize({ events }))) as ReportBatchResponse__Output;
        expect([answer.accepted, answer.rejected]).toEqual([perCall, 0]);
        expect(answer.results.map((r) => r.eventId)).toEqual(events.map((e) => e.eventId));
      }
    };
    try {
      await Promise.all(Array.from({ length: 8 }, lane));
      expect(local.protocol).toBe('local');
      expect(await batchScans(http)).toEqual({ worker: calls, main: 0 });
      // A small call (under 8 KB) is scanned on the main thread: cheaper than the round trip to the worker. (Another
      // tenant's, so that acme's totals below stay the large calls'.)
      const small = [{ eventId: ulid(), tenantId: 'beta', featureId: 'tokens', quantity: '1' }];
      const answer = reportBatch.responseDeserialize(await local.call(reportBatch.path, reportBatch.requestSerialize({ events: small }))) as ReportBatchResponse__Output;
      expect(answer.accepted).toBe(1);
      expect(await batchScans(http)).toEqual({ worker: calls, main: 1 });
    } finally {
      local.close();
    }
    const client = usageClient(grpc);
    const total = await eventually(() => client.getUsage({ tenantId: 'acme', featureId: 'tokens', ...WIDE }), (u) => Number(u.events) >= calls * perCall, 60_000);
    client.close();
    expect(total).toMatchObject({ events: String(calls * perCall), quantity: tenths % 10 === 0 ? String(tenths / 10) : `${Math.floor(tenths / 10)}.${tenths % 10}` });
    expect((await distinctEventIds(config, 'acme')).size).toBe(calls * perCall);
    // Row by row: each stored quantity is the one its own call and index were sent with.
    const store = await openUsageStore(usageStoreSettings(config, {}));
    try {
      const rows = await store.rows(`SELECT attribute_values[1], attribute_values[2], toString(quantity) FROM ${store.database}.usage_events WHERE tenant_id = 'acme'`);
      expect(rows).toHaveLength(calls * perCall);
      const wrong = rows.filter(([call, i, quantity]) => {
        const t = ((Number(call.slice(1)) * perCall + Number(i.slice(1))) % 97) + 1;
        const stored = quantity.includes('.') ? quantity.replace(/0+$/, '').replace(/\.$/, '') : quantity;
        return stored !== (t % 10 === 0 ? String(t / 10) : (t / 10).toFixed(1));
      });
      expect(wrong).toEqual([]);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('keeps ingesting while ClickHouse is down for 30 s and delivers everything once it is back', async () => {
    const clickhouse = await ClickHouseServer.start();
    cleanups.push(() => clickhouse.destroy());
    const config = usageTestConfig({ clickhouseUrl: clickhouse.url, usage: { shipper: { retry_min_ms: 100, retry_max_ms: 2000, request_timeout_ms: 2000 } } });
    const { client, sidecar, stop } = await startUsageSidecar(config);
    cleanups.push(stop);
    const metric = async (name: string) => (await sidecar.context.metrics.getSingleMetric(name)!.get()).values.reduce((n, v) => n + v.value, 0);

    const stream = reportContinuously(client, 'beta', 50, 1, 100);
    await sleep(2000);
    await clickhouse.kill();
    await sleep(30_000);
    expect(stream.errors()).toBe(0);
    expect(await metric('tollgate_usage_ship_failures_total')).toBeGreaterThan(0);
    expect(await metric('tollgate_usage_spool_events')).toBeGreaterThan(1000);
    expect(await metric('tollgate_usage_shipping_lag_seconds')).toBeGreaterThan(20);
    await clickhouse.start();
    await sleep(2000);
    await stream.stop();

    const expected = String(stream.acknowledged.size);
    const total = await eventually(() => client.getUsage({ tenantId: 'beta', featureId: 'tokens', ...WIDE }).catch(() => undefined), (u) => u?.events === expected, 60_000);
    expect(total).toMatchObject({ events: expected, quantity: expected });
    expect(await eventually(() => metric('tollgate_usage_spool_events'), (n) => n === 0)).toBe(0);
  }, 120_000);

  it('cuts a torn spool tail at start and ships the whole records before it', async () => {
    const config = usageTestConfig({ clickhouseUrl: sharedClickHouseUrl(inject('clickhouseUrl')) });
    const dir = join(config.data_dir, 'spool');
    const { spool } = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 20, fsyncIntervalMs: 0 });
    const now = Date.now();
    const rows = [1, 2, 3].map((i) => ({ eventId: ulid(), tenantId: 'gamma', serviceId: '', featureId: 'tokens', quantity: String(i), eventTimeMs: now, attributes: {}, correction: '' as const, correctsEventId: '', receivedAtMs: now }));
    const summary = { hours: [['gamma', 'tokens', now - (now % 3_600_000)] as [string, string, number]], corrections: [] };
    await spool.append(encodeUsageRecord(rows.map(usageRowTsv).join(''), summary), 3);
    await spool.close();
    const segment = readdirSync(dir).filter((f) => f.endsWith('.log')).sort().pop()!;
    appendFileSync(join(dir, segment), Buffer.concat([Buffer.from([200, 0, 0, 0, 9, 9, 9, 9, 1, 0, 0, 0]), Buffer.from('half a record')]));

    const { client, stop } = await startUsageSidecar(config);
    cleanups.push(stop);
    const total = await eventually(() => client.getUsage({ tenantId: 'gamma', featureId: 'tokens', ...WIDE }), (u) => u.events === '3');
    expect(total).toMatchObject({ quantity: '6', events: '3' });
  });

  it('quarantines a row ClickHouse cannot parse, keeps it on disk, and ships the rest of its batch', async () => {
    const config = usageTestConfig({ clickhouseUrl: sharedClickHouseUrl(inject('clickhouseUrl')) });
    const dir = join(config.data_dir, 'spool');
    const { spool } = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 20, fsyncIntervalMs: 0 });
    const now = Date.now();
    const rows = [1, 2, 3, 4, 5].map((i) => ({ eventId: ulid(), tenantId: 'gamma', serviceId: '', featureId: 'tokens', quantity: String(i), eventTimeMs: now, attributes: {}, correction: '' as const, correctsEventId: '', receivedAtMs: now }));
    // A row that slipped past validation (only possible through a bug or a damaged disk): not a number.
    const text = rows.map(usageRowTsv).join('').replace('\t3\t[]', '\tthree\t[]');
    await spool.append(encodeUsageRecord(text, { hours: [['gamma', 'tokens', now - (now % 3_600_000)]], corrections: [] }), 5);
    await spool.close();

    const { client, sidecar, stop } = await startUsageSidecar(config);
    cleanups.push(stop);
    const total = await eventually(() => client.getUsage({ tenantId: 'gamma', featureId: 'tokens', ...WIDE }), (u) => u.events === '4');
    expect(total).toMatchObject({ quantity: '12', events: '4' });
    const quarantined = await eventually(async () => (await sidecar.context.metrics.getSingleMetric('tollgate_usage_quarantined_rows_total')!.get()).values[0]?.value ?? 0, (n) => n === 1);
    expect(quarantined).toBe(1);
    const lines = readFileSync(join(dir, 'rejected.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { row: string; error: string });
    expect(lines).toHaveLength(1);
    expect(lines[0].row).toContain(`${rows[2].eventId}\t\tthree\t`);
  });

  it('answers RESOURCE_EXHAUSTED when the spool is full and never drops what it acknowledged', async () => {
    const config = usageTestConfig({
      clickhouseUrl: `http://127.0.0.1:${await freePort()}`, // nothing listens: nothing ships
      usage: { spool: { max_bytes: 16_384, segment_bytes: 4096 } },
    });
    const { client, stop } = await startUsageSidecar(config);
    cleanups.push(stop);
    let acknowledged = 0;
    let refusal: { code: number; reason: string } | undefined;
    for (let i = 0; i < 100 && !refusal; i++) {
      const response = await client.reportBatch({ events: Array.from({ length: 10 }, () => ({ tenantId: 'acme', featureId: 'tokens', quantity: '1' })) });
      acknowledged += response.accepted;
      const refused = response.results.find((r) => !r.accepted);
      if (refused) refusal = refused.error!;
    }
    expect(refusal).toMatchObject({ code: status.RESOURCE_EXHAUSTED, reason: 'SPOOL_FULL' });
    // The room left after the refused batch may still hold a few single events (rows differ by a byte or two with
    // the millisecond); fill it, then a single Report is refused the same way.
    let single: ServiceError | undefined;
    for (let i = 0; i < 50 && !single; i++) {
      single = (await client.report({ tenantId: 'acme', featureId: 'tokens', quantity: '1' }).then(
        () => undefined,
        (e: ServiceError) => e,
      )) as ServiceError | undefined;
      if (!single) acknowledged++;
    }
    expect(single?.code).toBe(status.RESOURCE_EXHAUSTED);
    await stop();
    const { spool, recovery } = await Spool.open({ dir: join(config.data_dir, 'spool'), maxBytes: 1 << 20, segmentBytes: 4096, fsyncIntervalMs: 0 });
    expect(recovery.events).toBe(acknowledged);
    await spool.close();
  });
});
