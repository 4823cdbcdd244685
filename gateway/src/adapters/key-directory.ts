import type { Redis } from 'ioredis';
import type { TollgateConfig } from '../../../common/config/schema.js';
import { RedisKeys } from '../../../common/keys.js';
import type { Logger } from '../../../common/log.js';
import { connectRedis } from '../../../common/redis.js';
import { catalogSnapshots, type FeatureEntitlement } from '../../../common/snapshot.js';
import { SnapshotCache } from '../../../common/snapshot-cache.js';
import type { LocalSnapshotBus } from '../../../common/snapshot-bus.js';

/**
 * API key → tenant, in memory, from the same tenant snapshots (and the same cache) the sidecars use: the config
 * file's catalog, outranked by snapshots in Redis, kept current by the invalidation channel — a revoked key is
 * refused as soon as its tenant's new snapshot is published — with a periodic full re-read as a safety net.
 * Redis being down at start is not fatal: the file's keys serve until it is back.
 */
export class KeyDirectory {
  private constructor(
    private readonly cache: SnapshotCache,
    private readonly redis?: Redis,
  ) {}

  static async open(config: TollgateConfig, logger: Logger, bus?: LocalSnapshotBus): Promise<KeyDirectory> {
    const fromFile = new Map(catalogSnapshots(config, 0, new Date()).map((s) => [s.tenant_id, s]));
    let redis: Redis | undefined;
    if (config.redis.url) {
      redis = connectRedis(config.redis.url, 2_000);
      let lastLogged = 0;
      redis.on('error', (err: Error) => {
        if (Date.now() - lastLogged > 5_000) logger.warn({ err: err.message }, 'redis connection error (API keys: serving the last known snapshots)');
        lastLogged = Date.now();
      });
    }
    const cache = new SnapshotCache(fromFile, logger, redis, new RedisKeys(config.redis.key_prefix), config.sidecar.snapshot_refresh_ms);
    if (bus) cache.follow(bus);
    await cache.start();
    return new KeyDirectory(cache, redis);
  }

  resolve(sha256: string): { tenantId: string; keyId: string } | undefined {
    return this.cache.tenantForKeyHash(sha256);
  }

  feature(tenantId: string, featureId: string): FeatureEntitlement | undefined {
    return this.cache.get(tenantId)?.features[featureId];
  }

  async close(): Promise<void> {
    await this.cache.stop();
    this.redis?.disconnect();
  }
}
