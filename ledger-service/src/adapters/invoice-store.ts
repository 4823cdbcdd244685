import type { InvoiceLine } from '../domain/invoice.js';
import type { Sql } from './database.js';

export interface StoredInvoice {
  id: string;
  tenantId: string;
  number: number;
  periodStart: Date;
  periodEnd: Date;
  currency: string;
  total: string;
  creditApplied: string;
  amountDue: string;
  lines: InvoiceLine[];
  transactionId: string;
  finalizedAt: Date;
  status: 'finalized' | 'void';
  creditNote?: { id: string; number: number; reason: string; transactionId: string; createdAt: Date };
}

interface InvoiceRow {
  id: string;
  tenant_id: string;
  number: number;
  period_start: Date;
  period_end: Date;
  currency: string;
  total: string;
  credit_applied: string;
  amount_due: string;
  lines: InvoiceLine[] | string;
  transaction_id: string;
  finalized_at: Date;
  cn_id: string | null;
  cn_number: number | null;
  cn_reason: string | null;
  cn_transaction_id: string | null;
  cn_created_at: Date | null;
}

const SELECT_INVOICES = `SELECT i.id, i.tenant_id, i.number, i.period_start, i.period_end, i.currency, i.total::text AS total,
  i.credit_applied::text AS credit_applied, i.amount_due::text AS amount_due, i.lines, i.transaction_id, i.finalized_at,
  c.id AS cn_id, c.number AS cn_number, c.reason AS cn_reason, c.transaction_id AS cn_transaction_id, c.created_at AS cn_created_at
  FROM invoices i LEFT JOIN credit_notes c ON c.invoice_id = i.id`;

function fromRow(r: InvoiceRow): StoredInvoice {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    number: r.number,
    periodStart: new Date(r.period_start),
    periodEnd: new Date(r.period_end),
    currency: r.currency,
    total: r.total,
    creditApplied: r.credit_applied,
    amountDue: r.amount_due,
    lines: typeof r.lines === 'string' ? JSON.parse(r.lines) : r.lines,
    transactionId: r.transaction_id,
    finalizedAt: new Date(r.finalized_at),
    status: r.cn_id ? 'void' : 'finalized',
    creditNote: r.cn_id
      ? { id: r.cn_id, number: r.cn_number!, reason: r.cn_reason!, transactionId: r.cn_transaction_id!, createdAt: new Date(r.cn_created_at!) }
      : undefined,
  };
}

export async function getInvoice(sql: Sql, invoiceId: string): Promise<StoredInvoice | undefined> {
  const [row] = await sql.query<InvoiceRow>(`${SELECT_INVOICES} WHERE i.id = $1`, [invoiceId]);
  return row && fromRow(row);
}

export async function getInvoiceForPeriod(sql: Sql, tenantId: string, periodStart: Date): Promise<StoredInvoice | undefined> {
  const [row] = await sql.query<InvoiceRow>(`${SELECT_INVOICES} WHERE i.tenant_id = $1 AND i.period_start = $2`, [tenantId, periodStart.toISOString()]);
  return row && fromRow(row);
}

export async function listInvoices(sql: Sql, tenantId: string): Promise<StoredInvoice[]> {
  return (await sql.query<InvoiceRow>(`${SELECT_INVOICES} WHERE i.tenant_id = $1 ORDER BY i.number`, [tenantId])).map(fromRow);
}

/** The next number of the tenant's invoice (or credit note) sequence; call with the tenant's subscription row locked. */
export async function nextNumber(sql: Sql, table: 'invoices' | 'credit_notes', tenantId: string): Promise<number> {
  const [row] = await sql.query<{ n: number }>(`SELECT coalesce(max(number), 0) + 1 AS n FROM ${table} WHERE tenant_id = $1`, [tenantId]);
  return Number(row.n);
}

export async function insertInvoice(sql: Sql, invoice: Omit<StoredInvoice, 'status' | 'creditNote'>): Promise<void> {
  await sql.query(
    `INSERT INTO invoices (id, tenant_id, number, period_start, period_end, currency, total, credit_applied, amount_due, lines, transaction_id, finalized_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      invoice.id,
      invoice.tenantId,
      invoice.number,
      invoice.periodStart.toISOString(),
      invoice.periodEnd.toISOString(),
      invoice.currency,
      invoice.total,
      invoice.creditApplied,
      invoice.amountDue,
      JSON.stringify(invoice.lines),
      invoice.transactionId,
      invoice.finalizedAt.toISOString(),
    ],
  );
}

export async function insertCreditNote(
  sql: Sql,
  note: { id: string; invoiceId: string; tenantId: string; number: number; reason: string; transactionId: string; createdAt: Date },
): Promise<void> {
  await sql.query(
    'INSERT INTO credit_notes (id, invoice_id, tenant_id, number, reason, transaction_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [note.id, note.invoiceId, note.tenantId, note.number, note.reason, note.transactionId, note.createdAt.toISOString()],
  );
}
