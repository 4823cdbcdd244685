import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDefinition, tollgateProtoFile } from '../../common/proto.js';
import type { SnapshotSource } from '../../common/snapshot-cache.js';
import type { EntitlementSnapshot, FeatureEntitlement } from '../../common/snapshot.js';
import { BatchScanner } from '../../sidecar/src/usage/api/report-batch-scan.js';
import { encodeScannedResponse, WireError } from '../../sidecar/src/usage/api/report-batch-wire.js';
import type { EventError } from '../../sidecar/src/usage/domain/validate-event.js';
import { ScanWorker } from '../../sidecar/src/usage/api/scan-worker.js';

// The worker thread runs compiled JavaScript: build first (npx tsc -p tsconfig.json), as for every test here.
const WORKER_FILE = new URL('../../dist/sidecar/src/usage/api/scan-worker-thread.js', import.meta.url);

const definition = loadDefinition([tollgateProtoFile('usage.proto')]);
const codec = (definition['tollgate.v1.UsageService'] as unknown as Record<string, { requestSerialize(v: unknown): Buffer }>).ReportBatch;

const feature = (enforce = false): FeatureEntitlement => ({ on_store_failure: 'open', enforce_on_report: enforce, shadow: false });
const limits = { backdateMs: 35 * 86_400_000, maxFutureMs: 300_000, maxAttributes: 8, maxAttributeKeyLength: 64, maxAttributeValueLength: 256 };
const ULID = (i: number) => `01JD6Q1Z8N7W3V4X5Y6Z7A${String(i).padStart(4, '0')}`;

function catalogOf(entries: Record<string, Record<string, FeatureEntitlement>>): { catalog: Map<string, EntitlementSnapshot>; snapshots: SnapshotSource } {
  const catalog = new Map(Object.entries(entries).map(([t, features]) => [t, { features } as EntitlementSnapshot]));
  return { catalog, snapshots: { get: (t) => catalog.get(t), tenantForKeyHash: () => undefined } };
}

const workers: ScanWorker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
});

function startWorker(snapshots: SnapshotSource): ScanWorker {
  expect(existsSync(fileURLToPath(WORKER_FILE)), 'build first: npx tsc -p tsconfig.json').toBe(true);
  const worker = new ScanWorker(WORKER_FILE, snapshots);
  workers.push(worker);
  return worker;
}

