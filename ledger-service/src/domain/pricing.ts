import type { Decimal } from 'decimal.js';
import type { UsagePriceConfig } from '../../../common/config/ledger-schema.js';
import { money, Money, ZERO } from './money.js';

/**
 * The price of `cumulative` units used so far in a billing period. Every usage price is a function of the
 * period's cumulative quantity, so the charge for one window is F(before + quantity) − F(before): graduated
 * tiers fill in time order, and the charges of a period's windows always add up to F(period total).
 * (For volume tiers a window that moves the total into a cheaper tier therefore has a negative charge.)
 */
export function cumulativePrice(price: UsagePriceConfig, cumulative: Decimal): Decimal {
  if (cumulative.lte(0)) return ZERO;
  switch (price.type) {
    case 'per_unit':
      return cumulative.mul(price.unit_price);
    case 'graduated': {
      let total = ZERO;
      let lower = ZERO;
      for (const tier of price.tiers) {
        if (cumulative.lte(lower)) break;
        const upper = tier.up_to == null ? undefined : money(tier.up_to);
        const inTier = (upper === undefined ? cumulative : Money.min(cumulative, upper)).sub(lower);
        total = total.add(inTier.mul(tier.unit_price)).add(tier.flat_price ?? 0);
        if (upper === undefined) break;
        lower = upper;
      }
      return total;
    }
    case 'volume': {
      const tier = price.tiers.find((t) => t.up_to == null || cumulative.lte(t.up_to)) ?? price.tiers[price.tiers.length - 1];
      return cumulative.mul(tier.unit_price).add(tier.flat_price ?? 0);
    }
    case 'package':
      return cumulative.div(price.package_size).ceil().mul(price.package_price);
    case 'overage':
      return Money.max(ZERO, cumulative.sub(price.included)).mul(price.unit_price);
  }
}

/** The charge for `quantity` units used after `before` units already used in the same billing period. */
export function windowCharge(price: UsagePriceConfig, before: Decimal, quantity: Decimal): Decimal {
  return cumulativePrice(price, before.add(quantity)).sub(cumulativePrice(price, before));
}
