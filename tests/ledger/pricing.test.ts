import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../common/config/load.js';
import type { UsagePriceConfig } from '../../common/config/ledger-schema.js';
import { planVersionAt, usagePriceFor } from '../../ledger-service/src/domain/catalog.js';
import { draftInvoice, invoicePostings } from '../../ledger-service/src/domain/invoice.js';
import { canonical, money, roundToMinorUnit, ZERO } from '../../ledger-service/src/domain/money.js';
import { periodContaining, periodStart } from '../../ledger-service/src/domain/periods.js';
import { cumulativePrice, windowCharge } from '../../ledger-service/src/domain/pricing.js';
import { MAX_LINES_PER_TRANSACTION, rateFeaturePeriod, recurringFeeTransactions, usageTransactions, type RatedWindow, type UsageLine } from '../../ledger-service/src/domain/rating.js';
import { unbalancedCurrencies } from '../../ledger-service/src/domain/transaction.js';
import { testConfig } from './helpers.js';

const plan = testConfig().plans[0];
const price = (feature: string) => usagePriceFor(planVersionAt(plan, new Date()), feature)!;
const F = (feature: string, q: string) => cumulativePrice(price(feature), money(q)).toFixed();
const charge = (feature: string, before: string, q: string) => windowCharge(price(feature), money(before), money(q)).toFixed();

describe('pricing, hand-computed', () => {
  it('graduated: each tier prices only the units inside it, cumulatively', () => {
    expect(F('api_calls', '500')).toBe('0');
    expect(F('api_calls', '1500')).toBe('1'); // 500 × 0.002
    expect(F('api_calls', '12000')).toBe('20'); // 9000 × 0.002 + 2000 × 0.001
    expect(charge('api_calls', '900', '200')).toBe('0.2'); // only the 100 units above 1000 cost
  });

  it('volume: every unit at the price of the tier the total reached, plus that tier’s flat fee', () => {
    expect(F('tokens', '100')).toBe('3'); // 100 × 0.03
    expect(F('tokens', '150')).toBe('4'); // 150 × 0.02 + 1
    expect(charge('tokens', '90', '60')).toBe('1.3'); // 4 − 2.7
    expect(charge('tokens', '100', '1')).toBe('0.02'); // 101 × 0.02 + 1 − 3
  });

  it('package: every started block of 10 costs 5.00', () => {
    expect(F('storage_gb', '0')).toBe('0');
    expect(F('storage_gb', '1')).toBe('5');
    expect(F('storage_gb', '10')).toBe('5');
    expect(F('storage_gb', '10.5')).toBe('10');
    expect(F('storage_gb', '25')).toBe('15');
  });

  it('per unit, exact to any precision', () => {
    expect(F('seats', '3')).toBe('0.9999');
    expect(F('seats', '0.001')).toBe('0.0003333');
  });

  it('included units then overage', () => {
    expect(F('egress_gb', '100')).toBe('0');
    expect(F('egress_gb', '150.5')).toBe('4.545'); // 50.5 × 0.09
  });

  it('rounds once, half away from zero, to the currency’s minor unit', () => {
    expect(roundToMinorUnit(money('4.545'), 'USD').toFixed()).toBe('4.55');
    expect(roundToMinorUnit(money('0.005'), 'USD').toFixed()).toBe('0.01');
    expect(roundToMinorUnit(money('-0.005'), 'USD').toFixed()).toBe('-0.01');
    expect(roundToMinorUnit(money('0.0049'), 'USD').toFixed()).toBe('0');
    expect(roundToMinorUnit(money('12.5'), 'JPY').toFixed()).toBe('13');
    expect(roundToMinorUnit(money('1.2345'), 'KWD').toFixed()).toBe('1.235');
  });

  it('an invoice line is rounded once, not per window: three 0.3333 charges make 1.00, not 0.99', () => {
    const items = [1, 2, 3].map(() => ({
      kind: 'usage' as const,
      featureId: 'seats',
      description: '',
      quantity: money(1),
      amount: money('0.3333'),
    }));
    const draft = draftInvoice({ currency: 'USD', items, prepaidAvailable: ZERO });
    expect(draft.lines).toEqual([{ key: 'usage:seats', description: 'seats usage', quantity: '3', exactAmount: '0.9999', amount: '1.00' }]);
    expect(draft.total).toBe('1.00');
    const postings = invoicePostings('t', draft);
    expect(unbalancedCurrencies(postings.map((p) => ({ currency: p.currency, amount: p.amount })))).toEqual([]);
    expect(postings.find((p) => p.account.id === 'expense:rounding')?.amount).toBe('-0.0001');
  });

  it('minimum commitment adds the shortfall; prepaid credit is consumed before anything is due', () => {
    const items = [{ kind: 'usage' as const, featureId: 'seats', description: '', quantity: money(10), amount: money('3.333') }];
    const draft = draftInvoice({ currency: 'USD', items, minimumCommitment: '50.00', prepaidAvailable: money('20') });
    expect(draft.lines.map((l) => [l.key, l.amount])).toEqual([
      ['usage:seats', '3.33'],
      ['minimum_commitment', '46.67'],
    ]);
    expect([draft.total, draft.creditApplied, draft.amountDue]).toEqual(['50.00', '20.00', '30.00']);
    const rich = draftInvoice({ currency: 'USD', items, prepaidAvailable: money('100') });
    expect([rich.total, rich.creditApplied, rich.amountDue]).toEqual(['3.33', '3.33', '0.00']);
  });
});

