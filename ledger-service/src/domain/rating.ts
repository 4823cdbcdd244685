import type { Decimal } from 'decimal.js';
import type { UsagePriceConfig } from '../../../common/config/ledger-schema.js';
import { accounts } from './accounts.js';
import { canonical, ZERO } from './money.js';
import type { BillingPeriod } from './periods.js';
import { addHours, iso } from './periods.js';
import { cumulativePrice } from './pricing.js';
import type { TransactionInput } from './transaction.js';

/** One closed hour of one feature's usage, as the usage store reports it now (deduplicated, corrections applied). */
export interface UsageWindow {
  windowStart: Date;
  quantity: Decimal;
}

/** What the ledger already holds for one hour: the sums over all its revisions. */
export interface RatedWindow {
  quantity: Decimal;
  amount: Decimal;
  lastRevision: number;
}

export interface FeaturePeriodRating {
  tenantId: string;
  featureId: string;
  currency: string;
  period: BillingPeriod;
  /** The period's hours up to the watermark, in time order. */
  usage: UsageWindow[];
  /** Keyed by windowStart ISO string. */
  rated: ReadonlyMap<string, RatedWindow>;
  /** The price in force for an hour (plan version at the hour's start), or undefined when it is not billed. */
  priceAt: (windowStart: Date) => UsagePriceConfig | undefined;
}

export function usageIdempotencyKey(tenantId: string, featureId: string, windowStart: Date, revision: number): string {
  return `usage:${tenantId}:${featureId}:${iso(windowStart)}:r${revision}`;
}

/**
 * Rates one feature of one tenant over one billing period. Cumulative tiers count the period's usage in time
 * order, so every hour is re-priced from the start of the period; only differences from what the ledger holds
 * are written: a first revision for a new hour, an adjustment revision when late events or corrections changed
 * an hour or an earlier hour moved it into another tier. When nothing changed the result is empty.
 */
export function rateFeaturePeriod(r: FeaturePeriodRating): TransactionInput[] {
  const usageByHour = new Map<string, UsageWindow>();
  for (const u of r.usage) usageByHour.set(iso(u.windowStart), u);
  const hours = [...new Set([...usageByHour.keys(), ...r.rated.keys()])].sort();
  const out: TransactionInput[] = [];
  const writer = usageTransactions(r);
  let cumulative = ZERO;
  // F(cumulative) of the previous hour, reused while the price stays the same (it changes with plan versions).
  let last: { price: UsagePriceConfig; total: Decimal } | undefined;
  for (const hour of hours) {
    const usage = usageByHour.get(hour);
    const windowStart = usage?.windowStart ?? new Date(hour);
    if (windowStart < r.period.start || windowStart >= r.period.end) continue;
    const quantity = usage?.quantity ?? ZERO;
    const price = r.priceAt(windowStart);
    const next = cumulative.add(quantity);
    let charge = ZERO;
    if (price) {
      const before = last?.price === price ? last.total : cumulativePrice(price, cumulative);
      const after = cumulativePrice(price, next);
      charge = after.sub(before);
      last = { price, total: after };
    }
    cumulative = next;
    const existing = r.rated.get(hour);
    if (!existing && !price) continue;
    const deltaQuantity = existing ? quantity.sub(existing.quantity) : quantity;
    const deltaAmount = existing ? charge.sub(existing.amount) : charge;
    if (deltaQuantity.isZero() && deltaAmount.isZero()) continue;
    const revision = existing ? existing.lastRevision + 1 : 0;
    out.push(writer(windowStart, revision, deltaQuantity, deltaAmount));
  }
  return out;
}

/** The usage transactions of one tenant, feature and period; the accounts are built once for all of them. */
function usageTransactions(r: FeaturePeriodRating): (windowStart: Date, revision: number, quantity: Decimal, amount: Decimal) => TransactionInput {
  const unbilled = accounts.unbilled(r.tenantId);
  const revenue = accounts.usageRevenue(r.featureId);
  return (windowStart, revision, quantity, amount) => {
    const adjustment = revision > 0;
    const hour = iso(windowStart);
    const units = canonical(quantity);
    const debit = canonical(amount);
    return {
      idempotencyKey: usageIdempotencyKey(r.tenantId, r.featureId, windowStart, revision),
      kind: adjustment ? 'usage_adjustment' : 'usage_charge',
      tenantId: r.tenantId,
      effectiveAt: addHours(windowStart, 1),
      description: `${adjustment ? 'adjustment of ' : ''}${r.featureId} usage ${hour}: ${units} units`,
      postings: [
        { account: unbilled, currency: r.currency, amount: debit },
        { account: revenue, currency: r.currency, amount: negated(debit) },
      ],
      rating: { featureId: r.featureId, windowStart, revision, quantity: units },
    };
  };
}

/** The negation of a canonical amount, as canonical text ("0" stays "0"). */
function negated(amount: string): string {
  if (amount === '0') return amount;
  return amount.startsWith('-') ? amount.slice(1) : `-${amount}`;
}

export interface RecurringFee {
  interval: 'month' | 'year';
  amount: string;
  description?: string;
}

/**
 * Flat fees are charged in advance: at the start of every period (monthly) or of every twelfth period counted from
 * the anchor (annual), once the period has started, never for periods that start in a trial or after cancellation.
 */
export function recurringFeeTransactions(args: {
  tenantId: string;
  currency: string;
  period: BillingPeriod;
  fees: RecurringFee[];
  trialEndsAt?: Date;
  canceledAt?: Date;
}): TransactionInput[] {
  const { tenantId, currency, period } = args;
  if (args.trialEndsAt && period.start < args.trialEndsAt) return [];
  if (args.canceledAt && period.start >= args.canceledAt) return [];
  return args.fees
    .map((fee, i) => ({ fee, i }))
    .filter(({ fee }) => fee.interval === 'month' || period.index % 12 === 0)
    .map(({ fee, i }) => ({
      idempotencyKey: `fee:${tenantId}:${period.start.toISOString()}:${fee.interval}:${i}`,
      kind: 'recurring_fee' as const,
      tenantId,
      effectiveAt: period.start,
      description: fee.description ?? `${fee.interval === 'month' ? 'monthly' : 'annual'} fee`,
      postings: [
        { account: accounts.unbilled(tenantId), currency, amount: canonical(fee.amount) },
        { account: accounts.recurringRevenue(), currency, amount: canonical(`-${fee.amount}`) },
      ],
    }));
}
