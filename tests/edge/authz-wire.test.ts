import { describe, expect, it } from 'vitest';
import { encodeEnvoyCheckResponse } from '../../sidecar/src/envoy/api/authz-wire.js';
import { checkResponseOf, deniedCheckResponse, type EnvoyCheckResponse } from '../../sidecar/src/envoy/domain/authz.js';
import { problemOf, unauthenticated } from '../../sidecar/src/envoy/domain/http-answer.js';
import { authorizationService } from '../../sidecar/src/envoy/proto.js';
import { emptyDecision } from '../../sidecar/src/domain/decision.js';

const generic = authorizationService().Check;
const plan = { kind: 'check' as const, tenantId: 'acme', keyId: 'k1', input: { tenantId: 'acme', featureId: 'api-calls', cost: 1, dryRun: false }, removeHeaders: ['authorization'] };
const allowed = { ...emptyDecision(true, 'OK', 7), limit: 200, remaining: 199, resetAfterMs: 10, overage: true };
const feature = { rate_limit: { tokens: 100, interval_us: 1_000_000, burst: 200 }, on_store_failure: 'open' as const, enforce_on_report: false, shadow: false };

describe('direct ext_authz CheckResponse encoder', () => {
  it.each<[string, EnvoyCheckResponse]>([
    ['allowed, with upstream and rate-limit headers', checkResponseOf(plan, allowed, feature)],
    ['rate limited: 429 with Retry-After and problem+json', checkResponseOf(plan, { ...emptyDecision(false, 'RATE_LIMITED', 7), limit: 200, retryAfterMs: 1500 }, feature)],
    ['missing key: 401', deniedCheckResponse(unauthenticated('send an API key'))],
    ['no route: 404', deniedCheckResponse(problemOf('no-route', 'Not found', 404, 'nothing here'))],
    [
      'headers longer than 127 bytes, non-ASCII, and empty',
      {
        status: { code: 0, message: '' },
        okResponse: {
          headers: [
            { header: { key: 'x-long', value: 'é'.repeat(300) }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' },
            { header: { key: 'x-empty', value: '' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' },
            { header: { key: 'x-ascii-then-not', value: 'abcdé' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' },
            { header: { key: 'x-127', value: 'a'.repeat(127) }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' },
            { header: { key: 'x-128', value: 'b'.repeat(128) }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' },
          ],
          headersToRemove: ['x-api-key'],
          responseHeadersToAdd: [{ header: { key: 'ключ', value: 'значение' }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
        },
      },
    ],
  ])('%s decodes as the generic codec encodes it', (_name, response) => {
    const direct = generic.responseDeserialize(encodeEnvoyCheckResponse(response));
    expect(direct).toEqual(generic.responseDeserialize(generic.responseSerialize(response)));
  });
});
