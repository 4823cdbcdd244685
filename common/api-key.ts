import { createHash, randomBytes } from 'node:crypto';

/**
 * API keys look like `tg_live_<id>_<secret>`: the id is public (listed, logged), the secret is 32 random bytes in
 * base32-ish lowercase. Only the SHA-256 of the whole key is stored anywhere. A fast hash is right here: the secret
 * has 160+ bits of entropy, so there is nothing to brute-force, and sidecars hash on every request.
 */
const KEY_PATTERN = /^tg_(live|test)_([A-Za-z0-9]{4,64})_([A-Za-z0-9]{16,128})$/;

export interface ParsedApiKey {
  environment: 'live' | 'test';
  id: string;
  sha256: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function parseApiKey(key: string): ParsedApiKey | undefined {
  const m = KEY_PATTERN.exec(key);
  if (!m) return undefined;
  return { environment: m[1] as 'live' | 'test', id: m[2], sha256: hashApiKey(key) };
}

export function generateApiKey(environment: 'live' | 'test' = 'live'): { key: string; id: string; sha256: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(24).toString('base64url').replace(/[^A-Za-z0-9]/g, '') + randomBytes(8).toString('hex');
  const key = `tg_${environment}_${id}_${secret}`;
  return { key, id, sha256: hashApiKey(key) };
}
