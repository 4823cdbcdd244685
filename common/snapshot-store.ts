import type { Redis } from 'ioredis';
import { RedisKeys } from './keys.js';
import { parseSnapshot, type EntitlementSnapshot } from './snapshot.js';

/** Writes snapshots and tells every sidecar, in one MULTI per call. */
export async function publishSnapshots(redis: Redis, keys: RedisKeys, snapshots: EntitlementSnapshot[]): Promise<void> {
  if (snapshots.length === 0) return;
  const tx = redis.multi();
  for (const s of snapshots) {
    tx.set(keys.snapshot(s.tenant_id), JSON.stringify(s));
    tx.sadd(keys.snapshotIndex(), s.tenant_id);
  }
  for (const s of snapshots) tx.publish(keys.snapshotChannel(), s.tenant_id);
  const results = await tx.exec();
  const failed = results?.find(([err]) => err);
  if (failed) throw failed[0];
}

export async function readSnapshot(redis: Redis, keys: RedisKeys, tenantId: string): Promise<EntitlementSnapshot | undefined> {
  const json = await redis.get(keys.snapshot(tenantId));
  if (json === null) return undefined;
  const parsed = parseSnapshot(json);
  if (typeof parsed === 'string') throw new Error(`snapshot of tenant "${tenantId}" in Redis is malformed: ${parsed}`);
  return parsed;
}

export async function readAllSnapshots(redis: Redis, keys: RedisKeys): Promise<EntitlementSnapshot[]> {
  const tenants = await redis.smembers(keys.snapshotIndex());
  const out: EntitlementSnapshot[] = [];
  for (let i = 0; i < tenants.length; i += 500) {
    const chunk = tenants.slice(i, i + 500);
    const values = await redis.mget(chunk.map((t) => keys.snapshot(t)));
    values.forEach((json) => {
      if (json === null) return;
      const parsed = parseSnapshot(json);
      if (typeof parsed !== 'string') out.push(parsed);
    });
  }
  return out;
}