describe('rating a feature over a billing period', () => {
  const period = periodContaining(new Date('2026-03-01T00:00:00Z'), new Date('2026-03-10T00:00:00Z'));
  const hour = (h: number) => new Date(Date.UTC(2026, 2, 2, h));
  const rate = (usage: Array<[number, string]>, rated = new Map<number, RatedWindow>()) =>
    rateFeaturePeriod({
      tenantId: 'acme',
      featureId: 'api_calls',
      currency: 'USD',
      period,
      usage: usage.map(([h, q]) => ({ windowStart: hour(h), quantity: money(q) })),
      rated,
      priceAt: () => price('api_calls') as UsagePriceConfig,
    });
  const asRated = (lines: UsageLine[], into = new Map<number, RatedWindow>()) => {
    for (const l of lines) {
      const k = l.windowStart.getTime();
      const prev = into.get(k) ?? { quantity: ZERO, amount: ZERO, lastRevision: -1 };
      into.set(k, { quantity: prev.quantity.add(l.quantity), amount: prev.amount.add(l.amount), lastRevision: l.revision });
    }
    return into;
  };
  const shown = (l: UsageLine) => [l.windowStart.getUTCHours(), l.revision, canonical(l.quantity), canonical(l.amount)];

  it('fills graduated tiers in time order across hours', () => {
    const lines = rate([
      [0, '800'],
      [1, '400'],
      [2, '9000'],
    ]);
    expect(lines.map(shown)).toEqual([
      [0, 0, '800', '0'],
      [1, 0, '400', '0.4'],
      [2, 0, '9000', '17.8'],
    ]);
  });

  it('re-rating unchanged usage writes nothing; a late event becomes adjustment revisions that re-tier later hours', () => {
    const rated = asRated(rate([[0, '800'], [1, '400'], [2, '9000']]));
    expect(rate([[0, '800'], [1, '400'], [2, '9000']], rated)).toEqual([]);
    const late = rate([[0, '900'], [1, '400'], [2, '9000']], rated);
    expect(late.map(shown)).toEqual([
      [0, 1, '100', '0'],
      [1, 1, '0', '0.2'],
      [2, 1, '0', '-0.1'],
    ]);
    const total = [...asRated(late, rated).values()].reduce((s, r) => s.add(r.amount), ZERO);
    expect(total.toFixed()).toBe(cumulativePrice(price('api_calls'), money(10300)).toFixed()); // 18.3
  });

  it('a voided hour is reversed by an adjustment', () => {
    const rated = asRated(rate([[0, '2000']]));
    expect(rate([], rated).map(shown)).toEqual([[0, 1, '-2000', '-2']]);
  });

  it('writes a period’s lines as one charge and one adjustment transaction, each balanced, keyed by its first line', () => {
    const line = (featureId: string, h: number, revision: number, quantity: string, amount: string): UsageLine => ({
      featureId, windowStart: hour(h), revision, quantity: money(quantity), amount: money(amount),
    });
    const txs = usageTransactions('acme', 'USD', [
      line('api_calls', 3, 0, '10', '0.02'),
      line('api_calls', 5, 1, '-2', '-0.004'),
      line('seats', 4, 0, '3', '0.9999'),
    ]);
    expect(txs.map((t) => [t.kind, t.idempotencyKey, t.effectiveAt.toISOString()])).toEqual([
      ['usage_charge', 'usage:acme:api_calls:2026-03-02T03:00:00.000Z:r0+2', '2026-03-02T05:00:00.000Z'],
      ['usage_adjustment', 'usage:acme:api_calls:2026-03-02T05:00:00.000Z:r1+1', '2026-03-02T06:00:00.000Z'],
    ]);
    expect(txs[0].postings.map((p) => [p.account.id, p.amount, p.usage && [p.usage.featureId, p.usage.windowStart.getUTCHours(), p.usage.revision, p.usage.quantity]])).toEqual([
      ['customer:acme:unbilled', '0.02', ['api_calls', 3, 0, '10']],
      ['customer:acme:unbilled', '0.9999', ['seats', 4, 0, '3']],
      ['revenue:usage:api_calls', '-0.02', undefined],
      ['revenue:usage:seats', '-0.9999', undefined],
    ]);
    expect(txs[1].postings.map((p) => [p.account.id, p.amount])).toEqual([
      ['customer:acme:unbilled', '-0.004'],
      ['revenue:usage:api_calls', '0.004'],
    ]);
    for (const t of txs) expect(unbalancedCurrencies(t.postings)).toEqual([]);
    const many = Array.from({ length: MAX_LINES_PER_TRANSACTION + 1 }, (_, i) => line('api_calls', i, 0, '1', '0.001'));
    expect(usageTransactions('acme', 'USD', many).map((t) => t.postings.length)).toEqual([MAX_LINES_PER_TRANSACTION + 1, 2]);
  });
});

