import { accounts } from '../domain/accounts.js';
import type { Sql } from './database.js';

/** Read models over the ledger: balances, what rating already holds, what an invoice would bill. */

export interface AccountBalance {
  account: string;
  currency: string;
  balance: string;
}

/**
 * Balances of the given accounts from every posting effective at or before `at` (all of them without `at`). A posting
 * is effective with its transaction, a usage line when its hour ends.
 */
export async function accountBalances(sql: Sql, accountIds: string[], at?: Date): Promise<AccountBalance[]> {
  // Usage lines and other postings are indexed apart (migration 0004): each half of the union uses its own index.
  const rows = await sql.query<{ account: string; currency: string; balance: string }>(
    `SELECT account, currency, sum(amount)::text AS balance FROM (
       SELECT p.account, p.currency, p.amount FROM postings p
       ${at ? 'JOIN transactions t ON t.id = p.transaction_id AND t.effective_at <= $2' : ''}
       WHERE p.account = ANY($1::text[]) AND p.revision IS NULL
       UNION ALL
       SELECT p.account, p.currency, p.amount FROM postings p
       WHERE p.account = ANY($1::text[]) AND p.revision IS NOT NULL ${at ? `AND p.window_start + interval '1 hour' <= $2` : ''}
     ) postings
     GROUP BY account, currency ORDER BY account, currency`,
    at ? [accountIds, at.toISOString()] : [accountIds],
  );
  return rows;
}

export interface RatedWindowRow {
  featureId: string;
  windowStart: Date;
  quantity: string;
  amount: string;
  lastRevision: number;
}

/**
 * Rated windows of many tenants at once (rating runs read them per batch of tenants): usage lines, and the usage
 * transactions written before them (migration 0004).
 */
export async function ratedWindowsForTenants(sql: Sql, tenantIds: string[], from: Date, to: Date): Promise<Map<string, RatedWindowRow[]>> {
  const rows = await sql.query<{ tenant_id: string; feature_id: string; window_start: Date; quantity: string; amount: string; last_revision: number }>(
    `SELECT tenant_id, feature_id, window_start, sum(quantity)::text AS quantity, sum(amount)::text AS amount, max(revision) AS last_revision
     FROM (
       SELECT u.tenant_id, p.feature_id, p.window_start, p.quantity, p.amount, p.revision
       FROM unnest($1::text[], $4::text[]) AS u (tenant_id, account)
       JOIN postings p ON p.account = u.account AND p.revision IS NOT NULL AND p.window_start >= $2 AND p.window_start < $3
       UNION ALL
       SELECT t.tenant_id, t.feature_id, t.window_start, t.quantity, p.amount, t.revision
       FROM transactions t JOIN postings p ON p.transaction_id = t.id AND p.line = 0
       WHERE t.tenant_id = ANY($1::text[]) AND t.revision IS NOT NULL AND t.window_start >= $2 AND t.window_start < $3
     ) rated
     GROUP BY tenant_id, feature_id, window_start`,
    [tenantIds, from.toISOString(), to.toISOString(), tenantIds.map((t) => accounts.unbilled(t).id)],
  );
  const out = new Map<string, RatedWindowRow[]>();
  for (const r of rows) {
    const list = out.get(r.tenant_id) ?? [];
    list.push({ featureId: r.feature_id, windowStart: new Date(r.window_start), quantity: r.quantity, amount: r.amount, lastRevision: Number(r.last_revision) });
    out.set(r.tenant_id, list);
  }
  return out;
}

const UNBILLED = `t.tenant_id = $1
  AND ((t.kind IN ('usage_charge', 'usage_adjustment') AND t.effective_at <= $2) OR (t.kind = 'recurring_fee' AND t.effective_at < $2))
  AND NOT EXISTS (SELECT 1 FROM invoice_items i WHERE i.transaction_id = t.id)`;

export interface UnbilledGroup {
  kind: 'usage' | 'fee';
  featureId: string | null;
  description: string;
  /** Units for usage, number of fees for fees. */
  quantity: string;
  /** Exact sum of the tenant's unbilled postings. */
  amount: string;
}

/**
 * What a tenant's invoice for a period ending at `before` bills, summed per feature and per fee in the database:
 * usage of hours ending by then (including late adjustments of earlier periods) and fees of periods starting before
 * then, unless an invoice already billed them. One row per line, however many hours and events are behind it.
 */
export async function unbilledGroups(sql: Sql, tenantId: string, before: Date): Promise<UnbilledGroup[]> {
  // Per transaction kind, the postings that say what was billed: usage lines; the unbilled posting (line 0) of a fee
  // and of a usage transaction written before usage lines, whose feature and quantity are on the transaction.
  const rows = await sql.query<{ usage: boolean; feature_id: string | null; description: string; quantity: string; amount: string }>(
    `SELECT t.kind <> 'recurring_fee' AS usage, coalesce(p.feature_id, t.feature_id) AS feature_id,
       CASE WHEN t.kind = 'recurring_fee' THEN t.description ELSE '' END AS description,
       CASE WHEN t.kind = 'recurring_fee' THEN count(*)::text ELSE sum(coalesce(p.quantity, t.quantity))::text END AS quantity, sum(p.amount)::text AS amount
     FROM transactions t JOIN postings p ON p.transaction_id = t.id AND (p.revision IS NOT NULL OR (p.line = 0 AND (t.kind = 'recurring_fee' OR t.revision IS NOT NULL)))
     WHERE ${UNBILLED}
     GROUP BY 1, 2, 3, t.kind = 'recurring_fee'`,
    [tenantId, before.toISOString()],
  );
  return rows.map((r) => ({ kind: r.usage ? 'usage' : 'fee', featureId: r.feature_id, description: r.description, quantity: r.quantity, amount: r.amount }));
}

/** Records that `invoiceId` billed everything unbilled up to `before`; call under the chain lock (see lockChain). */
export async function markBilled(sql: Sql, invoiceId: string, tenantId: string, before: Date): Promise<number> {
  const rows = await sql.query(
    `INSERT INTO invoice_items (invoice_id, transaction_id) SELECT $3::uuid, t.id FROM transactions t WHERE ${UNBILLED} RETURNING transaction_id`,
    [tenantId, before.toISOString(), invoiceId],
  );
  return rows.length;
}

