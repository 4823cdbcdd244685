import type { Redis } from 'ioredis';
import { openUsageReader, type UsageReader } from '../../common/clickhouse/usage-reader.js';
import type { TollgateConfig } from '../../common/config/schema.js';
import { createLogger, type Logger } from '../../common/log.js';
import { connectRedisPatient } from '../../common/redis.js';
import { RedisKeys } from '../../common/keys.js';
import { redisSnapshotSink, type SnapshotSink } from '../../common/snapshot-bus.js';
import { activeApiKeyHashes } from './adapters/api-key-store.js';
import { openDatabase, type Database, type DatabaseTarget } from './adapters/database.js';
import { applyMigrations } from './adapters/migrations.js';
import { SnapshotPublisher } from './adapters/snapshot-publisher.js';
import { plansOf, type LedgerContext } from './app/context.js';
import { databaseTarget } from './settings.js';

/** The ledger's wired dependencies: database (migrated, acting as the service role), Redis publisher, usage reader. */
export interface LedgerRuntime {
  ctx: LedgerContext;
  publisher: SnapshotPublisher;
  /** Undefined when snapshots go to an in-process sink instead of Redis. */
  redis?: Redis;
  /** Opened on first use; rating fails with the reader's error until the usage store is reachable. */
  usage(): Promise<UsageReader>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
  clock?: () => Date;
  usageReader?: UsageReader;
  /** Skip migrations (they need the owner's privileges); default: apply them on start. */
  migrate?: boolean;
  /** Overrides the database of config and environment (tests give each service its own database). */
  database?: DatabaseTarget;
  /** Where snapshots go instead of Redis (`tollgate up` without Redis: the sidecar in the same process). */
  snapshotSink?: SnapshotSink;
}

async function migrated(config: TollgateConfig, target: DatabaseTarget): Promise<Database> {
  const owner = await openDatabase(target);
  try {
    await applyMigrations(owner, config.ledger.database.service_role);
    return await openDatabase(target, { role: config.ledger.database.service_role, poolSize: config.ledger.database.pool_size });
  } finally {
    await owner.close();
  }
}

export async function openLedgerRuntime(config: TollgateConfig, options: RuntimeOptions = {}): Promise<LedgerRuntime> {
  const logger = options.logger ?? createLogger('ledger');
  const clock = options.clock ?? (() => new Date());
  const target = options.database ?? databaseTarget(config);
  const db =
    options.migrate === false
      ? await openDatabase(target, { role: config.ledger.database.service_role, poolSize: config.ledger.database.pool_size })
      : await migrated(config, target);
  const redis = options.snapshotSink ? undefined : connectRedisPatient(config.redis.url);
  redis?.on('error', () => undefined); // reconnects on its own; publishes failing meanwhile are retried
  const sink = options.snapshotSink ?? redisSnapshotSink(redis!, new RedisKeys(config.redis.key_prefix));
  const plans = plansOf(config);
  const publisher = new SnapshotPublisher(db, sink, config, plans, clock, logger, activeApiKeyHashes);
  const ctx: LedgerContext = { db, config, plans, clock, logger, snapshots: publisher };
  let reader: Promise<UsageReader> | undefined = options.usageReader ? Promise.resolve(options.usageReader) : undefined;
  return {
    ctx,
    publisher,
    redis,
    usage: () => {
      reader ??= openUsageReader(config).catch((err) => {
        reader = undefined;
        throw err;
      });
      return reader;
    },
    close: async () => {
      publisher.stop();
      if (reader && !options.usageReader) await (await reader.catch(() => undefined))?.close();
      redis?.disconnect();
      await db.close();
    },
  };
}
