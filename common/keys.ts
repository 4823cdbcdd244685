/**
 * Redis key layout. Every per-tenant key carries the tenant as a hash tag (`{tenant}`), so one tenant's keys
 * live in one slot and the same scripts run unchanged on Redis Cluster.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  snapshot(tenantId: string): string {
    return `${this.prefix}:{${tenantId}}:snapshot`;
  }
  /** Set of tenant ids that have a published snapshot. */
  snapshotIndex(): string {
    return `${this.prefix}:snapshots`;
  }
  /** Pub/sub channel; the message is the tenant id whose snapshot changed. */
  snapshotChannel(): string {
    return `${this.prefix}:snapshots:changed`;
  }
  bucket(tenantId: string, featureId: string): string {
    return `${this.prefix}:{${tenantId}}:rl:${featureId}`;
  }
  quota(tenantId: string, featureId: string, periodKey: string): string {
    return `${this.prefix}:{${tenantId}}:q:${featureId}:${periodKey}`;
  }
  /** Sorted set of a feature's open reservations, scored by expiry (ms). */
  holds(tenantId: string, featureId: string): string {
    return `${this.prefix}:{${tenantId}}:holds:${featureId}`;
  }
  /** Hash of a feature's open reservations: id → "<estimate>|<period id>". */
  holdAmounts(tenantId: string, featureId: string): string {
    return `${this.prefix}:{${tenantId}}:holdamt:${featureId}`;
  }
  reservation(tenantId: string, reservationId: string): string {
    return `${this.prefix}:{${tenantId}}:res:${reservationId}`;
  }
}
