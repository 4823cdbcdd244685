import { subscriptionStatuses, type SubscriptionStatus } from '../../../common/config/schema.js';
import { getSubscription, getTenant, insertTenant, saveSubscription, type Subscription, type Tenant } from '../adapters/tenant-store.js';
import { floorToHour, periodContaining, type BillingPeriod } from '../domain/periods.js';
import type { LedgerContext } from './context.js';
import { invalid, LedgerError, notFound } from './errors.js';

export interface TenantState {
  tenant: Tenant;
  subscription: Subscription;
  currentPeriod: BillingPeriod;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function checkTenantId(tenantId: string, field = 'tenant_id'): void {
  if (!tenantId) throw invalid(field, 'is required');
  if (!ID.test(tenantId)) throw invalid(field, 'must be 1-128 letters, digits or . _ : - starting with a letter or digit');
}

function checkStatus(status: string, field = 'status'): SubscriptionStatus {
  if (!(subscriptionStatuses as readonly string[]).includes(status)) throw invalid(field, `must be one of ${subscriptionStatuses.join(', ')}`);
  return status as SubscriptionStatus;
}

function checkPlan(ctx: LedgerContext, planId: string, field = 'plan_id'): void {
  if (!planId) throw invalid(field, 'is required');
  if (!ctx.plans.has(planId)) throw invalid(field, `unknown plan "${planId}" (configured: ${[...ctx.plans.keys()].join(', ') || 'none'})`);
}

export interface CreateTenantInput {
  tenantId: string;
  name?: string;
  planId: string;
  status?: string;
  /** Start of the first billing period; periods are monthly from here. Default: the start of the current hour. */
  billingAnchor?: Date;
  trialEndsAt?: Date;
}

/** Creates a tenant with its subscription, then publishes its snapshot so sidecars know it within a second. */
export async function createTenant(ctx: LedgerContext, input: CreateTenantInput): Promise<TenantState> {
  checkTenantId(input.tenantId);
  checkPlan(ctx, input.planId);
  const status = checkStatus(input.status || (input.trialEndsAt ? 'trialing' : 'active'));
  const now = ctx.clock();
  const anchor = input.billingAnchor ?? floorToHour(now);
  await ctx.db.transaction(async (sql) => {
    if (!(await insertTenant(sql, { id: input.tenantId, name: input.name || input.tenantId }, now))) {
      throw new LedgerError('already_exists', `tenant "${input.tenantId}" already exists`, 'tenant_id');
    }
    await saveSubscription(
      sql,
      {
        tenantId: input.tenantId,
        planId: input.planId,
        status,
        billingAnchor: anchor,
        startedAt: anchor,
        trialEndsAt: input.trialEndsAt ?? null,
        canceledAt: status === 'canceled' ? now : null,
        updatedAt: anchor < now ? anchor : now,
      },
      'created',
    );
  });
  await ctx.snapshots.tenantsChanged([input.tenantId]);
  return getTenantState(ctx, input.tenantId);
}

export async function getTenantState(ctx: LedgerContext, tenantId: string): Promise<TenantState> {
  checkTenantId(tenantId);
  const tenant = await getTenant(ctx.db, tenantId);
  const subscription = tenant && (await getSubscription(ctx.db, tenantId));
  if (!tenant || !subscription) throw notFound(`tenant "${tenantId}" does not exist`);
  return { tenant, subscription, currentPeriod: periodContaining(subscription.billingAnchor, ctx.clock()) };
}

export interface UpdateSubscriptionInput {
  tenantId: string;
  status?: string;
  planId?: string;
  reason?: string;
}

/** Status and plan changes take effect now; the change is audited and the tenant's snapshot republished. */
export async function updateSubscription(ctx: LedgerContext, input: UpdateSubscriptionInput): Promise<TenantState> {
  checkTenantId(input.tenantId);
  if (!input.status && !input.planId) throw invalid('status', 'give a new status or plan_id');
  const status = input.status ? checkStatus(input.status) : undefined;
  if (input.planId) checkPlan(ctx, input.planId);
  const now = ctx.clock();
  await ctx.db.transaction(async (sql) => {
    const current = await getSubscription(sql, input.tenantId, true);
    if (!current) throw notFound(`tenant "${input.tenantId}" does not exist`);
    if (current.status === 'canceled' && status && status !== 'canceled') {
      throw new LedgerError('failed_precondition', `subscription of "${input.tenantId}" is canceled; create a new tenant subscription instead`, 'status');
    }
    const next: Subscription = {
      ...current,
      status: status ?? current.status,
      planId: input.planId || current.planId,
      canceledAt: status === 'canceled' ? (current.canceledAt ?? now) : current.canceledAt,
      updatedAt: now,
    };
    const reason = input.reason || [status && `status ${current.status} → ${status}`, input.planId && `plan ${current.planId} → ${input.planId}`].filter(Boolean).join(', ');
    await saveSubscription(sql, next, reason);
  });
  await ctx.snapshots.tenantsChanged([input.tenantId]);
  return getTenantState(ctx, input.tenantId);
}

/** OSS mode: the config file's tenants are provisioned on start (existing ones are left as they are). */
export async function importConfiguredTenants(ctx: LedgerContext): Promise<string[]> {
  const created: string[] = [];
  for (const t of ctx.config.tenants) {
    if (await getTenant(ctx.db, t.id)) continue;
    await createTenant(ctx, { tenantId: t.id, planId: t.plan, status: t.status });
    created.push(t.id);
  }
  return created;
}

/** Subscriptions whose trial has ended become active (and their snapshots are republished). */
export async function endTrials(ctx: LedgerContext): Promise<string[]> {
  const now = ctx.clock();
  const due = await ctx.db.query<{ tenant_id: string }>(
    `SELECT tenant_id FROM subscriptions WHERE status = 'trialing' AND trial_ends_at IS NOT NULL AND trial_ends_at <= $1 ORDER BY tenant_id`,
    [now.toISOString()],
  );
  for (const { tenant_id } of due) await updateSubscription(ctx, { tenantId: tenant_id, status: 'active', reason: 'trial ended' });
  return due.map((d) => d.tenant_id);
}
