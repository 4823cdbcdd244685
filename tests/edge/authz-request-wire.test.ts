import { describe, expect, it } from 'vitest';
import { flattenCheckRequest, type CheckRequestObject } from '../../sidecar/src/envoy/api/authorization.js';
import { envoyCheckRequestDecoder } from '../../sidecar/src/envoy/api/authz-request-wire.js';
import type { AuthzRequest } from '../../sidecar/src/envoy/domain/authz.js';
import { authorizationService } from '../../sidecar/src/envoy/proto.js';

const generic = authorizationService().Check;
const wanted = ['authorization', 'x-api-key', 'X-Tenant-Id'];
const decode = envoyCheckRequestDecoder(wanted);

/** The generic codec's answer, flattened, keeping only the headers the direct decoder is asked for. */
function reference(bytes: Buffer): AuthzRequest {
  const flat = flattenCheckRequest(generic.requestDeserialize(bytes) as CheckRequestObject);
  const keep = new Set(wanted.map((n) => n.toLowerCase()));
  return { ...flat, headers: new Map([...flat.headers].filter(([name]) => keep.has(name))) };
}

const envoyRequest = (http: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) => ({
  attributes: {
    source: { address: { socketAddress: { address: '10.1.2.3', portValue: 51234 } }, principal: 'spiffe://a/b', labels: { app: 'web' } },
    destination: { address: { socketAddress: { address: '10.1.2.4', portValue: 8080 } } },
    request: { time: { seconds: '1763700000', nanos: 5 }, http },
    metadataContext: { filterMetadata: { envoy: { fields: { a: { stringValue: 'b' } } } } },
    ...extra,
  },
});

const cases: Array<[string, unknown]> = [
  ['a typical Envoy request', envoyRequest({ id: '42', method: 'POST', path: '/v1/chat?x=1', host: 'api.example.com', scheme: 'https', protocol: 'HTTP/2', size: '120', headers: { ':path': '/v1/chat?x=1', authorization: 'Bearer tg_live_abcd_0123456789abcdef0123', 'x-request-id': 'r1', 'user-agent': 'k6' } })],
  ['x-api-key and a trusted tenant header in mixed case', envoyRequest({ method: 'GET', path: '/a', headers: { 'X-API-Key': 'tg_test_k_secretsecretsecret', 'x-tenant-id': 'acme', accept: '*/*' } })],
  ['header_map with value and raw_value, overriding headers', envoyRequest({ method: 'GET', path: '/b', headers: { 'x-api-key': 'old' }, headerMap: { headers: [{ key: 'x-api-key', rawValue: Buffer.from('from-raw') }, { key: 'Authorization', value: 'Bearer v' }, { key: 'other', value: 'x' }] } })],
  ['context extensions (feature and cost)', envoyRequest({ method: 'GET', path: '/c' }, { contextExtensions: { feature: 'voice', cost: '3', other: 'é' } })],
  ['an http request with no method or path', envoyRequest({ headers: { 'x-api-key': 'k' } })],
  ['no http attributes at all', envoyRequest(undefined)],
  ['an empty CheckRequest', {}],
  ['non-ASCII header values and names', envoyRequest({ method: 'GET', path: '/ü', headers: { authorization: 'Bearer ключ', 'x-ümlaut': 'v' } })],
];

describe('direct ext_authz CheckRequest decoder', () => {
  it.each(cases)('%s: same as the generic codec, flattened', (_name, request) => {
    const bytes = generic.requestSerialize(request);
    expect(decode(bytes)).toEqual(reference(bytes));
  });

  it('agrees with the generic codec on many random requests', () => {
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const names = ['authorization', 'Authorization', 'x-api-key', 'X-Api-Key', 'x-tenant-id', 'accept', 'x-api-keys', 'x-api-ke', ':path'];
    for (let i = 0; i < 300; i++) {
      const headers: Record<string, string> = {};
      for (let h = rand(6); h > 0; h--) headers[names[rand(names.length)]] = `v${rand(1000)}`;
      const headerMap = rand(3) === 0 ? { headers: [{ key: names[rand(names.length)], value: rand(2) ? `m${i}` : '', rawValue: Buffer.from(`raw${i}`) }] } : undefined;
      const request = envoyRequest({ method: ['GET', 'POST', ''][rand(3)], path: `/p/${i}`, headers, headerMap }, rand(2) ? { contextExtensions: { feature: `f${rand(9)}` } } : {});
      const bytes = generic.requestSerialize(request);
      expect(decode(bytes)).toEqual(reference(bytes));
    }
  });

  it('refuses truncated bytes instead of guessing', () => {
    const bytes = generic.requestSerialize(cases[0][1]);
    expect(() => decode(bytes.subarray(0, bytes.length - 7))).toThrow();
  });
});