describe('periods and recurring fees', () => {
  it('monthly periods keep the anchor day, clamped to short months', () => {
    const anchor = new Date('2026-01-31T00:00:00Z');
    expect(periodStart(anchor, 1).toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(periodStart(anchor, 2).toISOString()).toBe('2026-03-31T00:00:00.000Z');
    const p = periodContaining(anchor, new Date('2026-03-15T00:00:00Z'));
    expect([p.index, p.start.toISOString(), p.end.toISOString()]).toEqual([1, '2026-02-28T00:00:00.000Z', '2026-03-31T00:00:00.000Z']);
  });

  it('annual fees are charged in advance every twelfth period; none during a trial', () => {
    const anchor = new Date('2026-01-01T00:00:00Z');
    const fees = [{ interval: 'year' as const, amount: '120' }, { interval: 'month' as const, amount: '10' }];
    const at = (i: number) => recurringFeeTransactions({ tenantId: 't', currency: 'USD', period: periodContaining(anchor, periodStart(anchor, i)), fees });
    expect(at(0).map((t) => t.postings[0].amount)).toEqual(['120', '10']);
    expect(at(1).map((t) => t.postings[0].amount)).toEqual(['10']);
    expect(at(12).map((t) => t.postings[0].amount)).toEqual(['120', '10']);
    const trial = recurringFeeTransactions({ tenantId: 't', currency: 'USD', period: periodContaining(anchor, anchor), fees, trialEndsAt: new Date('2026-01-15T00:00:00Z') });
    expect(trial).toEqual([]);
  });
});

describe('configuration that cannot be rated is refused at load', () => {
  const refuse = (yaml: string) => {
    try {
      parseConfig(yaml, 'bad.yaml');
    } catch (err) {
      return (err as ConfigError).problems;
    }
    throw new Error('accepted');
  };

  it('names the key path of unordered tiers, negative prices, floats, unbounded middle tiers', () => {
    const problems = refuse(`
plans:
  - id: p
    features: [{ id: f }, { id: g }]
    prices:
      - { type: graduated, feature: f, tiers: [{ up_to: 100, unit_price: "1" }, { up_to: 50, unit_price: "-1" }, { unit_price: "0.5" }] }
      - { type: per_unit, feature: g, unit_price: 0.3 }
`);
    expect(problems).toEqual([
      'plans[0].prices[0].tiers[1].unit_price: must not be negative',
      "plans[0].prices[0].tiers[1].up_to: tiers overlap or are out of order: up_to 50 must be greater than the previous tier's 100",
      'plans[0].prices[1].unit_price: must be a quoted decimal string such as "0.002" (YAML floats are inexact)',
    ]);
  });

  it('refuses prices for features the plan does not have, duplicates, and a bounded last tier', () => {
    expect(
      refuse(`
plans:
  - id: p
    features: [{ id: f }]
    prices:
      - { type: per_unit, feature: nope, unit_price: "1" }
      - { type: volume, feature: f, tiers: [{ up_to: 10, unit_price: "1" }] }
`),
    ).toEqual([
      'plans[0].prices[1].tiers[0].up_to: the last tier must be unbounded (omit up_to), or usage beyond it cannot be rated',
      'plans[0].prices[0].feature: unknown feature "nope": the plan\'s features are f',
    ]);
    expect(
      refuse(`
plans:
  - id: p
    features: [{ id: f }]
    prices:
      - { type: per_unit, feature: nope, unit_price: "1" }
      - { type: per_unit, feature: f, unit_price: "1" }
      - { type: package, feature: f, package_size: 10, package_price: "1" }
`),
    ).toEqual(['plans[0].prices[0].feature: unknown feature "nope": the plan\'s features are f', 'plans[0].prices[2].feature: feature "f" already has a price in this version']);
  });

  it('refuses versions whose numbers or effective dates do not increase', () => {
    expect(
      refuse(`
plans:
  - id: p
    features: [{ id: f }]
    version: 2
    effective_from: "2026-01-01"
    previous_versions:
      - { version: 1, effective_from: "2026-02-01" }
`),
    ).toEqual(["plans[0].effective_from: must be later than version 1's effective_from 2026-02-01"]);
  });
});

describe('canonical amounts', () => {
  it('one text per value: no exponent, no trailing zeros, no negative zero', async () => {
    const { canonical } = await import('../../ledger-service/src/domain/money.js');
    expect(['12.50', '12.5', '-0', '0.000', '-3.10', '1e-7', '00012', '5', '-0.25'].map((v) => canonical(v))).toEqual([
      '12.5', '12.5', '0', '0', '-3.1', '0.0000001', '12', '5', '-0.25',
    ]);
  });
});

describe('hash chain verification (pure)', () => {
  it('hashes what was always hashed: input hash, id and chain hash of fixed inputs (stored ledgers must still verify)', async () => {
    const { chainHash, findChainBreak, inputHash, transactionId } = await import('../../ledger-service/src/domain/transaction.js');
    const { accounts } = await import('../../ledger-service/src/domain/accounts.js');
    const tenant = 't"1\\';
    const payment = {
      idempotencyKey: 'pay-1',
      kind: 'payment' as const,
      effectiveAt: new Date('2026-03-02T00:00:00Z'),
      effectiveAtIsRecordingTime: true,
      description: 'payment',
      postings: [],
      invoiceId: '95b9e63a-753a-8d2d-8cf7-5a1f0163ab89',
    };
    expect(inputHash(payment)).toBe('1bbfa298e2eb958069e6e2a1dcbaa4fb79756fdeec131639ad19f481f9739b50');

    // A usage transaction as written before usage lines (rating key on the transaction): it still verifies.
    const key = `usage:${tenant}:api_calls:2026-03-01T00:00:00.000Z:r2`;
    const id = transactionId(key);
    expect(id).toBe('0a967e8f-dbb2-85db-b50a-56f3dce05c39');
    const before0004 = {
      seq: 7, id, idempotencyKey: key, inputHash: 'af8a1623bd4483f1fd58d2b69fae3b651069229b7bfbab0777e276396e843fcc', kind: 'usage_adjustment' as const,
      tenantId: tenant, effectiveAt: new Date('2026-03-01T01:00:00Z'), recordedAt: new Date('2026-03-25T12:00:00Z'),
      description: 'adjustment of api_calls usage\t"é☃\u2028\n: -3.5 units', featureId: 'api_calls', windowStart: new Date('2026-03-01T00:00:00Z'),
      revision: 2, quantity: '-3.50', invoiceId: null, prevHash: 'a'.repeat(64),
      postings: [
        { account: accounts.unbilled(tenant).id, currency: 'USD', amount: '-0.0070' },
        { account: accounts.usageRevenue('api_calls').id, currency: 'USD', amount: '0.007' },
      ],
    };
    expect(chainHash(before0004)).toBe('bc9932b04c9910d1c808cb6191d64f12e3db6e894c2fecde19d06acda230857f');
    expect(findChainBreak([{ ...before0004, hash: chainHash(before0004) }], 'a'.repeat(64), 7)).toBeUndefined();

    // A usage transaction with usage lines: the lines' keys and quantities are in the input hash.
    const lines = {
      idempotencyKey: `usage:${tenant}:api_calls:2026-03-01T00:00:00.000Z:r0+1`,
      kind: 'usage_charge' as const,
      tenantId: tenant,
      effectiveAt: new Date('2026-03-01T01:00:00Z'),
      description: 'usage 2026-03-01T00:00:00.000Z – 2026-03-01T01:00:00.000Z: 1 hourly line',
      postings: [
        { account: accounts.unbilled(tenant), currency: 'USD', amount: '0.0070', usage: { featureId: 'api_calls', windowStart: new Date('2026-03-01T00:00:00Z'), revision: 0, quantity: '3.50' } },
        { account: accounts.usageRevenue('api_calls'), currency: 'USD', amount: '-0.007' },
      ],
    };
    expect(inputHash(lines)).toBe('e3bd9b5dfd9d6727e48d13aa0c21e5edac9a6898e721d01ba9ef243b0fd2d635');
    // Stored (amounts and quantities canonical), it verifies against the same hash.
    const { prepareAppend } = await import('../../ledger-service/src/adapters/ledger-store.js');
    const stored = prepareAppend([lines], { seq: 0, hash: 'b'.repeat(64) }, new Date('2026-03-25T12:00:00Z')).fresh;
    expect(stored[0].postings[0].usage?.quantity).toBe('3.5');
    expect(findChainBreak(stored, 'b'.repeat(64), 1)).toBeUndefined();
  });

  it('finds the first altered transaction whatever was altered', async () => {
    const { prepareAppend } = await import('../../ledger-service/src/adapters/ledger-store.js');
    const { findChainBreak, GENESIS_HASH } = await import('../../ledger-service/src/domain/transaction.js');
    const { accounts } = await import('../../ledger-service/src/domain/accounts.js');
    const inputs = [1, 2, 3, 4].map((i) => ({
      idempotencyKey: `k${i}`,
      kind: 'manual' as const,
      tenantId: 'acme',
      effectiveAt: new Date(Date.UTC(2026, 2, i)),
      description: `entry ${i}`,
      postings: [
        { account: accounts.cash(), currency: 'USD', amount: `${i}.5` },
        { account: accounts.prepaid('acme'), currency: 'USD', amount: `-${i}.5` },
      ],
    }));
    const chain = () => prepareAppend(inputs, { seq: 0, hash: GENESIS_HASH }, new Date('2026-03-10T00:00:00Z')).fresh.map((t) => structuredClone(t));
    expect(findChainBreak(chain(), GENESIS_HASH, 1)).toBeUndefined();
    const cases: Array<[string, (t: ReturnType<typeof chain>) => void, string]> = [
      ['a posting amount', (t) => (t[2].postings[0].amount = '99'), 'content does not match its hash (the transaction or its postings were altered)'],
      ['a description', (t) => (t[1].description = 'other'), 'content does not match its hash (the transaction or its postings were altered)'],
      ['the effective time', (t) => (t[1].effectiveAt = new Date(0)), 'content does not match its hash (the transaction or its postings were altered)'],
      ['the recording time', (t) => (t[1].recordedAt = new Date(0)), 'hash does not match its input hash, times or position (the transaction was altered)'],
      ['the stored chain hash', (t) => (t[0].hash = 'e'.repeat(64)), 'hash does not match its input hash, times or position (the transaction was altered)'],
      ['the stored input hash', (t) => (t[2].inputHash = 'f'.repeat(64)), 'content does not match its hash (the transaction or its postings were altered)'],
      ['a removed transaction', (t) => t.splice(1, 1), 'sequence gap: expected seq 2, found 3 (a transaction was removed)'],
    ];
    for (const [, tamper, problem] of cases) {
      const txs = chain();
      tamper(txs);
      const broken = findChainBreak(txs, GENESIS_HASH, 1);
      expect(broken?.problem).toBe(problem);
    }
  });
});
