import { accountBalances } from '../adapters/ledger-queries.js';
import { appendTransactions, readTenantTransactions, type AppendResult } from '../adapters/ledger-store.js';
import { getSubscription } from '../adapters/tenant-store.js';
import { accounts } from '../domain/accounts.js';
import { canonical, minorUnits, money, ZERO } from '../domain/money.js';
import type { PostingInput, TransactionInput } from '../domain/transaction.js';
import type { LedgerContext } from './context.js';
import { invalid, isCheckViolation, LedgerError, notFound } from './errors.js';
import { checkTenantId } from './tenants.js';

export interface MoneyMovement {
  tenantId: string;
  /** Exact decimal string > 0 in the plan's currency, at most its minor-unit precision. */
  amount: string;
  /** Required: a retry with the same key and input returns the original transaction; a different input is refused. */
  idempotencyKey: string;
  description?: string;
}

async function tenantCurrency(ctx: LedgerContext, tenantId: string): Promise<string> {
  checkTenantId(tenantId);
  const sub = await getSubscription(ctx.db, tenantId);
  if (!sub) throw notFound(`tenant "${tenantId}" does not exist`);
  const plan = ctx.plans.get(sub.planId);
  if (!plan) throw new LedgerError('failed_precondition', `plan "${sub.planId}" of tenant "${tenantId}" is not in the configuration`);
  return plan.currency;
}

function checkAmount(amount: string, currency: string): void {
  if (!amount) throw invalid('amount', 'is required');
  if (!/^\d+(\.\d+)?$/.test(amount)) throw invalid('amount', 'must be a decimal string greater than 0, such as "25.00"');
  const value = money(amount);
  if (value.lte(0)) throw invalid('amount', 'must be greater than 0');
  if (value.decimalPlaces() > minorUnits(currency)) throw invalid('amount', `${currency} has ${minorUnits(currency)} decimal places`);
}

function checkKey(key: string): void {
  if (!key) throw invalid('idempotency_key', 'is required');
  if (key.length > 200) throw invalid('idempotency_key', 'must be at most 200 characters');
}

async function post(ctx: LedgerContext, input: Omit<TransactionInput, 'effectiveAt'>, effectiveAt?: Date): Promise<AppendResult> {
  const now = ctx.clock();
  try {
    const [result] = await ctx.db.transaction((sql) => appendTransactions(sql, [{ ...input, effectiveAt: effectiveAt ?? now, effectiveAtIsRecordingTime: !effectiveAt }], now));
    return result;
  } catch (err) {
    if (isCheckViolation(err)) throw new LedgerError('failed_precondition', err.message);
    throw err;
  }
}

/** Prepaid credit, bought (cash) or granted (promotional expense); invoices consume it before charging. */
export async function addCredit(ctx: LedgerContext, m: MoneyMovement & { source: 'purchase' | 'grant' }): Promise<AppendResult> {
  const currency = await tenantCurrency(ctx, m.tenantId);
  checkAmount(m.amount, currency);
  checkKey(m.idempotencyKey);
  const from = m.source === 'grant' ? accounts.promotionalCredit() : accounts.cash();
  return post(ctx, {
    idempotencyKey: `credit:${m.tenantId}:${m.idempotencyKey}`,
    kind: m.source === 'grant' ? 'credit_grant' : 'credit_purchase',
    tenantId: m.tenantId,
    description: m.description || `prepaid credit (${m.source})`,
    postings: [
      { account: from, currency, amount: canonical(m.amount) },
      { account: accounts.prepaid(m.tenantId), currency, amount: canonical(money(m.amount).neg()) },
    ],
  });
}

/** A payment received against the tenant's finalized invoices. */
export async function recordPayment(ctx: LedgerContext, m: MoneyMovement): Promise<AppendResult> {
  const currency = await tenantCurrency(ctx, m.tenantId);
  checkAmount(m.amount, currency);
  checkKey(m.idempotencyKey);
  return post(ctx, {
    idempotencyKey: `payment:${m.tenantId}:${m.idempotencyKey}`,
    kind: 'payment',
    tenantId: m.tenantId,
    description: m.description || 'payment received',
    postings: [
      { account: accounts.cash(), currency, amount: canonical(m.amount) },
      { account: accounts.receivable(m.tenantId), currency, amount: canonical(money(m.amount).neg()) },
    ],
  });
}

/**
 * Money back to the tenant: from unused prepaid credit (the database refuses to take it below zero) or, for
 * payments, at most what the tenant paid and was not yet refunded.
 */
export async function refund(ctx: LedgerContext, m: MoneyMovement & { from: 'payment' | 'prepaid' }): Promise<AppendResult> {
  const currency = await tenantCurrency(ctx, m.tenantId);
  checkAmount(m.amount, currency);
  checkKey(m.idempotencyKey);
  const postings: PostingInput[] = [
    { account: m.from === 'prepaid' ? accounts.prepaid(m.tenantId) : accounts.refunds(), currency, amount: canonical(m.amount) },
    { account: accounts.cash(), currency, amount: canonical(money(m.amount).neg()) },
  ];
  const idempotencyKey = `refund:${m.tenantId}:${m.idempotencyKey}`;
  if (m.from === 'payment') {
    const moved = await readTenantTransactions(ctx.db, m.tenantId, ['payment', 'refund']);
    if (!moved.some((t) => t.idempotencyKey === idempotencyKey)) {
      const refundable = moved
        .filter((t) => t.kind === 'payment' || t.postings[0]?.account === accounts.refunds().id)
        .reduce((sum, t) => sum.add(t.postings.find((p) => p.account === accounts.cash().id)?.amount ?? 0), ZERO);
      if (refundable.lt(m.amount)) {
        throw new LedgerError('failed_precondition', `refund of ${m.amount} ${currency} exceeds the ${refundable.toFixed()} ${currency} paid and not yet refunded`, 'amount');
      }
    }
  }
  return post(ctx, { idempotencyKey, kind: 'refund', tenantId: m.tenantId, description: m.description || `refund (${m.from})`, postings });
}

export interface Balance {
  tenantId: string;
  currency: string;
  at?: Date;
  /** Charged, not yet invoiced (exact). */
  unbilled: string;
  /** Invoiced and not yet paid. */
  receivable: string;
  /** Unused prepaid credit (≥ 0). */
  prepaid: string;
}

/** The tenant's balances from its ledger accounts, now or as of `at` (transactions effective at or before it). */
export async function getBalance(ctx: LedgerContext, tenantId: string, at?: Date): Promise<Balance> {
  const currency = await tenantCurrency(ctx, tenantId);
  const ids = [accounts.unbilled(tenantId).id, accounts.receivable(tenantId).id, accounts.prepaid(tenantId).id];
  const rows = (await accountBalances(ctx.db, ids, at)).filter((r) => r.currency === currency);
  const of = (id: string) => money(rows.find((r) => r.account === id)?.balance ?? '0');
  return {
    tenantId,
    currency,
    at,
    unbilled: canonical(of(ids[0])),
    receivable: canonical(of(ids[1])),
    prepaid: canonical(of(ids[2]).neg()),
  };
}
