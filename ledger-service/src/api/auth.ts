import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Checks `Bearer <token>` against the operator token in constant time: both sides are hashed first, so neither
 * the content nor the length of the token leaks through timing.
 */
export function operatorTokenCheck(token: string): (authorization: string | undefined) => boolean {
  const expected = digest(token);
  return (authorization) => {
    const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '';
    return timingSafeEqual(digest(presented), expected) && presented.length > 0;
  };
}
