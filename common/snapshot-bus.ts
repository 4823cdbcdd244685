import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys.js';
import type { EntitlementSnapshot } from './snapshot.js';
import { publishSnapshots } from './snapshot-store.js';

/** Where the control plane sends tenant snapshots: Redis for sidecars anywhere, or straight into this process. */
export type SnapshotSink = (snapshots: EntitlementSnapshot[]) => Promise<void>;

export function redisSnapshotSink(redis: Redis, keys: RedisKeys): SnapshotSink {
  return (snapshots) => publishSnapshots(redis, keys, snapshots);
}

/**
 * Snapshots delivered in-process, for `tollgate up` without Redis: the ledger publishes, the sidecar and gateway
 * in the same process receive. A late subscriber first gets everything published so far.
 */
export class LocalSnapshotBus {
  private readonly latest = new Map<string, EntitlementSnapshot>();
  private readonly subscribers: Array<(snapshot: EntitlementSnapshot) => void> = [];

  readonly sink: SnapshotSink = async (snapshots) => {
    for (const s of snapshots) {
      this.latest.set(s.tenant_id, s);
      for (const deliver of this.subscribers) deliver(s);
    }
  };

  subscribe(deliver: (snapshot: EntitlementSnapshot) => void): void {
    this.subscribers.push(deliver);
    for (const s of this.latest.values()) deliver(s);
  }
}
