import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { finalizeInvoice, invoiceTransactions, previewInvoice, tenantInvoices, voidInvoice } from '../../ledger-service/src/app/invoices.js';
import { addCredit, getBalance, recordPayment } from '../../ledger-service/src/app/payments.js';
import { rateUsage } from '../../ledger-service/src/app/rating.js';
import { createTenant } from '../../ledger-service/src/app/tenants.js';
import { verifyLedger } from '../../ledger-service/src/app/verify.js';
import { sharedDatabaseUrl } from '../harness/postgres.js';
import { arrayUsageReader, openTestLedger, usageRow, type TestLedger } from './helpers.js';

let l: TestLedger;
const MARCH = new Date('2026-03-01T00:00:00Z');
const APRIL = new Date('2026-04-01T00:00:00Z');
const rows = [
  usageRow('acme', 'seats', '2026-03-02T10:00:00Z', '1'),
  usageRow('acme', 'seats', '2026-03-03T10:00:00Z', '1'),
  usageRow('acme', 'seats', '2026-03-04T10:00:00Z', '1'),
  usageRow('acme', 'api_calls', '2026-03-05T10:00:00Z', '1500'),
  usageRow('acme', 'egress_gb', '2026-03-18T10:00:00Z', '150.5'),
];
const reader = arrayUsageReader(rows);

beforeAll(async () => {
  l = await openTestLedger(sharedDatabaseUrl(inject('databaseUrl')));
  l.clock.now = new Date('2026-03-01T00:00:00Z');
  await createTenant(l.ctx, { tenantId: 'acme', planId: 'pro', billingAnchor: MARCH });
  l.clock.now = new Date('2026-03-20T12:00:00Z');
  await rateUsage(l.ctx, reader);
});
afterAll(async () => l?.close());

const expectedLines = [
  ['fee:Pro plan', '1', '10.00'],
  ['usage:api_calls', '1500', '1.00'], // 500 calls above the free 1000 at 0.002
  ['usage:egress_gb', '150.5', '4.55'], // 50.5 GB over the included 100 at 0.09 = 4.545, rounded once
  ['usage:seats', '3', '1.00'], // 3 × 0.3333 = 0.9999, rounded once
  ['minimum_commitment', '1', '33.45'], // 50.00 minimum − 16.55
];