describe('ReportBatch scan on a worker thread', () => {
  it('gives what the scan on the main thread gives, learning the tenants it has not seen', async () => {
    const { snapshots } = catalogOf({ acme: { tokens: feature() }, beta: { tokens: feature(), calls: feature() } });
    const worker = startWorker(snapshots);
    const now = Date.now();
    const at = new Date(now - 60_000).toISOString();
    for (let round = 0; round < 20; round++) {
      const events = Array.from({ length: 50 }, (_, i) => ({
        eventId: ULID(round * 50 + i),
        tenantId: round % 2 === 0 ? ['acme', 'beta', 'nobody', `t${round}`][i % 4] : ['acme', 'beta'][i % 2],
        featureId: ['tokens', 'calls'][i % 2],
        quantity: i % 7 === 0 && round % 2 === 0 ? '-1' : `${i}.50`,
        timestamp: at,
        attributes: { model: `m${i % 3}` },
      }));
      const bytes = codec.requestSerialize({ events });
      const result = await worker.scan(bytes, now, limits);
      expect(result.kind).toBe('scanned');
      if (result.kind !== 'scanned') return;
      const here = new BatchScanner().scan(bytes, { nowMs: now, limits, snapshots, newEventId: () => 'unused' })!;
      expect(result.scan.rows.toString()).toBe(here.rows.toString());
      expect(result.scan.outcomes).toEqual(here.outcomes);
      expect(result.scan.ids.subarray(0, 26 * 50)).toEqual(here.ids.subarray(0, 26 * 50));
      expect(result.scan.accepted).toBe(here.accepted);
      // The answer the worker encoded, and the one made here when the spool refuses the record.
      expect(encodeScannedResponse(result.scan).equals(encodeScannedResponse(here))).toBe(true);
      const full: EventError = { code: 8, reason: 'SPOOL_FULL', field: '', message: 'full' };
      expect(encodeScannedResponse(result.scan, full).equals(encodeScannedResponse(here, full))).toBe(true);
      // Its memory goes back to the worker and serves the next rounds' answers.
      result.scan.releaseIds?.();
      result.scan.releaseRows?.();
    }
  });

  it('never answers from a catalog entry that changed: the batch is scanned again on the main thread', async () => {
    const { catalog, snapshots } = catalogOf({ acme: { tokens: feature() } });
    const worker = startWorker(snapshots);
    const bytes = codec.requestSerialize({ events: [{ eventId: ULID(1), tenantId: 'acme', featureId: 'tokens', quantity: '1' }] });
    const first = await worker.scan(bytes, Date.now(), limits);
    expect(first.kind === 'scanned' && first.scan.accepted).toBe(1);
    // The tenant's plan changes (a new snapshot object): the feature is gone.
    catalog.set('acme', { features: { calls: feature() } } as unknown as EntitlementSnapshot);
    expect((await worker.scan(bytes, Date.now(), limits)).kind).toBe('stale');
    const third = await worker.scan(bytes, Date.now(), limits);
    expect(third.kind === 'scanned' && third.scan.outcomes[0]?.error?.reason).toBe('UNKNOWN_FEATURE');
    // Removed altogether.
    catalog.delete('acme');
    expect((await worker.scan(bytes, Date.now(), limits)).kind).toBe('stale');
    const fifth = await worker.scan(bytes, Date.now(), limits);
    expect(fifth.kind === 'scanned' && fifth.scan.outcomes[0]?.error?.reason).toBe('UNKNOWN_TENANT');
  });

  it('learns new tenants once when many calls in flight name them (no needless rescans on the main thread)', async () => {
    const tenants = Array.from({ length: 10 }, (_, i) => `tenant-${i}`);
    const { snapshots } = catalogOf(Object.fromEntries(tenants.map((t) => [t, { tokens: feature() }])));
    const worker = startWorker(snapshots);
    const bytes = codec.requestSerialize({ events: tenants.map((tenantId, i) => ({ eventId: ULID(i), tenantId, featureId: 'tokens', quantity: '1' })) });
    const results = await Promise.all(Array.from({ length: 16 }, () => worker.scan(bytes, Date.now(), limits)));
    expect(results.map((r) => r.kind)).toEqual(Array(16).fill('scanned'));
    expect(results.map((r) => (r.kind === 'scanned' ? r.scan.accepted : 0))).toEqual(Array(16).fill(10));
  });

  it('refuses the answers of batches in flight while the catalog changed, not only the first', async () => {
    const { catalog, snapshots } = catalogOf({ acme: { tokens: feature() } });
    const worker = startWorker(snapshots);
    const bytes = codec.requestSerialize({ events: [{ eventId: ULID(1), tenantId: 'acme', featureId: 'tokens', quantity: '1' }] });
    expect((await worker.scan(bytes, Date.now(), limits)).kind).toBe('scanned');
    const inFlight = [worker.scan(bytes, Date.now(), limits), worker.scan(bytes, Date.now(), limits)];
    catalog.set('acme', { features: { calls: feature() } } as unknown as EntitlementSnapshot);
    expect((await Promise.all(inFlight)).map((r) => r.kind)).toEqual(['stale', 'stale']);
  });

  it('generates ids, gives up on features enforced on report, refuses malformed bytes, and stops', async () => {
    const { snapshots } = catalogOf({ acme: { tokens: feature(), calls: feature(true) } });
    const worker = startWorker(snapshots);
    const generated = await worker.scan(codec.requestSerialize({ events: [{ tenantId: 'acme', featureId: 'tokens', quantity: '1' }] }), Date.now(), limits);
    expect(generated.kind === 'scanned' && generated.scan.ids.toString('latin1', 0, 26)).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect((await worker.scan(codec.requestSerialize({ events: [{ tenantId: 'acme', featureId: 'calls', quantity: '1' }] }), Date.now(), limits)).kind).toBe('give-up');
    const bytes = codec.requestSerialize({ events: [{ tenantId: 'acme', featureId: 'tokens', quantity: '1' }] });
    await expect(worker.scan(bytes.subarray(0, bytes.length - 1), Date.now(), limits)).rejects.toThrow(WireError);
    await worker.stop();
    expect(worker.available).toBe(false);
    expect((await worker.scan(bytes, Date.now(), limits)).kind).toBe('unavailable');
  });
});
