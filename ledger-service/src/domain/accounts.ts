/**
 * The chart of accounts. Postings are signed: a debit is positive, a credit negative, so the postings of a
 * transaction sum to zero per currency, and an asset's balance is positive while a liability's or revenue's is negative.
 */
export type AccountKind = 'asset' | 'liability' | 'revenue' | 'contra_revenue' | 'expense';

export interface AccountSpec {
  id: string;
  kind: AccountKind;
  tenantId?: string;
  /** The database refuses any commit that leaves this liability with a positive (owed-by-customer) balance. */
  floorZero: boolean;
}

const account = (id: string, kind: AccountKind, tenantId?: string, floorZero = false): AccountSpec => ({ id, kind, tenantId, floorZero });

export const accounts = {
  /** Usage and fees charged but not yet on a finalized invoice. */
  unbilled: (tenantId: string) => account(`customer:${tenantId}:unbilled`, 'asset', tenantId),
  /** Finalized invoices not yet paid. */
  receivable: (tenantId: string) => account(`customer:${tenantId}:receivable`, 'asset', tenantId),
  /** Prepaid credit the tenant holds: never below zero (the database enforces it at commit). */
  prepaid: (tenantId: string) => account(`customer:${tenantId}:prepaid`, 'liability', tenantId, true),
  usageRevenue: (featureId: string) => account(`revenue:usage:${featureId}`, 'revenue'),
  recurringRevenue: () => account('revenue:recurring', 'revenue'),
  minimumCommitmentRevenue: () => account('revenue:minimum_commitment', 'revenue'),
  creditNotes: () => account('contra:credit_notes', 'contra_revenue'),
  refunds: () => account('contra:refunds', 'contra_revenue'),
  promotionalCredit: () => account('expense:promotional_credit', 'expense'),
  /** Differences between exact ledger amounts and invoice lines rounded to the minor unit. */
  rounding: () => account('expense:rounding', 'expense'),
  cash: () => account('asset:cash', 'asset'),
};
