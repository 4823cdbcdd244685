import type { UsageReader } from '../../../common/clickhouse/usage-reader.js';
import type { ApiKey } from '../../../proto/gen/tollgate/v1/ApiKey.js';
import type { Balance } from '../../../proto/gen/tollgate/v1/Balance.js';
import type { Invoice } from '../../../proto/gen/tollgate/v1/Invoice.js';
import type { LedgerTransaction } from '../../../proto/gen/tollgate/v1/LedgerTransaction.js';
import type { TenantState as TenantStateMessage } from '../../../proto/gen/tollgate/v1/TenantState.js';
import type { LedgerServiceDefinition } from '../../../proto/gen/tollgate/v1/LedgerService.js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type { StoredApiKey } from '../adapters/api-key-store.js';
import type { StoredInvoice } from '../adapters/invoice-store.js';
import type { AppendResult } from '../adapters/ledger-store.js';
import { createApiKey, revokeApiKey, tenantApiKeys } from '../app/api-keys.js';
import type { LedgerContext } from '../app/context.js';
import { invalid } from '../app/errors.js';
import { finalizeInvoice, getInvoiceById, previewInvoice, tenantInvoices, voidInvoice, type InvoicePreview } from '../app/invoices.js';
import { addCredit, getBalance, recordPayment, refund } from '../app/payments.js';
import { rateUsage } from '../app/rating.js';
import { createTenant, getTenantState, updateSubscription, type TenantState } from '../app/tenants.js';
import { verifyLedger } from '../app/verify.js';

export interface LedgerApiDeps {
  ctx: LedgerContext;
  /** The usage store rating reads; opened on first use. */
  usage: () => Promise<UsageReader>;
}

/** Request and response of each RPC, as the generated types name them (camelCase, defaults filled in). */
export type RpcName = keyof { [K in keyof LedgerServiceDefinition as string extends K ? never : K]: true };
type Req<K extends RpcName> = LedgerServiceDefinition[K] extends MethodDefinition<infer _In, infer _Out, infer R, infer _Res> ? R : never;
type Res<K extends RpcName> = LedgerServiceDefinition[K] extends MethodDefinition<infer _In, infer S, infer _Req, infer _Res> ? S : never;
export type Operations = { [K in RpcName]: (deps: LedgerApiDeps, request: Req<K>) => Promise<Res<K>> };

/** An optional RFC 3339 time field: empty means "not given". */
function time(field: string, value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) throw invalid(field, 'must be an RFC 3339 time such as "2026-03-01T00:00:00Z"');
  return new Date(ms);
}

const iso = (d: Date | null | undefined) => d?.toISOString() ?? '';

function tenantState(s: TenantState): TenantStateMessage {
  const sub = s.subscription;
  return {
    tenantId: s.tenant.id,
    name: s.tenant.name,
    createdAt: iso(s.tenant.createdAt),
    subscription: {
      planId: sub.planId,
      status: sub.status,
      billingAnchor: iso(sub.billingAnchor),
      startedAt: iso(sub.startedAt),
      trialEndsAt: iso(sub.trialEndsAt),
      canceledAt: iso(sub.canceledAt),
      currentPeriodStart: iso(s.currentPeriod.start),
      currentPeriodEnd: iso(s.currentPeriod.end),
    },
  };
}

function storedInvoice(i: StoredInvoice): Invoice {
  return {
    invoiceId: i.id,
    tenantId: i.tenantId,
    number: i.number,
    status: i.status,
    periodStart: iso(i.periodStart),
    periodEnd: iso(i.periodEnd),
    currency: i.currency,
    lines: i.lines,
    total: i.total,
    creditApplied: i.creditApplied,
    amountDue: i.amountDue,
    finalizedAt: iso(i.finalizedAt),
    creditNoteNumber: i.creditNote?.number ?? 0,
    voidReason: i.creditNote?.reason ?? '',
  };
}

function preview(p: InvoicePreview): Invoice {
  if (p.invoice) return storedInvoice(p.invoice);
  return {
    tenantId: p.tenantId,
    status: 'preview',
    periodStart: iso(p.period.start),
    periodEnd: iso(p.period.end),
    currency: p.currency,
    lines: p.lines,
    total: p.total,
    creditApplied: p.creditApplied,
    amountDue: p.amountDue,
  };
}

function transaction({ transaction: t, replayed }: AppendResult): LedgerTransaction {
  return {
    transactionId: t.id,
    seq: String(t.seq),
    idempotencyKey: t.idempotencyKey,
    kind: t.kind,
    tenantId: t.tenantId ?? '',
    effectiveAt: iso(t.effectiveAt),
    recordedAt: iso(t.recordedAt),
    description: t.description,
    postings: t.postings,
    hash: t.hash,
    replayed,
  };
}

