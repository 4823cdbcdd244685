import { describe, expect, it } from 'vitest';
import { canonicalDecimal, parseQuantity } from '../../common/clickhouse/quantity.js';
import { featureEntitlement } from '../../common/snapshot.js';
import { normalizeUlid, parseTimestamp, validateEvent, type ValidationContext } from '../../sidecar/src/usage/domain/validate-event.js';
import { quotaCost } from '../../sidecar/src/usage/ingest.js';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const ctx: ValidationContext = {
  nowMs: NOW,
  limits: { backdateMs: 35 * 86_400_000, maxFutureMs: 300_000, maxAttributes: 2, maxAttributeKeyLength: 8, maxAttributeValueLength: 8 },
  featuresOf: (tenant) => (tenant === 'acme' ? { tokens: featureEntitlement({ id: 'tokens', on_store_failure: 'open', enforce_on_report: false, shadow: false }) } : undefined),
  newEventId: () => '01JD6Q1Z8N7W3V4X5Y6Z7A8B9C',
};

describe('quantities', () => {
  it.each([
    ['0', '0'],
    ['000', '0'],
    ['007.50', '7.5'],
    ['1.000000000', '1'],
    ['0.000000001', '0.000000001'],
    ['99999999999999999999.999999999', '99999999999999999999.999999999'],
  ])('canonicalizes %s to %s', (input, canonical) => {
    expect(parseQuantity(input)).toEqual({ ok: true, canonical });
  });

  it.each(['', '-1', '+1', '1e3', '1.', '.5', ' 1', '1,5', 'NaN', '0x10', '1.0000000001', '123456789012345678901'])('refuses %j', (input) => {
    expect(parseQuantity(input).ok).toBe(false);
  });

  it('reads what either ClickHouse prints back canonically', () => {
    expect(canonicalDecimal('12.500000000')).toBe('12.5');
    expect(canonicalDecimal('0.000000000')).toBe('0');
    expect(canonicalDecimal('12.5')).toBe('12.5');
  });

  it('counts a fractional quantity as the next whole unit against a quota', () => {
    expect([quotaCost('0'), quotaCost('1'), quotaCost('1.001'), quotaCost('0.5')]).toEqual([0, 1, 2, 1]);
  });
});

describe('timestamps and ids', () => {
  it.each([
    ['2026-11-21T10:00:00.123Z', Date.UTC(2026, 10, 21, 10, 0, 0, 123)],
    ['2026-11-21T10:00:00Z', Date.UTC(2026, 10, 21, 10, 0, 0)],
    ['2026-11-21T11:00:00+01:00', Date.UTC(2026, 10, 21, 10, 0, 0)],
    ['2026-11-21t10:00:00.123456789z', Date.UTC(2026, 10, 21, 10, 0, 0, 123)],
    ['2024-02-29T00:00:00.000Z', Date.UTC(2024, 1, 29)],
  ])('parses %s', (text, ms) => {
    expect(parseTimestamp(text)).toBe(ms);
  });

  it.each(['2026-02-29T00:00:00.000Z', '2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2026-11-21T24:00:00Z', '2026-11-21 10:00', '1732183200', '2026-11-21T10:00:00'])(
    'refuses %s',
    (text) => {
      expect(parseTimestamp(text)).toBeUndefined();
    },
  );

  it('accepts ULIDs in any case and stores them upper-case; refuses anything else', () => {
    expect(normalizeUlid('01jd6q1z8n7w3v4x5y6z7a8b9c')).toBe('01JD6Q1Z8N7W3V4X5Y6Z7A8B9C');
    expect(normalizeUlid('81JD6Q1Z8N7W3V4X5Y6Z7A8B9C')).toBeUndefined(); // beyond 48-bit time
    expect(normalizeUlid('01JD6Q1Z8N7W3V4X5Y6Z7A8B9U')).toBeUndefined(); // U is not Crockford base32
    expect(normalizeUlid('01JD6Q1Z8N7W3V4X5Y6Z7A8B9')).toBeUndefined();
  });
});

describe('validateEvent', () => {
  it('turns a valid event into the row to store, generating its id', () => {
    const result = validateEvent({ tenantId: 'acme', featureId: 'tokens', quantity: '0010.50', attributes: { model: 'm' } }, ctx);
    expect(result).toMatchObject({
      ok: true,
      row: { eventId: '01JD6Q1Z8N7W3V4X5Y6Z7A8B9C', tenantId: 'acme', featureId: 'tokens', quantity: '10.5', eventTimeMs: NOW, receivedAtMs: NOW, correction: '', correctsEventId: '' },
    });
  });

  it('lets a void carry no quantity and stores it as zero', () => {
    const result = validateEvent({ tenantId: 'acme', featureId: 'tokens', correction: 'VOID', correctsEventId: '01JD6Q1Z8N7W3V4X5Y6Z7A8B9D' }, ctx);
    expect(result).toMatchObject({ ok: true, row: { quantity: '0', correction: 'void', correctsEventId: '01JD6Q1Z8N7W3V4X5Y6Z7A8B9D' } });
  });

  it('bounds the window exactly: 5 minutes ahead and 35 days back are accepted, a millisecond more is not', () => {
    const at = (ms: number) => validateEvent({ tenantId: 'acme', featureId: 'tokens', quantity: '1', timestamp: new Date(ms).toISOString() }, ctx);
    expect(at(NOW + 300_000).ok).toBe(true);
    expect(at(NOW + 300_001)).toMatchObject({ ok: false, error: { reason: 'TIMESTAMP_IN_FUTURE' } });
    expect(at(NOW - 35 * 86_400_000).ok).toBe(true);
    expect(at(NOW - 35 * 86_400_000 - 1)).toMatchObject({ ok: false, error: { reason: 'TIMESTAMP_TOO_OLD' } });
  });

  it('refuses an event correcting itself and a feature name inherited from Object.prototype', () => {
    expect(validateEvent({ eventId: '01JD6Q1Z8N7W3V4X5Y6Z7A8B9C', tenantId: 'acme', featureId: 'tokens', quantity: '1', correction: 'AMEND', correctsEventId: '01JD6Q1Z8N7W3V4X5Y6Z7A8B9C' }, ctx)).toMatchObject({
      ok: false,
      error: { reason: 'INVALID_CORRECTION', field: 'corrects_event_id' },
    });
    expect(validateEvent({ tenantId: 'acme', featureId: 'constructor', quantity: '1' }, ctx)).toMatchObject({ ok: false, error: { reason: 'UNKNOWN_FEATURE' } });
  });

  it('applies the configured attribute limits', () => {
    expect(validateEvent({ tenantId: 'acme', featureId: 'tokens', quantity: '1', attributes: { a: '1', b: '2', c: '3' } }, ctx)).toMatchObject({ ok: false, error: { reason: 'TOO_MANY_ATTRIBUTES' } });
    expect(validateEvent({ tenantId: 'acme', featureId: 'tokens', quantity: '1', attributes: { a: '123456789' } }, ctx)).toMatchObject({ ok: false, error: { reason: 'ATTRIBUTE_TOO_LONG', field: 'attributes[a]' } });
    expect(validateEvent({ tenantId: 'acme', featureId: 'tokens', quantity: '1', attributes: { '': 'x' } }, ctx)).toMatchObject({ ok: false, error: { reason: 'INVALID_ATTRIBUTE' } });
  });
});
