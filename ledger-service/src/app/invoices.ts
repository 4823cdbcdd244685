import { accountBalances, markBilled, unbilledGroups } from '../adapters/ledger-queries.js';
import { appendTransactions, lockChain, readTransactionsById } from '../adapters/ledger-store.js';
import type { Sql } from '../adapters/database.js';
import { getInvoice, getInvoiceForPeriod, insertCreditNote, insertInvoice, listInvoices, nextNumber, type StoredInvoice } from '../adapters/invoice-store.js';
import { getSubscription, subscriptionHistories, type Subscription } from '../adapters/tenant-store.js';
import { accounts } from '../domain/accounts.js';
import { planVersionAt } from '../domain/catalog.js';
import { creditNotePostings, draftInvoice, invoicePostings, type InvoiceDraft, type InvoiceItem } from '../domain/invoice.js';
import { money, ZERO } from '../domain/money.js';
import { periodContaining, periodStart, type BillingPeriod } from '../domain/periods.js';
import { transactionId, type StoredTransaction } from '../domain/transaction.js';
import type { LedgerContext } from './context.js';
import { invalid, LedgerError, notFound } from './errors.js';
import { checkTenantId } from './tenants.js';

export interface InvoicePreview extends InvoiceDraft {
  tenantId: string;
  period: BillingPeriod;
  /** Set when the period's invoice was already finalized: the preview is that invoice. */
  invoice?: StoredInvoice;
}

/** The billing period that contains `at`, or the one starting exactly at `periodStartAt` when given. */
function periodFor(sub: Subscription, at: Date, periodStartAt?: Date): BillingPeriod {
  const period = periodContaining(sub.billingAnchor, periodStartAt ?? at);
  if (periodStartAt && period.start.getTime() !== periodStartAt.getTime()) {
    throw invalid('period_start', `is not the start of a billing period (periods of this subscription start at ${periodStart(sub.billingAnchor, period.index).toISOString()}, …)`);
  }
  return period;
}

async function prepaidAvailable(sql: Sql, tenantId: string, currency: string): Promise<ReturnType<typeof money>> {
  const [row] = (await accountBalances(sql, [accounts.prepaid(tenantId).id])).filter((b) => b.currency === currency);
  return row ? money(row.balance).neg() : ZERO;
}

async function draftFor(ctx: LedgerContext, sql: Sql, sub: Subscription, period: BillingPeriod): Promise<InvoiceDraft> {
  const history = (await subscriptionHistories(sql, [sub.tenantId])).get(sub.tenantId) ?? [];
  let planId = history[0]?.planId ?? sub.planId;
  for (const e of history) if (e.effectiveAt <= period.start) planId = e.planId;
  const plan = ctx.plans.get(planId);
  if (!plan) throw new LedgerError('failed_precondition', `plan "${planId}" of tenant "${sub.tenantId}" is not in the configuration`);
  const items: InvoiceItem[] = (await unbilledGroups(sql, sub.tenantId, period.end)).map((g) => ({ ...g, quantity: money(g.quantity), amount: money(g.amount) }));
  return draftInvoice({
    currency: plan.currency,
    items,
    minimumCommitment: period.start >= sub.startedAt ? planVersionAt(plan, period.start)?.minimumCommitment : undefined,
    prepaidAvailable: await prepaidAvailable(sql, sub.tenantId, plan.currency),
  });
}

/** What the tenant's invoice for a period would be now, from the ledger; nothing is stored. */
export async function previewInvoice(ctx: LedgerContext, tenantId: string, periodStartAt?: Date): Promise<InvoicePreview> {
  checkTenantId(tenantId);
  const sub = await getSubscription(ctx.db, tenantId);
  if (!sub) throw notFound(`tenant "${tenantId}" does not exist`);
  const period = periodFor(sub, ctx.clock(), periodStartAt);
  const finalized = await getInvoiceForPeriod(ctx.db, tenantId, period.start);
  if (finalized) {
    return {
      tenantId,
      period,
      invoice: finalized,
      currency: finalized.currency,
      lines: finalized.lines,
      total: finalized.total,
      creditApplied: finalized.creditApplied,
      amountDue: finalized.amountDue,
      itemsExact: '0',
    };
  }
  return { tenantId, period, ...(await draftFor(ctx, ctx.db, sub, period)) };
}

/**
 * Finalizes the tenant's invoice for a period (default: the current one) into an immutable document with the next
 * number of the tenant's sequence. Idempotent per period: finalizing again returns the same invoice.
 */
