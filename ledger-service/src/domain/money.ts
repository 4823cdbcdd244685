import { Decimal } from 'decimal.js';

/**
 * Exact decimal arithmetic for money and billable quantities. 60 significant digits is far beyond any price times
 * any quantity, so nothing is rounded until an invoice line is: amounts in the ledger are exact.
 */
export const Money = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -60, toExpPos: 60 });
export type Money = Decimal;

export const ZERO = new Money(0);

export function money(value: string | number | Decimal): Decimal {
  return new Money(value);
}

const CANONICAL = /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/;

/** The canonical text of an amount: no exponent, no trailing zeros ("12.5", "0", "-3"). */
export function canonical(value: string | Decimal): string {
  // Already canonical text is the common case on the hot path; checking it is far cheaper than parsing it.
  if (typeof value === 'string' && CANONICAL.test(value) && value !== '-0') return value;
  // Results of Money arithmetic already carry Money's precision: no copy needed to print them.
  const d = value instanceof Money ? value : new Money(value);
  return d.isZero() ? '0' : d.toFixed();
}

const minorUnitCache = new Map<string, number>();
/** Digits after the decimal point of a currency (USD 2, JPY 0, KWD 3), from ICU's ISO 4217 data. */
export function minorUnits(currency: string): number {
  let digits = minorUnitCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    minorUnitCache.set(currency, digits);
  }
  return digits;
}

/**
 * The one rounding in Tollgate: an invoice line's exact total to the currency's minor unit, half away from zero
 * (0.005 USD → 0.01, −0.005 → −0.01). Ledger entries stay exact; the difference is posted to a rounding account.
 */
export function roundToMinorUnit(amount: Decimal, currency: string): Decimal {
  return amount.toDecimalPlaces(minorUnits(currency), Decimal.ROUND_HALF_UP);
}

export function formatAmount(amount: Decimal, currency: string): string {
  return amount.toFixed(minorUnits(currency));
}
