import type { HourlyUsageRow, UsageReader } from '../../../common/clickhouse/usage-reader.js';
import type { UsagePriceConfig } from '../../../common/config/ledger-schema.js';
import type { PlanConfig } from '../../../common/config/schema.js';
import { ratedWindowsForTenants, type RatedWindowRow } from '../adapters/ledger-queries.js';
import { listSubscriptions, subscriptionHistories, type Subscription, type SubscriptionEvent } from '../adapters/tenant-store.js';
import { flatPrices, planVersionAt, usagePriceFor } from '../domain/catalog.js';
import { money } from '../domain/money.js';
import { addHours, floorToHour, periodContaining, periodsOverlapping, ratingWatermark } from '../domain/periods.js';
import { rateFeaturePeriod, recurringFeeTransactions, usageTransactions, type RatedWindow, type UsageLine } from '../domain/rating.js';
import type { TransactionInput } from '../domain/transaction.js';
import type { LedgerContext } from './context.js';
import { PipelinedWriter } from './rating-writer.js';

export interface RatingOptions {
  /** Default: the clock. */
  now?: Date;
  /** Rate hours starting at or after this (periods that began earlier are re-priced from their start). */
  from?: Date;
  /** Rate hours ending by this; default the watermark (now − grace period, floored to the hour). */
  to?: Date;
  tenantId?: string;
  /** Postings per database transaction (a batch holds whole ledger transactions, so it may hold more). */
  batchSize?: number;
}

export interface RatingRun {
  from: Date;
  to: Date;
  tenants: number;
  usageRows: number;
  /** Ledger transactions written: usage transactions (a charge and an adjustment one per tenant and period) and fees. */
  written: number;
  /** Usage lines written: rated hours, each a (tenant, feature, hour, revision). */
  usageLines: number;
  /** Idempotency keys whose recorded input differs from what rating computes now (e.g. an edited plan version). */
  conflicts: string[];
}

const MAX_RATING_ATTEMPTS = 3;

/** The database refused a usage line whose key (tenant, feature, hour, revision) another run had written. */
function isUsageLineConflict(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string; message?: string } | undefined;
  return e?.code === '23505' && (e.constraint === 'postings_usage_line_key' || (e.message ?? '').includes('postings_usage_line_key'));
}

/** The plan a tenant was on at `at`: the last subscription change at or before it (the first one before any). */
function planIdAt(history: SubscriptionEvent[], fallback: string, at: Date): string {
  let planId = history[0]?.planId ?? fallback;
  for (const e of history) if (e.effectiveAt <= at) planId = e.planId;
  return planId;
}

/**
 * One rating run. Reads the closed hours of [from, to) — from the start of the billing period containing `from`,
 * so cumulative tiers see the whole period — prices them with the plan version in force at each hour, and appends
 * only what differs from the ledger: new hours, adjustments, fees of periods that started. Deterministic: the same
 * usage and subscriptions always produce the same transactions, in the same order.
 */
export async function rateUsage(ctx: LedgerContext, reader: UsageReader, options: RatingOptions = {}): Promise<RatingRun> {
  const rating = ctx.config.ledger.rating;
  const now = options.now ?? ctx.clock();
  const to = floorToHour(options.to ?? ratingWatermark(now, rating.grace_period_minutes));
  const from = floorToHour(options.from ?? addHours(to, -24 * rating.restate_days));
  const subscriptions = (await listSubscriptions(ctx.db)).filter((s) => !options.tenantId || s.tenantId === options.tenantId);
  const run: RatingRun = { from, to, tenants: subscriptions.length, usageRows: 0, written: 0, usageLines: 0, conflicts: [] };
  if (subscriptions.length === 0 || to <= from) return run;

  const readFrom = new Date(Math.min(...subscriptions.map((s) => periodContaining(s.billingAnchor, from).start.getTime())));
  const usage = await reader.hourly({ from: readFrom, to, tenantId: options.tenantId });
  run.usageRows = usage.length;
  const usageByTenant = groupBy(usage, (r) => r.tenantId);
  const tenantIds = subscriptions.map((s) => s.tenantId);
  const histories = await subscriptionHistories(ctx.db, tenantIds);

  for (let attempt = 1; ; attempt++) {
    const rated = await ratedWindowsForTenants(ctx.db, tenantIds, readFrom, to);
    const writer = new PipelinedWriter(ctx, now, run.conflicts, options.batchSize ?? 10_000);
    try {
      for (const sub of subscriptions) {
        const inputs = await rateTenant(ctx.plans, sub, histories.get(sub.tenantId) ?? [], usageByTenant.get(sub.tenantId) ?? [], rated.get(sub.tenantId) ?? [], from, to);
        for (const input of inputs) await writer.add(input);
      }
      await writer.finish();
      break;
    } catch (err) {
      // Another run (another replica, or RateUsage called during a scheduled run) rated some of these hours after
      // this one read the ledger: the database refused the second line for the hour, and this run's batch rolled
      // back whole. Reading the ledger again rates only what is left.
      if (!isUsageLineConflict(err) || attempt >= MAX_RATING_ATTEMPTS) throw err;
      ctx.logger.warn({ attempt, err: String(err) }, 'rating run: another run rated some of these hours first; rating again from the ledger');
    } finally {
      // What the attempt committed before it failed stays written, and counts.
      run.written += writer.committed.transactions;
      run.usageLines += writer.committed.lines;
    }
  }
  if (run.written > 0 || run.conflicts.length > 0) {
    ctx.logger.info({ from, to, written: run.written, usageLines: run.usageLines, conflicts: run.conflicts.length }, 'rating run');
  }
  return run;
}

