import type { PlanConfig, TollgateConfig } from '../../../common/config/schema.js';
import type { Logger } from '../../../common/log.js';
import type { ApiKeyHash, EntitlementSnapshot } from '../../../common/snapshot.js';
import type { SnapshotSink } from '../../../common/snapshot-bus.js';
import { periodContaining } from '../domain/periods.js';
import { tenantSnapshot } from '../domain/snapshot.js';
import type { Database, Sql } from './database.js';
import { getSubscription, listTenantIds, nextSnapshotVersion } from './tenant-store.js';

export type ApiKeyLoader = (sql: Sql, tenantId: string) => Promise<ApiKeyHash[]>;

/**
 * Publishes tenants' entitlement snapshots (to Redis, or in-process) after every committed change. A publish that fails (Redis
 * down) is retried every second until it succeeds, and every tenant is republished periodically as a safety net.
 */
export class SnapshotPublisher {
  private readonly pending = new Set<string>();
  private retryTimer?: NodeJS.Timeout;
  private republishTimer?: NodeJS.Timeout;
  private readonly staticKeys: Map<string, ApiKeyHash[]>;

  constructor(
    private readonly db: Database,
    private readonly sink: SnapshotSink,
    config: TollgateConfig,
    private readonly plans: ReadonlyMap<string, PlanConfig>,
    private readonly clock: () => Date,
    private readonly logger: Logger,
    private readonly apiKeys: ApiKeyLoader = async () => [],
  ) {
    this.staticKeys = new Map(config.tenants.map((t) => [t.id, t.api_keys.map((k) => ({ ...k }))]));
  }

  async tenantsChanged(tenantIds: string[]): Promise<void> {
    try {
      await this.publish(tenantIds);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, tenants: tenantIds.length }, 'snapshot publish failed; retrying every second');
      for (const t of tenantIds) this.pending.add(t);
      this.retryTimer ??= setInterval(() => void this.retryPending(), 1000);
    }
  }

  startRepublishing(everyMs: number): void {
    this.republishTimer = setInterval(() => void this.republishAll().catch((err) => this.logger.warn({ err: (err as Error).message }, 'republish failed')), everyMs);
    this.republishTimer.unref();
  }

  async republishAll(): Promise<number> {
    const ids = await listTenantIds(this.db);
    for (let i = 0; i < ids.length; i += 500) await this.publish(ids.slice(i, i + 500));
    return ids.length;
  }

  stop(): void {
    clearInterval(this.retryTimer);
    clearInterval(this.republishTimer);
  }

  private async retryPending(): Promise<void> {
    const ids = [...this.pending];
    try {
      await this.publish(ids);
      ids.forEach((t) => this.pending.delete(t));
      if (this.pending.size === 0) {
        clearInterval(this.retryTimer);
        this.retryTimer = undefined;
      }
    } catch {
      /* next second */
    }
  }

  async snapshotOf(tenantId: string): Promise<EntitlementSnapshot | undefined> {
    const now = this.clock();
    return this.db.transaction(async (sql) => {
      const sub = await getSubscription(sql, tenantId);
      const plan = sub && this.plans.get(sub.planId);
      if (!sub || !plan) return undefined;
      const apiKeys = [...(this.staticKeys.get(tenantId) ?? []), ...(await this.apiKeys(sql, tenantId))];
      return tenantSnapshot({
        tenantId,
        plan,
        status: sub.status,
        apiKeys,
        periodStart: periodContaining(sub.billingAnchor, now).start,
        version: await nextSnapshotVersion(sql, tenantId, now.getTime()),
        now,
      });
    });
  }

  private async publish(tenantIds: string[]): Promise<void> {
    const snapshots: EntitlementSnapshot[] = [];
    for (const id of tenantIds) {
      const s = await this.snapshotOf(id);
      if (s) snapshots.push(s);
      else this.logger.warn({ tenant: id }, 'no snapshot: tenant has no subscription or its plan is not configured');
    }
    await this.sink(snapshots);
  }
}
