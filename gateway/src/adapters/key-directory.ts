import type { Redis } from 'ioredis';
import type { TollgateConfig } from '../../../common/config/schema.js';
import { RedisKeys } from '../../../common/keys.js';
import type { Logger } from '../../../common/log.js';
import { connectRedisPatient } from '../../../common/redis.js';
import { catalogSnapshots, type EntitlementSnapshot, type FeatureEntitlement } from '../../../common/snapshot.js';
import { readAllSnapshots, readSnapshot } from '../../../common/snapshot-store.js';

/**
 * API key → tenant, held in memory, from the same tenant snapshots the sidecars use: the config file's catalog,
 * outranked by snapshots in Redis, kept current by the snapshot invalidation channel (a revoked key is refused as
 * soon as its tenant's new snapshot is published) and a periodic full re-read as a safety net.
 */
export class KeyDirectory {
  private readonly fromFile = new Map<string, EntitlementSnapshot>();
  private readonly fromRedis = new Map<string, EntitlementSnapshot>();
  private byKeyHash = new Map<string, { tenantId: string; keyId: string }>();
  private redis?: Redis;
  private subscriber?: Redis;
  private refreshTimer?: NodeJS.Timeout;

  private constructor(
    private readonly keys: RedisKeys,
    private readonly logger: Logger,
  ) {}

  /** Without a Redis URL in the config (or REDIS_URL), only the file's catalog is used. */
  static async open(config: TollgateConfig, logger: Logger): Promise<KeyDirectory> {
    const directory = new KeyDirectory(new RedisKeys(config.redis.key_prefix), logger);
    for (const s of catalogSnapshots(config, 0, new Date())) directory.fromFile.set(s.tenant_id, s);
    directory.reindex();
    if (config.redis.url) await directory.follow(config.redis.url, config.sidecar.snapshot_refresh_ms);
    return directory;
  }

  resolve(sha256: string): { tenantId: string; keyId: string } | undefined {
    return this.byKeyHash.get(sha256);
  }

  feature(tenantId: string, featureId: string): FeatureEntitlement | undefined {
    return (this.fromRedis.get(tenantId) ?? this.fromFile.get(tenantId))?.features[featureId];
  }

  async close(): Promise<void> {
    clearInterval(this.refreshTimer);
    this.subscriber?.disconnect();
    this.redis?.disconnect();
  }

  private async follow(url: string, refreshMs: number): Promise<void> {
    this.redis = connectRedisPatient(url);
    this.subscriber = connectRedisPatient(url);
    this.subscriber.on('message', (_channel: string, tenantId: string) => {
      this.reload(tenantId).catch((err: unknown) => this.logger.warn({ err, tenant: tenantId }, 'cannot reload tenant snapshot'));
    });
    this.subscriber.on('error', (err) => this.logger.debug({ err }, 'snapshot subscriber error'));
    this.redis.on('error', (err) => this.logger.debug({ err }, 'snapshot reader error'));
    await this.subscriber.subscribe(this.keys.snapshotChannel());
    await this.refreshAll();
    this.refreshTimer = setInterval(() => {
      this.refreshAll().catch((err: unknown) => this.logger.warn({ err }, 'snapshot refresh failed; keeping the last known keys'));
    }, refreshMs);
    this.refreshTimer.unref();
  }

  private async refreshAll(): Promise<void> {
    const snapshots = await readAllSnapshots(this.redis!, this.keys);
    this.fromRedis.clear();
    for (const s of snapshots) this.fromRedis.set(s.tenant_id, s);
    this.reindex();
  }

  private async reload(tenantId: string): Promise<void> {
    const snapshot = await readSnapshot(this.redis!, this.keys, tenantId);
    const current = this.fromRedis.get(tenantId);
    if (!snapshot) this.fromRedis.delete(tenantId);
    else if (!current || snapshot.version >= current.version) this.fromRedis.set(tenantId, snapshot);
    this.reindex();
  }

  /** Rebuilt whole on every change: snapshot changes are rare, lookups are per request. */
  private reindex(): void {
    const index = new Map<string, { tenantId: string; keyId: string }>();
    const tenants = new Map(this.fromFile);
    for (const [id, s] of this.fromRedis) tenants.set(id, s);
    for (const s of tenants.values()) for (const k of s.api_keys) index.set(k.sha256, { tenantId: s.tenant_id, keyId: k.id });
    this.byKeyHash = index;
  }
}
