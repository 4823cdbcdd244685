import type { SubscriptionStatus } from '../../../common/config/schema.js';
import type { Sql } from './database.js';

export interface Tenant {
  id: string;
  name: string;
  createdAt: Date;
}

export interface Subscription {
  tenantId: string;
  planId: string;
  status: SubscriptionStatus;
  billingAnchor: Date;
  startedAt: Date;
  trialEndsAt: Date | null;
  canceledAt: Date | null;
  updatedAt: Date;
}

export interface SubscriptionEvent {
  planId: string;
  status: SubscriptionStatus;
  effectiveAt: Date;
  reason: string;
}

interface SubscriptionRow {
  tenant_id: string;
  plan_id: string;
  status: SubscriptionStatus;
  billing_anchor: Date;
  started_at: Date;
  trial_ends_at: Date | null;
  canceled_at: Date | null;
  updated_at: Date;
}

const toSubscription = (r: SubscriptionRow): Subscription => ({
  tenantId: r.tenant_id,
  planId: r.plan_id,
  status: r.status,
  billingAnchor: new Date(r.billing_anchor),
  startedAt: new Date(r.started_at),
  trialEndsAt: r.trial_ends_at ? new Date(r.trial_ends_at) : null,
  canceledAt: r.canceled_at ? new Date(r.canceled_at) : null,
  updatedAt: new Date(r.updated_at),
});

export async function insertTenant(sql: Sql, tenant: { id: string; name: string }, now: Date): Promise<boolean> {
  const rows = await sql.query('INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id', [
    tenant.id,
    tenant.name,
    now.toISOString(),
  ]);
  return rows.length === 1;
}

export async function getTenant(sql: Sql, tenantId: string): Promise<Tenant | undefined> {
  const [row] = await sql.query<{ id: string; name: string; created_at: Date }>('SELECT id, name, created_at FROM tenants WHERE id = $1', [tenantId]);
  return row && { id: row.id, name: row.name, createdAt: new Date(row.created_at) };
}

export async function listTenantIds(sql: Sql): Promise<string[]> {
  return (await sql.query<{ id: string }>('SELECT id FROM tenants ORDER BY id')).map((r) => r.id);
}

export async function getSubscription(sql: Sql, tenantId: string, lock = false): Promise<Subscription | undefined> {
  const [row] = await sql.query<SubscriptionRow>(`SELECT * FROM subscriptions WHERE tenant_id = $1${lock ? ' FOR UPDATE' : ''}`, [tenantId]);
  return row && toSubscription(row);
}

export async function listSubscriptions(sql: Sql): Promise<Subscription[]> {
  return (await sql.query<SubscriptionRow>('SELECT * FROM subscriptions ORDER BY tenant_id')).map(toSubscription);
}

/** Writes the subscription's new state and the audit event that explains it, in the caller's transaction. */
export async function saveSubscription(sql: Sql, s: Subscription, reason: string): Promise<void> {
  await sql.query(
    `INSERT INTO subscriptions (tenant_id, plan_id, status, billing_anchor, started_at, trial_ends_at, canceled_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (tenant_id) DO UPDATE SET plan_id = EXCLUDED.plan_id, status = EXCLUDED.status, billing_anchor = EXCLUDED.billing_anchor,
       trial_ends_at = EXCLUDED.trial_ends_at, canceled_at = EXCLUDED.canceled_at, updated_at = EXCLUDED.updated_at`,
    [s.tenantId, s.planId, s.status, s.billingAnchor.toISOString(), s.startedAt.toISOString(), s.trialEndsAt?.toISOString() ?? null, s.canceledAt?.toISOString() ?? null, s.updatedAt.toISOString()],
  );
  await sql.query('INSERT INTO subscription_events (tenant_id, plan_id, status, effective_at, reason) VALUES ($1, $2, $3, $4, $5)', [
    s.tenantId,
    s.planId,
    s.status,
    s.updatedAt.toISOString(),
    reason,
  ]);
}

/** Subscription history of many tenants, oldest first: rating prices each hour with the plan in force then. */
export async function subscriptionHistories(sql: Sql, tenantIds: string[]): Promise<Map<string, SubscriptionEvent[]>> {
  const rows = await sql.query<{ tenant_id: string; plan_id: string; status: SubscriptionStatus; effective_at: Date; reason: string }>(
    'SELECT tenant_id, plan_id, status, effective_at, reason FROM subscription_events WHERE tenant_id = ANY($1::text[]) ORDER BY tenant_id, effective_at, id',
    [tenantIds],
  );
  const out = new Map<string, SubscriptionEvent[]>();
  for (const r of rows) {
    const list = out.get(r.tenant_id) ?? [];
    list.push({ planId: r.plan_id, status: r.status, effectiveAt: new Date(r.effective_at), reason: r.reason });
    out.set(r.tenant_id, list);
  }
  return out;
}

/** A millisecond clock that never goes backwards for a tenant: the snapshot version sidecars compare. */
export async function nextSnapshotVersion(sql: Sql, tenantId: string, nowMs: number): Promise<number> {
  const [row] = await sql.query<{ snapshot_version: string }>(
    'UPDATE tenants SET snapshot_version = greatest(snapshot_version + 1, $2) WHERE id = $1 RETURNING snapshot_version',
    [tenantId, nowMs],
  );
  return Number(row.snapshot_version);
}
