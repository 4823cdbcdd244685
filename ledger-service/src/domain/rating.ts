import type { Decimal } from 'decimal.js';
import type { UsagePriceConfig } from '../../../common/config/ledger-schema.js';
import { accounts } from './accounts.js';
import { canonical, ZERO } from './money.js';
import type { BillingPeriod } from './periods.js';
import { addHours, iso } from './periods.js';
import { cumulativePrice } from './pricing.js';
import type { PostingInput, TransactionInput } from './transaction.js';

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
  /** Keyed by windowStart in epoch milliseconds. */
  rated: ReadonlyMap<number, RatedWindow>;
  /** The price in force for an hour (plan version at the hour's start), or undefined when it is not billed. */
  priceAt: (windowStart: Date) => UsagePriceConfig | undefined;
}

/** One rated hour's charge (or its adjustment): what a usage line posts. */
export interface UsageLine {
  featureId: string;
  windowStart: Date;
  revision: number;
  /** What this revision adds. */
  quantity: Decimal;
  amount: Decimal;
}

/**
 * Rates one feature of one tenant over one billing period. Cumulative tiers count the period's usage in time
 * order, so every hour is re-priced from the start of the period; only differences from what the ledger holds
 * are returned: a first revision for a new hour, an adjustment revision when late events or corrections changed
 * an hour or an earlier hour moved it into another tier. When nothing changed the result is empty.
 */
export function rateFeaturePeriod(r: FeaturePeriodRating): UsageLine[] {
  const usageByHour = new Map<number, UsageWindow>();
  for (const u of r.usage) usageByHour.set(u.windowStart.getTime(), u);
  const hours = [...new Set([...usageByHour.keys(), ...r.rated.keys()])].sort((a, b) => a - b);
  const out: UsageLine[] = [];
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
    out.push({ featureId: r.featureId, windowStart, revision, quantity: deltaQuantity, amount: deltaAmount });
  }
  return out;
}

/**
 * The usage transactions of one tenant's billing period in one rating run (`lines` are of one period): one for first charges (revision 0) and one
 * for adjustments, each with a usage line per rated hour on the tenant's unbilled account and one credit per feature
 * on its revenue account. `lines` come in rating order (feature, then hour), which fixes the postings' order.
 *
 * The idempotency key is the first line's key (tenant, feature, hour, revision) and the number of lines: every line
 * belongs to one transaction only (its key is unique), so the first line names it. The same run rated again (or into
 * a fresh database) is the same transaction; amounts are in the input hash, so the same lines priced differently are
 * a conflict. The transaction is effective when its last hour ends: an invoice bills it whole, and it never spans two
 * periods. More than MAX_LINES_PER_TRANSACTION lines of one kind are split, in order, into several transactions.
 */
export function usageTransactions(tenantId: string, currency: string, lines: UsageLine[]): TransactionInput[] {
  const out: TransactionInput[] = [];
  for (const kind of ['usage_charge', 'usage_adjustment'] as const) {
    const ofKind = lines.filter((l) => (l.revision === 0) === (kind === 'usage_charge'));
    for (let i = 0; i < ofKind.length; i += MAX_LINES_PER_TRANSACTION) {
      out.push(usageTransaction(tenantId, currency, kind, ofKind.slice(i, i + MAX_LINES_PER_TRANSACTION)));
    }
  }
  return out;
}

/** A month of hourly lines for 13 features; more lines make more transactions (postings are numbered in a smallint). */
export const MAX_LINES_PER_TRANSACTION = 10_000;

function usageTransaction(tenantId: string, currency: string, kind: 'usage_charge' | 'usage_adjustment', lines: UsageLine[]): TransactionInput {
  const unbilled = accounts.unbilled(tenantId);
  const postings: PostingInput[] = [];
  const revenueByFeature = new Map<string, Decimal>();
  let first = lines[0].windowStart;
  let last = lines[0].windowStart;
  for (const line of lines) {
    postings.push({
      account: unbilled,
      currency,
      amount: canonical(line.amount),
      usage: { featureId: line.featureId, windowStart: line.windowStart, revision: line.revision, quantity: canonical(line.quantity) },
    });
    revenueByFeature.set(line.featureId, (revenueByFeature.get(line.featureId) ?? ZERO).add(line.amount));
    if (line.windowStart < first) first = line.windowStart;
    if (line.windowStart > last) last = line.windowStart;
  }
  for (const [featureId, sum] of revenueByFeature) {
    postings.push({ account: accounts.usageRevenue(featureId), currency, amount: canonical(sum.neg()) });
  }
  const adjustment = kind === 'usage_adjustment';
  return {
    idempotencyKey: `usage:${tenantId}:${lines[0].featureId}:${iso(lines[0].windowStart)}:r${lines[0].revision}+${lines.length}`,
    kind,
    tenantId,
    effectiveAt: addHours(last, 1),
    description: `${adjustment ? 'adjustments of ' : ''}usage ${iso(first)} – ${iso(addHours(last, 1))}: ${lines.length} hourly line${lines.length === 1 ? '' : 's'}`,
    postings,
  };
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
