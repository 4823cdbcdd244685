import type { Redis } from 'ioredis';
import type { Logger } from './log.js';
import type { RedisKeys } from './keys.js';
import type { EntitlementSnapshot } from './snapshot.js';
import type { LocalSnapshotBus } from './snapshot-bus.js';
import { readAllSnapshots, readSnapshot } from './snapshot-store.js';

/** Tenants' entitlement snapshots, held in memory; lookups never do I/O. */
export interface SnapshotSource {
  get(tenantId: string): EntitlementSnapshot | undefined;
  /** Resolves an API key by the SHA-256 (hex) of the whole key. */
  tenantForKeyHash(sha256: string): { tenantId: string; keyId: string } | undefined;
}

/**
 * Entitlement snapshots in memory, shared by the sidecar and the gateway: the config file's static catalog
 * underneath, Redis (or in-process) snapshots on top (they take precedence). Kept fresh by pub/sub invalidation, with a full re-read every `refreshMs` and after every
 * reconnect as a safety net for missed messages. Lookups never do I/O.
 */
export class SnapshotCache implements SnapshotSource {
  private readonly published = new Map<string, EntitlementSnapshot>();
  private readonly byKeyHash = new Map<string, { tenantId: string; keyId: string }>();
  private timer?: NodeJS.Timeout;
  private subscriber?: Redis;
  private loadedOnce = false;

  constructor(
    private readonly fromFile: Map<string, EntitlementSnapshot>,
    private readonly logger: Logger,
    private readonly redis?: Redis,
    private readonly keys?: RedisKeys,
    private readonly refreshMs = 30_000,
    private readonly onChange: (count: number) => void = () => {},
  ) {
    for (const s of fromFile.values()) this.indexKeys(undefined, s);
  }

  get(tenantId: string): EntitlementSnapshot | undefined {
    return this.published.get(tenantId) ?? this.fromFile.get(tenantId);
  }

  tenantForKeyHash(sha256: string): { tenantId: string; keyId: string } | undefined {
    return this.byKeyHash.get(sha256);
  }

  /** True once Redis snapshots were read (or when there is no Redis). */
  get ready(): boolean {
    return !this.redis || this.loadedOnce;
  }

  get size(): number {
    return new Set([...this.fromFile.keys(), ...this.published.keys()]).size;
  }

  /** Takes snapshots published in this process (`tollgate up` without Redis). */
  follow(bus: LocalSnapshotBus): void {
    bus.subscribe((snapshot) => this.accept(snapshot));
  }

  async start(): Promise<void> {
    if (!this.redis || !this.keys) return;
    const keys = this.keys;
    this.subscriber = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
    this.subscriber.on('error', () => {});
    this.subscriber.on('message', (_channel: string, tenantId: string) => void this.refreshTenant(tenantId));
    this.subscriber.on('ready', () => void this.reloadAll());
    // Not awaited: with Redis down at start the sidecar serves the file catalog and subscribes once Redis is back.
    this.subscriber.subscribe(keys.snapshotChannel()).catch((err) => this.logger.warn({ err: String(err) }, 'snapshot subscription failed; retrying on reconnect'));
    await this.reloadAll();
    this.timer = setInterval(() => void this.reloadAll(), this.refreshMs);
    this.timer.unref();
  }

  private async refreshTenant(tenantId: string): Promise<void> {
    try {
      const snapshot = await readSnapshot(this.redis!, this.keys!, tenantId);
      if (snapshot) this.accept(snapshot);
      else this.remove(tenantId);
    } catch (err) {
      this.logger.warn({ err: String(err), tenantId }, 'could not read a changed snapshot; the periodic refresh will retry');
    }
  }

  async reloadAll(): Promise<void> {
    try {
      const all = await readAllSnapshots(this.redis!, this.keys!);
      const seen = new Set<string>();
      for (const s of all) {
        seen.add(s.tenant_id);
        this.accept(s, true);
      }
      for (const tenantId of [...this.published.keys()]) if (!seen.has(tenantId)) this.remove(tenantId);
      this.loadedOnce = true;
      this.onChange(this.size);
    } catch (err) {
      this.logger.warn({ err: String(err) }, 'could not read snapshots from Redis; serving the ones in memory');
    }
  }

  /** A newer version replaces an older one; a full reload may also bring back the same version unchanged. */
  accept(snapshot: EntitlementSnapshot, fromReload = false): void {
    const current = this.published.get(snapshot.tenant_id);
    if (current && (snapshot.version < current.version || (fromReload && snapshot.version === current.version))) return;
    this.indexKeys(current ?? this.fromFile.get(snapshot.tenant_id), snapshot);
    this.published.set(snapshot.tenant_id, snapshot);
    if (!fromReload) this.onChange(this.size);
  }

  private remove(tenantId: string): void {
    const current = this.published.get(tenantId);
    if (!current) return;
    this.published.delete(tenantId);
    const fileSnapshot = this.fromFile.get(tenantId);
    this.indexKeys(current, fileSnapshot);
  }

  private indexKeys(previous: EntitlementSnapshot | undefined, next: EntitlementSnapshot | undefined): void {
    for (const k of previous?.api_keys ?? []) this.byKeyHash.delete(k.sha256);
    for (const k of next?.api_keys ?? []) this.byKeyHash.set(k.sha256, { tenantId: next!.tenant_id, keyId: k.id });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.subscriber?.disconnect();
  }
}