describe('invoices', () => {
  it('previews the period at any time from the ledger, without storing anything', async () => {
    const preview = await previewInvoice(l.ctx, 'acme');
    expect(preview.period.start).toEqual(MARCH);
    expect(preview.lines.map((x) => [x.key, x.quantity, x.amount])).toEqual(expectedLines);
    expect([preview.total, preview.creditApplied, preview.amountDue]).toEqual(['50.00', '0.00', '50.00']);
    expect(await tenantInvoices(l.ctx, 'acme')).toEqual([]);
  });

  it('consumes prepaid credit before charging', async () => {
    await addCredit(l.ctx, { tenantId: 'acme', amount: '20.00', idempotencyKey: 'topup', source: 'purchase' });
    const preview = await previewInvoice(l.ctx, 'acme');
    expect([preview.total, preview.creditApplied, preview.amountDue]).toEqual(['50.00', '20.00', '30.00']);
  });

  it('finalizes into an immutable invoice with the tenant’s next number; finalizing again returns it', async () => {
    l.clock.now = new Date('2026-04-02T00:00:00Z');
    const invoice = await finalizeInvoice(l.ctx, 'acme', MARCH);
    expect(invoice).toMatchObject({ number: 1, status: 'finalized', total: '50.00', creditApplied: '20.00', amountDue: '30.00', currency: 'USD' });
    expect(invoice.lines.map((x) => [x.key, x.quantity, x.amount])).toEqual(expectedLines);
    // The period's usage (5 rated hours, one usage transaction) and its fee.
    const billed = await invoiceTransactions(l.ctx, invoice.id);
    expect(billed.map((t) => t.kind).sort()).toEqual(['recurring_fee', 'usage_charge']);
    expect(billed.flatMap((t) => t.postings.filter((p) => p.usage)).length).toBe(5);
    expect(await finalizeInvoice(l.ctx, 'acme', MARCH)).toEqual(invoice);
    expect(await getBalance(l.ctx, 'acme')).toMatchObject({ unbilled: '0', receivable: '30', prepaid: '0' });
    await expect(l.owner.query(`UPDATE invoices SET total = 0`)).rejects.toThrow('table invoices is append-only: UPDATE refused');
    await expect(l.ctx.db.query(`UPDATE invoices SET total = 0`)).rejects.toThrow('permission denied for table invoices');
  });

  it('bills late usage of a finalized period as an adjustment on the next invoice', async () => {
    rows.push(usageRow('acme', 'api_calls', '2026-03-06T10:00:00Z', '500'));
    await rateUsage(l.ctx, reader, { now: new Date('2026-04-02T00:00:00Z') });
    const april = await previewInvoice(l.ctx, 'acme');
    expect(april.period.start).toEqual(APRIL);
    expect(april.lines.map((x) => [x.key, x.quantity, x.amount])).toEqual([
      ['fee:Pro plan', '1', '10.00'],
      ['usage:api_calls', '500', '1.00'],
      ['minimum_commitment', '1', '39.00'],
    ]);
  });

  it('answers balances at a point in time', async () => {
    expect(await getBalance(l.ctx, 'acme', new Date('2026-03-04T00:00:00Z'))).toMatchObject({ unbilled: '10.6666', receivable: '0' });
    // By effective time: the late March usage (+1.00, recorded in April) counts in March.
    expect(await getBalance(l.ctx, 'acme', new Date('2026-03-31T23:59:59Z'))).toMatchObject({ unbilled: '17.5449', receivable: '0', prepaid: '20' });
  });

  it('voids a finalized invoice by a credit note that reverses the receivable and returns consumed credit', async () => {
    const [invoice] = await tenantInvoices(l.ctx, 'acme');
    const voided = await voidInvoice(l.ctx, invoice.id, 'billing dispute');
    expect(voided.status).toBe('void');
    expect(voided.creditNote).toMatchObject({ number: 1, reason: 'billing dispute' });
    expect(await getBalance(l.ctx, 'acme')).toMatchObject({ receivable: '0', prepaid: '20' });
    await expect(voidInvoice(l.ctx, invoice.id, 'again')).rejects.toThrow('invoice 1 of "acme" is already void');
  });

  it('numbers the next invoice 2 and records payments against it', async () => {
    l.clock.now = new Date('2026-05-01T00:20:00Z');
    const april = await finalizeInvoice(l.ctx, 'acme', APRIL);
    expect(april).toMatchObject({ number: 2, total: '50.00', creditApplied: '20.00', amountDue: '30.00' });
    await recordPayment(l.ctx, { tenantId: 'acme', amount: '30.00', idempotencyKey: 'stripe-pi-1' });
    expect(await getBalance(l.ctx, 'acme')).toMatchObject({ receivable: '0', prepaid: '0' });
    expect((await verifyLedger(l.ctx.db)).ok).toBe(true);
  });
});

describe('automatic finalization', () => {
  it('finalizes each subscription’s ended period once its last hour is past the grace period, once', async () => {
    const { finalizeDueInvoices } = await import('../../ledger-service/src/app/invoices.js');
    const { listSubscriptions } = await import('../../ledger-service/src/adapters/tenant-store.js');
    const { createTenant: create } = await import('../../ledger-service/src/app/tenants.js');
    l.clock.now = new Date('2026-05-01T00:20:00Z');
    await create(l.ctx, { tenantId: 'globex', planId: 'basic', billingAnchor: new Date('2026-04-01T00:00:00Z') });
    l.clock.now = new Date('2026-05-01T00:10:00Z'); // April's last hour is still within the 15-minute grace period
    expect(await finalizeDueInvoices(l.ctx, await listSubscriptions(l.ctx.db))).toEqual([]);
    l.clock.now = new Date('2026-05-01T00:16:00Z');
    const done = await finalizeDueInvoices(l.ctx, await listSubscriptions(l.ctx.db));
    expect(done.map((i) => [i.tenantId, i.periodStart.toISOString(), i.number])).toEqual([['globex', '2026-04-01T00:00:00.000Z', 1]]);
    expect(await finalizeDueInvoices(l.ctx, await listSubscriptions(l.ctx.db))).toEqual([]);
  });
});