/**
 * The price of one feature at an hour, looked up again only when the plan or the plan version in force changes
 * (rating asks hour by hour, in time order).
 */
function priceLookup(planAt: (at: Date) => PlanConfig | undefined, currency: string, featureId: string): (hour: Date) => UsagePriceConfig | undefined {
  let last: { plan: PlanConfig | undefined; version: unknown; price: UsagePriceConfig | undefined } | undefined;
  return (hour) => {
    const plan = planAt(hour);
    if (!plan || plan.currency !== currency) return undefined;
    const version = planVersionAt(plan, hour);
    if (last?.plan !== plan || last.version !== version) last = { plan, version, price: usagePriceFor(version, featureId) };
    return last.price;
  };
}

/** Pricing is synchronous; between features it lets the in-flight batch's replies from Postgres be handled. */
const breather = () => new Promise<void>((resolve) => setImmediate(resolve));

async function rateTenant(
  plans: ReadonlyMap<string, PlanConfig>,
  sub: Subscription,
  history: SubscriptionEvent[],
  usage: HourlyUsageRow[],
  ratedRows: RatedWindowRow[],
  from: Date,
  to: Date,
): Promise<TransactionInput[]> {
  const planAt = (at: Date) => plans.get(planIdAt(history, sub.planId, at));
  const firstHour = floorToHour(sub.startedAt);
  const out: TransactionInput[] = [];
  const dated = usage.map((row) => {
    const windowStart = new Date(row.hourStart);
    return { row, windowStart, ms: windowStart.getTime() };
  });
  for (const period of periodsOverlapping(sub.billingAnchor, from, to)) {
    if (period.end <= sub.startedAt) continue;
    const startPlan = planAt(period.start < sub.startedAt ? sub.startedAt : period.start);
    if (!startPlan) continue;
    const currency = startPlan.currency;
    if (period.start >= sub.startedAt) {
      const fees = flatPrices(planVersionAt(startPlan, period.start));
      out.push(
        ...recurringFeeTransactions({
          tenantId: sub.tenantId,
          currency,
          period,
          fees,
          trialEndsAt: sub.trialEndsAt ?? undefined,
          canceledAt: sub.canceledAt ?? undefined,
        }),
      );
    }
    const end = period.end < to ? period.end : to;
    const [lower, upper] = [Math.max(period.start.getTime(), firstHour.getTime()), end.getTime()];
    const inPeriod = (t: number) => t >= lower && t < upper;
    const usageByFeature = groupBy(
      dated.filter((u) => inPeriod(u.ms)),
      (u) => u.row.featureId,
    );
    const ratedByFeature = groupBy(
      ratedRows.filter((r) => inPeriod(r.windowStart.getTime())),
      (r) => r.featureId,
    );
    const features = [...new Set([...usageByFeature.keys(), ...ratedByFeature.keys()])].sort();
    const lines: UsageLine[] = [];
    for (const featureId of features) {
      const rows = (usageByFeature.get(featureId) ?? []).sort((a, b) => a.ms - b.ms);
      const rated = new Map<number, RatedWindow>(
        (ratedByFeature.get(featureId) ?? []).map((r) => [
          r.windowStart.getTime(),
          { quantity: money(r.quantity), amount: money(r.amount), lastRevision: r.lastRevision },
        ]),
      );
      lines.push(
        ...rateFeaturePeriod({
          tenantId: sub.tenantId,
          featureId,
          currency,
          period: { ...period, end },
          usage: rows.map((u) => ({ windowStart: u.windowStart, quantity: money(u.row.quantity) })),
          rated,
          priceAt: priceLookup(planAt, currency, featureId),
        }),
      );
      await breather();
    }
    out.push(...usageTransactions(sub.tenantId, currency, lines));
  }
  return out;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