function apiKey(k: StoredApiKey): ApiKey {
  return { keyId: k.id, tenantId: k.tenantId, name: k.name, createdAt: iso(k.createdAt), revokedAt: iso(k.revokedAt) };
}

function oneOf<T extends string>(field: string, value: string, allowed: readonly T[], fallback: T): T {
  if (!value) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw invalid(field, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** Every RPC, shared by the gRPC service and the HTTP admin API: validate, call the application, translate. */
export const operations: Operations = {
  CreateTenant: async ({ ctx }, r) =>
    tenantState(
      await createTenant(ctx, {
        tenantId: r.tenantId,
        name: r.name,
        planId: r.planId,
        status: r.status,
        billingAnchor: time('billing_anchor', r.billingAnchor),
        trialEndsAt: time('trial_ends_at', r.trialEndsAt),
      }),
    ),
  GetTenant: async ({ ctx }, r) => tenantState(await getTenantState(ctx, r.tenantId)),
  UpdateSubscription: async ({ ctx }, r) => tenantState(await updateSubscription(ctx, { tenantId: r.tenantId, status: r.status, planId: r.planId, reason: r.reason })),
  RateUsage: async ({ ctx, usage }, r) => {
    const from = time('from', r.from);
    const to = time('to', r.to);
    const run = await rateUsage(ctx, await usage(), { from, to, tenantId: r.tenantId || undefined });
    return { from: iso(run.from), to: iso(run.to), tenants: run.tenants, usageRows: run.usageRows, written: run.written, usageLines: run.usageLines, conflicts: run.conflicts };
  },
  PreviewInvoice: async ({ ctx }, r) => preview(await previewInvoice(ctx, r.tenantId, time('period_start', r.periodStart))),
  FinalizeInvoice: async ({ ctx }, r) => storedInvoice(await finalizeInvoice(ctx, r.tenantId, time('period_start', r.periodStart))),
  VoidInvoice: async ({ ctx }, r) => storedInvoice(await voidInvoice(ctx, r.invoiceId, r.reason)),
  GetInvoice: async ({ ctx }, r) => storedInvoice(await getInvoiceById(ctx, r.invoiceId)),
  ListInvoices: async ({ ctx }, r) => ({ invoices: (await tenantInvoices(ctx, r.tenantId)).map(storedInvoice) }),
  AddCredit: async ({ ctx }, r) =>
    transaction(
      await addCredit(ctx, {
        tenantId: r.tenantId,
        amount: r.amount,
        idempotencyKey: r.idempotencyKey,
        description: r.description,
        source: oneOf('source', r.source, ['purchase', 'grant'], 'purchase'),
      }),
    ),
  RecordPayment: async ({ ctx }, r) =>
    transaction(await recordPayment(ctx, { tenantId: r.tenantId, amount: r.amount, idempotencyKey: r.idempotencyKey, description: r.description })),
  Refund: async ({ ctx }, r) =>
    transaction(
      await refund(ctx, {
        tenantId: r.tenantId,
        amount: r.amount,
        idempotencyKey: r.idempotencyKey,
        description: r.description,
        from: oneOf('from', r.from, ['payment', 'prepaid'], 'payment'),
      }),
    ),
  GetBalance: async ({ ctx }, r): Promise<Balance> => {
    const b = await getBalance(ctx, r.tenantId, time('at', r.at));
    return { tenantId: b.tenantId, currency: b.currency, unbilled: b.unbilled, receivable: b.receivable, prepaid: b.prepaid, at: iso(b.at) };
  },
  VerifyLedger: async ({ ctx }) => {
    const report = await verifyLedger(ctx.db);
    return {
      ok: report.ok,
      transactions: String(report.transactions),
      firstBrokenSeq: String(report.firstBreak?.seq ?? 0),
      firstBrokenTransactionId: report.firstBreak?.id ?? '',
      firstBrokenIdempotencyKey: report.firstBreak?.idempotencyKey ?? '',
      problem: report.firstBreak?.problem ?? '',
    };
  },
  CreateApiKey: async ({ ctx }, r) => {
    const issued = await createApiKey(ctx, { tenantId: r.tenantId, name: r.name, environment: r.environment });
    return { apiKey: apiKey(issued.apiKey), key: issued.key };
  },
  ListApiKeys: async ({ ctx }, r) => ({ apiKeys: (await tenantApiKeys(ctx, r.tenantId)).map(apiKey) }),
  RevokeApiKey: async ({ ctx }, r) => apiKey(await revokeApiKey(ctx, r.tenantId, r.keyId)),
};
