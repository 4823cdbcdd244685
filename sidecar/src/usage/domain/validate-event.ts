import { parseQuantity } from '../../../../common/clickhouse/quantity.js';
import type { CorrectionKind, UsageRow } from '../../../../common/clickhouse/usage-row.js';
import type { FeatureEntitlement } from '../../../../common/snapshot.js';

/** A reported event as it arrives (gRPC or CloudEvents), before validation. */
export interface UsageEventInput {
  eventId?: string;
  tenantId?: string;
  serviceId?: string;
  featureId?: string;
  quantity?: string;
  timestamp?: string;
  attributes?: Record<string, string>;
  correctsEventId?: string;
  /** Proto enum name: CORRECTION_KIND_UNSPECIFIED, VOID, AMEND. */
  correction?: string;
}

export type UsageErrorReason =
  | 'MISSING_FIELD'
  | 'INVALID_ID'
  | 'INVALID_EVENT_ID'
  | 'UNKNOWN_TENANT'
  | 'UNKNOWN_FEATURE'
  | 'INVALID_QUANTITY'
  | 'INVALID_TIMESTAMP'
  | 'TIMESTAMP_IN_FUTURE'
  | 'TIMESTAMP_TOO_OLD'
  | 'TOO_MANY_ATTRIBUTES'
  | 'ATTRIBUTE_TOO_LONG'
  | 'INVALID_ATTRIBUTE'
  | 'INVALID_CORRECTION'
  | 'BATCH_TOO_LARGE'
  | 'SPOOL_FULL'
  | 'QUOTA_EXHAUSTED'
  | 'RATE_LIMITED'
  | 'NOT_ENTITLED'
  | 'SUBSCRIPTION_INACTIVE'
  | 'STORE_UNAVAILABLE'
  | 'UNAVAILABLE'
  | 'INVALID_CLOUDEVENT'
  | 'PERMISSION_DENIED';

/** gRPC status codes used for refused events (numbers, as UsageError.code carries them). */
export const Code = { INVALID_ARGUMENT: 3, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, UNAVAILABLE: 14 } as const;

export interface EventError {
  code: number;
  reason: UsageErrorReason;
  /** The proto field name (snake_case), e.g. "quantity" or "attributes[model]". */
  field: string;
  message: string;
}

export interface ValidationLimits {
  backdateMs: number;
  maxFutureMs: number;
  maxAttributes: number;
  maxAttributeKeyLength: number;
  maxAttributeValueLength: number;
}

export interface ValidationContext {
  nowMs: number;
  limits: ValidationLimits;
  /** The tenant's features from its entitlement snapshot; undefined when the tenant is unknown. */
  featuresOf(tenantId: string): Record<string, FeatureEntitlement> | undefined;
  /** Makes an event id when the reporter gave none (a ULID). */
  newEventId(): string;
}

export type ValidationResult = { ok: true; row: UsageRow; feature: FeatureEntitlement } | { ok: false; eventId: string; error: EventError };

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const MAX_ID_LENGTH = 128;
/** Crockford base32, 26 characters, first character ≤ 7 (48-bit time). */
const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
/** Most reporters send one service id over and over; remembering the last valid one skips the pattern. */
let lastValidServiceId = '';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

function invalid(reason: UsageErrorReason, field: string, message: string): EventError {
  return { code: Code.INVALID_ARGUMENT, reason, field, message: `${field}: ${message}` };
}

function idProblem(value: string): string | undefined {
  if (value.length > MAX_ID_LENGTH) return `is ${value.length} characters; at most ${MAX_ID_LENGTH} are allowed`;
  if (!ID_PATTERN.test(value)) return 'may contain only letters, digits and . _ : - and must start with a letter or digit';
  return undefined;
}

/** ULIDs are case-insensitive; stored upper-case so that one id has one spelling. */
export function normalizeUlid(value: string): string | undefined {
  if (ULID_PATTERN.test(value)) return value;
  const upper = value.toUpperCase();
  return ULID_PATTERN.test(upper) ? upper : undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** The common case, `2026-11-21T10:00:00.123Z` (what toISOString prints), without a regex or Date parsing. */
function parseIsoUtcMillis(text: string): number | undefined {
  if (text.length !== 24 || text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':' || text[19] !== '.' || text[23] !== 'Z') return undefined;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const s = digits(text, 17, 2);
  const ms = digits(text, 20, 3);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 || ms < 0) return undefined;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > DAYS_IN_MONTH[mo - 1] + (leap ? 1 : 0)) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

