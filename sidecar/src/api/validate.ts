import { invalidArgument } from '../../../common/grpc-errors.js';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
export const MAX_ID_LENGTH = 128;

/** Ids already found valid: the same ids come in every call (the decoders hand out one string per id). */
const validIds = new Set<string>();

/** A tenant, feature or reservation id: non-empty, at most 128 characters, letters, digits and . _ : - */
export function requireId(field: string, value: string | undefined): string {
  if (value && validIds.has(value)) return value;
  if (!value) throw invalidArgument(field, 'is required');
  if (value.length > MAX_ID_LENGTH) throw invalidArgument(field, `is ${value.length} characters; at most ${MAX_ID_LENGTH} are allowed`);
  if (!ID_PATTERN.test(value)) throw invalidArgument(field, 'may contain only letters, digits and . _ : - and must start with a letter or digit');
  if (validIds.size >= 10_000) validIds.clear();
  validIds.add(value);
  return value;
}

/** An int64 that arrived as a decimal string (proto-loader longs: String); exact up to 2^53-1. */
export function requireCount(field: string, value: string | number | undefined, { positive = false } = {}): number {
  // The hot path: a short run of decimal digits, read without a regular expression or a number-to-string round trip.
  if (typeof value === 'string' && value.length > 0 && value.length < 16) {
    let n = 0;
    for (let i = 0; i < value.length; i++) {
      const digit = value.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) {
        n = -1;
        break;
      }
      n = n * 10 + digit;
    }
    if (n > 0 || (n === 0 && !positive)) return n;
  }
  const text = String(value ?? '0');
  if (!/^-?\d+$/.test(text)) throw invalidArgument(field, `"${text}" is not a whole number`);
  const n = Number(text);
  if (n < 0 || text.startsWith('-')) throw invalidArgument(field, `must not be negative (got ${text})`);
  if (positive && n === 0) throw invalidArgument(field, 'must be greater than 0');
  if (!Number.isSafeInteger(n)) throw invalidArgument(field, `${text} is too large; at most ${Number.MAX_SAFE_INTEGER}`);
  return n;
}
