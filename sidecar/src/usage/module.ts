import { resolve } from 'node:path';
import { monotonicFactory } from 'ulid';
import { openUsageStore, usageStoreSettings, type UsageStore } from '../../../common/clickhouse/store.js';
import { migrateUsageStore } from '../../../common/clickhouse/migrations.js';
import { usageReaderOver, type UsageReader } from '../../../common/clickhouse/usage-reader.js';
import type { HttpHandler, SidecarContext, SidecarModule } from '../ports.js';
import { Spool } from './adapters/spool.js';
import { cloudEventsHandler } from './api/cloudevents.js';
import { usageServiceDefinition, usageServiceImplementation } from './api/usage-service.js';
import { ScanWorker, scanWorkerFile } from './api/scan-worker.js';
import { UsageIngest } from './ingest.js';
import { createUsageMetrics } from './metrics.js';
import { RollupRefresher } from './rollup.js';
import { Shipper } from './shipper.js';

const DAY_MS = 86_400_000;
/** A stop never waits longer than this for an insert in flight; what it did not ship stays in the spool. */
const SHIPPER_STOP_MS = 5_000;

interface UsageRuntime {
  ingest: UsageIngest;
  reader: UsageReader;
  stop(): Promise<void>;
}

/** Usage ingestion: UsageService, POST /v1/events, spool and shipper. */
export function usageModule(): SidecarModule {
  let runtime: UsageRuntime | undefined;
  let events: HttpHandler | undefined;
  return {
    name: 'usage',
    async start(ctx: SidecarContext, server) {
      const usage = ctx.config.usage;
      const started = await startUsage(ctx);
      server.addService(usageServiceDefinition(), usageServiceImplementation({ ingest: started.ingest, auth: ctx.auth, reader: started.reader, maxBatchEvents: usage.max_batch_events }));
      events = cloudEventsHandler(() => runtime?.ingest, ctx.auth, { maxBatchEvents: usage.max_batch_events, maxBodyBytes: usage.max_http_body_bytes });
      runtime = started;
    },
    http: (req, res) => events?.(req, res) ?? false,
    async stop() {
      const stopping = runtime;
      runtime = undefined;
      await stopping?.stop();
    },
    ready: () => runtime !== undefined,
  };
}

async function startUsage(ctx: SidecarContext): Promise<UsageRuntime> {
  const { config, logger } = ctx;
  const usage = config.usage;
  const spoolDir = resolve(usage.spool.dir ?? resolve(config.data_dir, 'spool'));
  const { spool, recovery } = await Spool.open({
    dir: spoolDir,
    maxBytes: usage.spool.max_bytes,
    segmentBytes: usage.spool.segment_bytes,
    fsyncIntervalMs: usage.spool.fsync_interval_ms,
    memoryBytes: usage.spool.memory_bytes,
  });
  if (recovery.tornTails.length > 0) logger.warn({ tornTails: recovery.tornTails }, 'usage spool: cut torn tails after an unclean stop (those records were never acknowledged)');
  if (recovery.events > 0) logger.info({ events: recovery.events, segments: recovery.segments }, 'usage spool: unshipped events from before the restart will be shipped');

  let store: UsageStore;
  try {
    store = await openUsageStore(usageStoreSettings(config));
  } catch (err) {
    await spool.close();
    throw err;
  }
  logger.info({ store: store.kind, location: store.location, database: store.database, spool: spoolDir }, 'usage ingestion starting');
  if (usage.migrate_at_start) {
    // One attempt now so GetUsage works from the first call; if ClickHouse is down, the shipper retries before its
    // first insert and ingestion into the spool goes on meanwhile.
    await migrateUsageStore(store).catch((err: unknown) => logger.warn({ err: String(err) }, 'usage store migration failed at start; the shipper retries'));
  }
  const metrics = createUsageMetrics(ctx.metrics, () => spool.stats());
  const rollup = new RollupRefresher(store, usage.shipper.rollup_refresh_ms, logger);
  const shipper = new Shipper(
    spool,
    store,
    {
      batchEvents: usage.shipper.batch_events,
      batchIntervalMs: usage.shipper.batch_interval_ms,
      concurrency: usage.shipper.concurrency,
      retryMinMs: usage.shipper.retry_min_ms,
      retryMaxMs: usage.shipper.retry_max_ms,
      migrateAtStart: usage.migrate_at_start,
      quarantineFile: resolve(spoolDir, 'rejected.jsonl'),
    },
    metrics,
    logger,
    (summaries) => rollup.noteShipped(summaries),
  );
  const workerFile = scanWorkerFile();
  const scanWorker = workerFile
    ? new ScanWorker(workerFile, ctx.snapshots, (err) => logger.error({ err: String(err) }, 'usage scan worker failed; ReportBatch is validated on the main thread from now on'))
    : undefined;
  const ingest = new UsageIngest({
    spool,
    snapshots: ctx.snapshots,
    decider: ctx.decider,
    limits: {
      backdateMs: usage.backdate_days * DAY_MS,
      maxFutureMs: usage.max_future_ms,
      maxAttributes: usage.max_attributes,
      maxAttributeKeyLength: usage.max_attribute_key_length,
      maxAttributeValueLength: usage.max_attribute_value_length,
    },
    metrics,
    nowMs: Date.now,
    newEventId: monotonicFactory(),
    scanWorker,
  });
  shipper.start();
  rollup.start();
  return {
    ingest,
    reader: usageReaderOver(store),
    async stop() {
      await scanWorker?.stop();
      await Promise.race([shipper.stop(), new Promise((r) => setTimeout(r, SHIPPER_STOP_MS).unref())]);
      await rollup.refresh(true);
      await rollup.stop();
      await spool.close();
      await store.close();
    },
  };
}