export async function finalizeInvoice(ctx: LedgerContext, tenantId: string, periodStartAt?: Date): Promise<StoredInvoice> {
  checkTenantId(tenantId);
  const now = ctx.clock();
  const invoiceId = await ctx.db.transaction(async (sql) => {
    await lockChain(sql); // no rating lands between drafting the invoice and marking its items billed
    const sub = await getSubscription(sql, tenantId, true);
    if (!sub) throw notFound(`tenant "${tenantId}" does not exist`);
    const period = periodFor(sub, now, periodStartAt);
    const existing = await getInvoiceForPeriod(sql, tenantId, period.start);
    if (existing) return existing.id;
    const draft = await draftFor(ctx, sql, sub, period);
    const key = `invoice:${tenantId}:${period.start.toISOString()}`;
    const id = transactionId(`document:${key}`);
    const number = await nextNumber(sql, 'invoices', tenantId);
    const [{ transaction }] = await appendTransactions(
      sql,
      [
        {
          idempotencyKey: key,
          kind: 'invoice',
          tenantId,
          effectiveAt: now < period.end ? now : period.end,
          description: `invoice ${number} for ${period.start.toISOString()} – ${period.end.toISOString()}`,
          postings: invoicePostings(tenantId, draft),
          invoiceId: id,
        },
      ],
      now,
    );
    await insertInvoice(
      sql,
      {
        id,
        tenantId,
        number,
        periodStart: period.start,
        periodEnd: period.end,
        currency: draft.currency,
        total: draft.total,
        creditApplied: draft.creditApplied,
        amountDue: draft.amountDue,
        lines: draft.lines,
        transactionId: transaction.id,
        finalizedAt: now,
      },
    );
    await markBilled(sql, id, tenantId, period.end);
    return id;
  });
  return (await getInvoice(ctx.db, invoiceId))!;
}

/** Voids a finalized invoice by issuing a credit note: its receivable is reversed and consumed credit returned. */
export async function voidInvoice(ctx: LedgerContext, invoiceId: string, reason: string): Promise<StoredInvoice> {
  if (!/^[0-9a-f-]{36}$/.test(invoiceId)) throw invalid('invoice_id', 'must be an invoice id (UUID)');
  if (!reason) throw invalid('reason', 'is required');
  const now = ctx.clock();
  await ctx.db.transaction(async (sql) => {
    const invoice = await getInvoice(sql, invoiceId);
    if (!invoice) throw notFound(`invoice "${invoiceId}" does not exist`);
    await getSubscription(sql, invoice.tenantId, true);
    const again = await getInvoice(sql, invoiceId);
    if (again?.status === 'void') throw new LedgerError('failed_precondition', `invoice ${invoice.number} of "${invoice.tenantId}" is already void`, 'invoice_id');
    const number = await nextNumber(sql, 'credit_notes', invoice.tenantId);
    const key = `credit_note:${invoiceId}`;
    const [{ transaction }] = await appendTransactions(
      sql,
      [
        {
          idempotencyKey: key,
          kind: 'credit_note',
          tenantId: invoice.tenantId,
          effectiveAt: now,
          description: `credit note ${number} voiding invoice ${invoice.number}: ${reason}`,
          postings: creditNotePostings(invoice.tenantId, invoice),
          invoiceId,
        },
      ],
      now,
    );
    await insertCreditNote(sql, { id: transactionId(`document:${key}`), invoiceId, tenantId: invoice.tenantId, number, reason, transactionId: transaction.id, createdAt: now });
  });
  return (await getInvoice(ctx.db, invoiceId))!;
}

export async function getInvoiceById(ctx: LedgerContext, invoiceId: string): Promise<StoredInvoice> {
  if (!/^[0-9a-f-]{36}$/.test(invoiceId)) throw invalid('invoice_id', 'must be an invoice id (UUID)');
  const invoice = await getInvoice(ctx.db, invoiceId);
  if (!invoice) throw notFound(`invoice "${invoiceId}" does not exist`);
  return invoice;
}

export async function tenantInvoices(ctx: LedgerContext, tenantId: string): Promise<StoredInvoice[]> {
  checkTenantId(tenantId);
  return listInvoices(ctx.db, tenantId);
}

/** The ledger transactions an invoice billed (its lines derive from these). */
export async function invoiceTransactions(ctx: LedgerContext, invoiceId: string): Promise<StoredTransaction[]> {
  const rows = await ctx.db.query<{ transaction_id: string }>('SELECT transaction_id FROM invoice_items WHERE invoice_id = $1', [invoiceId]);
  return readTransactionsById(ctx.db, rows.map((r) => r.transaction_id));
}

/** Finalizes every subscription's last ended period (once its hours are past the rating grace period). */
export async function finalizeDueInvoices(ctx: LedgerContext, subscriptions: Subscription[]): Promise<StoredInvoice[]> {
  const settled = new Date(ctx.clock().getTime() - ctx.config.ledger.rating.grace_period_minutes * 60_000);
  const out: StoredInvoice[] = [];
  for (const sub of subscriptions) {
    const current = periodContaining(sub.billingAnchor, settled);
    const previous = periodContaining(sub.billingAnchor, new Date(current.start.getTime() - 1));
    if (previous.end <= sub.startedAt) continue;
    if (await getInvoiceForPeriod(ctx.db, sub.tenantId, previous.start)) continue;
    out.push(await finalizeInvoice(ctx, sub.tenantId, previous.start));
  }
  return out;
}