/** Parses an RFC 3339 timestamp to epoch milliseconds (sub-millisecond digits are truncated). */
export function parseTimestamp(text: string): number | undefined {
  const fast = parseIsoUtcMillis(text);
  if (fast !== undefined) return fast;
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${(m[7] ?? '').slice(0, 4)}${m[8].toUpperCase()}`);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 31 February over into March; refuse instead.
  const utcDay = new Date(Date.UTC(y, mo - 1, d));
  if (utcDay.getUTCDate() !== d) return undefined;
  return ms;
}

function correctionKind(value: string | undefined): CorrectionKind | undefined {
  switch (value ?? '') {
    case '':
    case 'CORRECTION_KIND_UNSPECIFIED':
      return '';
    case 'VOID':
      return 'void';
    case 'AMEND':
      return 'amend';
    default:
      return undefined;
  }
}

/**
 * Checks one reported event and turns it into the row to store. Pure: the clock, the tenants' catalog and the id
 * generator come in through `ctx`. Checks run in field order and the first problem is reported.
 */
export function validateEvent(input: UsageEventInput, ctx: ValidationContext): ValidationResult {
  let eventId: string;
  if (input.eventId) {
    const normalized = normalizeUlid(input.eventId);
    if (!normalized) {
      return { ok: false, eventId: input.eventId, error: invalid('INVALID_EVENT_ID', 'event_id', 'must be a ULID (26 characters of Crockford base32), or empty to have one generated') };
    }
    eventId = normalized;
  } else {
    eventId = ctx.newEventId();
  }
  const fail = (error: EventError): ValidationResult => ({ ok: false, eventId, error });

  // Ids found in the catalog are well-formed by construction; the pattern is checked only to explain a miss.
  const tenantId = input.tenantId ?? '';
  if (!tenantId) return fail(invalid('MISSING_FIELD', 'tenant_id', 'is required'));
  const features = ctx.featuresOf(tenantId);
  if (!features) {
    const problem = idProblem(tenantId);
    return fail(problem ? invalid('INVALID_ID', 'tenant_id', problem) : invalid('UNKNOWN_TENANT', 'tenant_id', `unknown tenant "${tenantId}"`));
  }

  const serviceId = input.serviceId ?? '';
  const serviceProblem = serviceId && serviceId !== lastValidServiceId ? idProblem(serviceId) : undefined;
  if (serviceProblem) return fail(invalid('INVALID_ID', 'service_id', serviceProblem));
  lastValidServiceId = serviceId;

  const featureId = input.featureId ?? '';
  if (!featureId) return fail(invalid('MISSING_FIELD', 'feature_id', 'is required'));
  const feature = Object.prototype.hasOwnProperty.call(features, featureId) ? features[featureId] : undefined;
  if (!feature) {
    const problem = idProblem(featureId);
    return fail(problem ? invalid('INVALID_ID', 'feature_id', problem) : invalid('UNKNOWN_FEATURE', 'feature_id', `feature "${featureId}" is not in tenant "${tenantId}"'s plan`));
  }

  const correction = correctionKind(input.correction);
  if (correction === undefined) return fail(invalid('INVALID_CORRECTION', 'correction', `unknown correction kind "${input.correction}"`));
  let correctsEventId = '';
  if (correction) {
    if (!input.correctsEventId) return fail(invalid('INVALID_CORRECTION', 'corrects_event_id', `is required for a ${correction} correction`));
    const normalized = normalizeUlid(input.correctsEventId);
    if (!normalized) return fail(invalid('INVALID_EVENT_ID', 'corrects_event_id', 'must be the ULID of the event being corrected'));
    if (normalized === eventId) return fail(invalid('INVALID_CORRECTION', 'corrects_event_id', 'an event cannot correct itself'));
    correctsEventId = normalized;
  } else if (input.correctsEventId) {
    return fail(invalid('INVALID_CORRECTION', 'correction', 'must be VOID or AMEND when corrects_event_id is set'));
  }

  // A void carries no quantity of its own; any other event must state one.
  const quantityText = input.quantity ?? '';
  let quantity: string;
  if (correction === 'void' && quantityText === '') quantity = '0';
  else if (quantityText === '') return fail(invalid('MISSING_FIELD', 'quantity', 'is required (a decimal string such as "1" or "0.25")'));
  else {
    const parsed = parseQuantity(quantityText);
    if (!parsed.ok) return fail(invalid('INVALID_QUANTITY', 'quantity', parsed.problem));
    quantity = parsed.canonical;
  }

  let eventTimeMs = ctx.nowMs;
  if (input.timestamp) {
    const parsed = parseTimestamp(input.timestamp);
    if (parsed === undefined) return fail(invalid('INVALID_TIMESTAMP', 'timestamp', `must be RFC 3339, e.g. "2026-11-21T10:00:00.123Z", got ${JSON.stringify(input.timestamp.slice(0, 40))}`));
    eventTimeMs = parsed;
  }
  if (eventTimeMs > ctx.nowMs + ctx.limits.maxFutureMs) {
    return fail(invalid('TIMESTAMP_IN_FUTURE', 'timestamp', `is more than ${ctx.limits.maxFutureMs / 1000} s ahead of the sidecar's clock`));
  }
  if (eventTimeMs < ctx.nowMs - ctx.limits.backdateMs) {
    return fail(invalid('TIMESTAMP_TOO_OLD', 'timestamp', `is older than the back-dating window of ${Math.round(ctx.limits.backdateMs / 86_400_000)} days`));
  }

  const attributes = input.attributes ?? {};
  const keys = Object.keys(attributes);
  if (keys.length > ctx.limits.maxAttributes) {
    return fail(invalid('TOO_MANY_ATTRIBUTES', 'attributes', `has ${keys.length} entries; at most ${ctx.limits.maxAttributes} are allowed`));
  }
  for (const key of keys) {
    if (key.length === 0) return fail(invalid('INVALID_ATTRIBUTE', 'attributes', 'keys must not be empty'));
    if (key.length > ctx.limits.maxAttributeKeyLength) {
      return fail(invalid('ATTRIBUTE_TOO_LONG', 'attributes', `key "${key.slice(0, 32)}…" is ${key.length} characters; at most ${ctx.limits.maxAttributeKeyLength} are allowed`));
    }
    const value = attributes[key];
    if (typeof value !== 'string') return fail(invalid('INVALID_ATTRIBUTE', `attributes[${key}]`, 'must be a string'));
    if (value.length > ctx.limits.maxAttributeValueLength) {
      return fail(invalid('ATTRIBUTE_TOO_LONG', `attributes[${key}]`, `is ${value.length} characters; at most ${ctx.limits.maxAttributeValueLength} are allowed`));
    }
  }

  return {
    ok: true,
    feature,
    row: { eventId, tenantId, serviceId, featureId, quantity, eventTimeMs, attributes, correction, correctsEventId, receivedAtMs: ctx.nowMs },
  };
}
