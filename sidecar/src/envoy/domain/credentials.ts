import { hashApiKey } from '../../../../common/api-key.js';
import { unauthenticated, type HttpAnswer } from './http-answer.js';

/** Looks a key up by the SHA-256 of the whole key (SnapshotSource.tenantForKeyHash). */
export type KeyResolver = (sha256: string) => { tenantId: string; keyId: string } | undefined;

export type HeaderLookup = (lowerCaseName: string) => string | undefined;

export type Identity =
  | { ok: true; tenantId: string; keyId?: string; via: 'api_key' | 'trusted_header'; keyHeader?: 'authorization' | 'x-api-key' }
  | { ok: false; answer: HttpAnswer };

const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;
/** Keys are at most ~210 characters; anything far longer is not a key and is not worth hashing. */
const MAX_KEY_LENGTH = 512;

/**
 * SHA-256 of recently presented keys. A proxy sees the same few keys on almost every request, and hashing is a few
 * per cent of an ext_authz answer. Only the hash decides (revocation acts on the tenant snapshot, not here); the
 * cache holds what requests carry in memory anyway, and is bounded: it starts over when full.
 */
const recentHashes = new Map<string, string>();
const RECENT_HASHES_MAX = 4096;

function hashOfPresentedKey(key: string): string {
  let sha256 = recentHashes.get(key);
  if (sha256 === undefined) {
    if (recentHashes.size >= RECENT_HASHES_MAX) recentHashes.clear();
    sha256 = hashApiKey(key);
    recentHashes.set(key, sha256);
  }
  return sha256;
}

/** Every header `identify` may read: what a caller of it must make available. */
export function credentialHeaders(trustedTenantHeader?: string): string[] {
  return trustedTenantHeader ? ['authorization', 'x-api-key', trustedTenantHeader.toLowerCase()] : ['authorization', 'x-api-key'];
}

/** The API key a request presents, and where: `Authorization: Bearer <key>`, else `X-API-Key: <key>`. */
export function presentedApiKey(header: HeaderLookup): { key: string; header: 'authorization' | 'x-api-key' } | undefined {
  const authorization = header('authorization');
  if (authorization) {
    const m = BEARER.exec(authorization);
    if (m) return { key: m[1], header: 'authorization' };
  }
  const apiKey = header('x-api-key')?.trim();
  return apiKey ? { key: apiKey, header: 'x-api-key' } : undefined;
}

/**
 * Who is calling. A presented API key always decides (a wrong key is refused even if a trusted header is set);
 * without one, the trusted tenant header is used when configured.
 */
export function identify(header: HeaderLookup, resolveKey: KeyResolver, trustedTenantHeader?: string): Identity {
  const presented = presentedApiKey(header);
  if (presented !== undefined) {
    const owner = presented.key.length <= MAX_KEY_LENGTH ? resolveKey(hashOfPresentedKey(presented.key)) : undefined;
    if (!owner) return { ok: false, answer: unauthenticated('the API key is not valid (unknown or revoked)') };
    return { ok: true, tenantId: owner.tenantId, keyId: owner.keyId, via: 'api_key', keyHeader: presented.header };
  }
  if (trustedTenantHeader) {
    const tenantId = header(trustedTenantHeader)?.trim();
    if (tenantId) return { ok: true, tenantId, via: 'trusted_header' };
  }
  return { ok: false, answer: unauthenticated('send an API key as "Authorization: Bearer <key>" or "X-API-Key: <key>"') };
}
