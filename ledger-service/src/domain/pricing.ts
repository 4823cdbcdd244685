import type { Decimal } from 'decimal.js';
import type { UsagePriceConfig } from '../../../common/config/ledger-schema.js';
import { money, Money, ZERO } from './money.js';

interface Tier {
  upTo?: Decimal;
  unitPrice: Decimal;
  flatPrice?: Decimal;
}

/** A usage price with its decimal strings parsed once (rating prices every hour of every tenant with it). */
type Parsed =
  | { type: 'per_unit'; unitPrice: Decimal }
  | { type: 'graduated' | 'volume'; tiers: Tier[] }
  | { type: 'package'; size: Decimal; price: Decimal }
  | { type: 'overage'; included: Decimal; unitPrice: Decimal };

const parsedPrices = new WeakMap<UsagePriceConfig, Parsed>();

function parsed(price: UsagePriceConfig): Parsed {
  let p = parsedPrices.get(price);
  if (!p) {
    p = parse(price);
    parsedPrices.set(price, p);
  }
  return p;
}

function parse(price: UsagePriceConfig): Parsed {
  switch (price.type) {
    case 'per_unit':
      return { type: 'per_unit', unitPrice: money(price.unit_price) };
    case 'graduated':
    case 'volume':
      return {
        type: price.type,
        tiers: price.tiers.map((t) => ({
          upTo: t.up_to == null ? undefined : money(t.up_to),
          unitPrice: money(t.unit_price),
          flatPrice: t.flat_price === undefined ? undefined : money(t.flat_price),
        })),
      };
    case 'package':
      return { type: 'package', size: money(price.package_size), price: money(price.package_price) };
    case 'overage':
      return { type: 'overage', included: money(price.included), unitPrice: money(price.unit_price) };
  }
}

/**
 * The price of `cumulative` units used so far in a billing period. Every usage price is a function of the
 * period's cumulative quantity, so the charge for one window is F(before + quantity) − F(before): graduated
 * tiers fill in time order, and the charges of a period's windows always add up to F(period total).
 * (For volume tiers a window that moves the total into a cheaper tier therefore has a negative charge.)
 */
export function cumulativePrice(price: UsagePriceConfig, cumulative: Decimal): Decimal {
  if (cumulative.lte(0)) return ZERO;
  const p = parsed(price);
  switch (p.type) {
    case 'per_unit':
      return cumulative.mul(p.unitPrice);
    case 'graduated': {
      let total = ZERO;
      let lower = ZERO;
      for (const tier of p.tiers) {
        if (cumulative.lte(lower)) break;
        const inTier = (tier.upTo === undefined ? cumulative : Money.min(cumulative, tier.upTo)).sub(lower);
        total = total.add(inTier.mul(tier.unitPrice));
        if (tier.flatPrice) total = total.add(tier.flatPrice);
        if (tier.upTo === undefined) break;
        lower = tier.upTo;
      }
      return total;
    }
    case 'volume': {
      const tier = p.tiers.find((t) => t.upTo === undefined || cumulative.lte(t.upTo)) ?? p.tiers[p.tiers.length - 1];
      const total = cumulative.mul(tier.unitPrice);
      return tier.flatPrice ? total.add(tier.flatPrice) : total;
    }
    case 'package':
      return cumulative.div(p.size).ceil().mul(p.price);
    case 'overage':
      return Money.max(ZERO, cumulative.sub(p.included)).mul(p.unitPrice);
  }
}

/** The charge for `quantity` units used after `before` units already used in the same billing period. */
export function windowCharge(price: UsagePriceConfig, before: Decimal, quantity: Decimal): Decimal {
  return cumulativePrice(price, before.add(quantity)).sub(cumulativePrice(price, before));
}
