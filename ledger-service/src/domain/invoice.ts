import type { Decimal } from 'decimal.js';
import { accounts } from './accounts.js';
import { canonical, formatAmount, money, Money, roundToMinorUnit, ZERO } from './money.js';
import type { PostingInput } from './transaction.js';

/** Not-yet-invoiced charges of one feature (usage charges and adjustments) or of one fee, summed. */
export interface InvoiceItem {
  kind: 'usage' | 'fee';
  featureId: string | null;
  description: string;
  /** Units of usage, or the number of fees. */
  quantity: Decimal;
  /** Exact amount charged to the tenant (its unbilled postings). */
  amount: Decimal;
}

export interface InvoiceLine {
  /** `usage:<feature>`, `fee:<description>` or `minimum_commitment`. */
  key: string;
  description: string;
  quantity: string;
  /** Exact sum of the line's ledger amounts. */
  exactAmount: string;
  /** Rounded once, to the currency's minor unit. */
  amount: string;
}

export interface InvoiceDraft {
  currency: string;
  lines: InvoiceLine[];
  /** Sum of the rounded lines. */
  total: string;
  creditApplied: string;
  amountDue: string;
  /** Exact sum of the items (without the minimum-commitment shortfall). */
  itemsExact: string;
}

/**
 * Builds an invoice from ledger items: one line per feature and per fee, each rounded once; a minimum-commitment
 * shortfall line when the lines fall short; then prepaid credit is consumed before anything is charged.
 */
export function draftInvoice(args: { currency: string; items: InvoiceItem[]; minimumCommitment?: string; prepaidAvailable: Decimal }): InvoiceDraft {
  const { currency } = args;
  const groups = new Map<string, { description: string; quantity: Decimal; amount: Decimal }>();
  for (const item of args.items) {
    const usage = item.kind === 'usage';
    const key = usage ? `usage:${item.featureId}` : `fee:${item.description}`;
    const group = groups.get(key) ?? { description: usage ? `${item.featureId} usage` : item.description, quantity: ZERO, amount: ZERO };
    group.quantity = group.quantity.add(item.quantity);
    group.amount = group.amount.add(item.amount);
    groups.set(key, group);
  }
  const lines: InvoiceLine[] = [...groups]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, g]) => ({
      key,
      description: g.description,
      quantity: canonical(g.quantity),
      exactAmount: canonical(g.amount),
      amount: formatAmount(roundToMinorUnit(g.amount, currency), currency),
    }));
  let total = lines.reduce((sum, l) => sum.add(l.amount), ZERO);
  if (args.minimumCommitment && total.lt(args.minimumCommitment)) {
    const shortfall = money(args.minimumCommitment).sub(total);
    lines.push({
      key: 'minimum_commitment',
      description: `minimum commitment of ${args.minimumCommitment} ${currency}`,
      quantity: '1',
      exactAmount: canonical(shortfall),
      amount: formatAmount(roundToMinorUnit(shortfall, currency), currency),
    });
    total = total.add(roundToMinorUnit(shortfall, currency));
  }
  const creditApplied = total.gt(0) ? Money.min(total, Money.max(args.prepaidAvailable, ZERO)) : ZERO;
  return {
    currency,
    lines,
    total: formatAmount(total, currency),
    creditApplied: formatAmount(creditApplied, currency),
    amountDue: formatAmount(total.sub(creditApplied), currency),
    itemsExact: canonical(args.items.reduce((sum, i) => sum.add(i.amount), ZERO)),
  };
}

const nonZero = (postings: PostingInput[]) => postings.filter((p) => !money(p.amount).isZero());

/**
 * Finalizing moves the exact unbilled amounts to the receivable at their rounded total: the shortfall is revenue,
 * the rounding difference goes to its own account, consumed credit reduces the prepaid liability.
 */
export function invoicePostings(tenantId: string, draft: InvoiceDraft): PostingInput[] {
  const c = draft.currency;
  const shortfall = draft.lines.find((l) => l.key === 'minimum_commitment')?.exactAmount ?? '0';
  const total = money(draft.total);
  const rounding = total.sub(draft.itemsExact).sub(shortfall);
  return nonZero([
    { account: accounts.receivable(tenantId), currency: c, amount: canonical(draft.amountDue) },
    { account: accounts.prepaid(tenantId), currency: c, amount: canonical(draft.creditApplied) },
    { account: accounts.unbilled(tenantId), currency: c, amount: canonical(money(draft.itemsExact).neg()) },
    { account: accounts.minimumCommitmentRevenue(), currency: c, amount: canonical(money(shortfall).neg()) },
    { account: accounts.rounding(), currency: c, amount: canonical(rounding.neg()) },
  ]);
}

/** A credit note reverses what the invoice put on the receivable and gives consumed credit back. */
export function creditNotePostings(tenantId: string, invoice: { currency: string; total: string; creditApplied: string; amountDue: string }): PostingInput[] {
  const c = invoice.currency;
  return nonZero([
    { account: accounts.receivable(tenantId), currency: c, amount: canonical(money(invoice.amountDue).neg()) },
    { account: accounts.prepaid(tenantId), currency: c, amount: canonical(money(invoice.creditApplied).neg()) },
    { account: accounts.creditNotes(), currency: c, amount: canonical(invoice.total) },
  ]);
}
