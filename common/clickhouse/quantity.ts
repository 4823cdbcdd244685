/**
 * Usage quantities are exact decimal strings end to end; ClickHouse stores them as Decimal(38, 9). These rules keep
 * every accepted quantity representable there with room to sum a billion maximal events without overflow.
 */
export const QUANTITY_SCALE = 9;
export const QUANTITY_MAX_INTEGER_DIGITS = 20;

const DECIMAL_TEXT = /^(\d+)(?:\.(\d+))?$/;

export type QuantityParse = { ok: true; canonical: string } | { ok: false; problem: string };

/** Validates a reported quantity and returns its canonical text ("007.50" → "7.5", "0.000" → "0"). */
export function parseQuantity(text: string): QuantityParse {
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return { ok: false, problem: `must be a non-negative decimal number such as "12" or "0.125", got ${JSON.stringify(text.slice(0, 40))}` };
  const integer = match[1].replace(/^0+(?=\d)/, '');
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > QUANTITY_SCALE) return { ok: false, problem: `has more than ${QUANTITY_SCALE} digits after the decimal point` };
  if (integer.length > QUANTITY_MAX_INTEGER_DIGITS) return { ok: false, problem: `has more than ${QUANTITY_MAX_INTEGER_DIGITS} digits before the decimal point` };
  return { ok: true, canonical: fraction ? `${integer}.${fraction}` : integer };
}

/** Canonical text of a decimal ClickHouse printed (18.16 pads to the scale, current releases do not). */
export function canonicalDecimal(text: string): string {
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const [integerPart, fractionPart = ''] = body.split('.');
  const integer = integerPart.replace(/^0+(?=\d)/, '') || '0';
  const fraction = fractionPart.replace(/0+$/, '');
  const out = fraction ? `${integer}.${fraction}` : integer;
  return negative && out !== '0' ? `-${out}` : out;
}
