import type { EdgeRoute } from '../../../../common/config/edge-schema.js';

/** The route whose prefix is the longest match for this path (and whose methods allow the method), if any. */
export function matchRoute<R extends Pick<EdgeRoute, 'prefix' | 'methods'>>(routes: readonly R[], method: string, path: string): R | undefined {
  const pathOnly = stripQuery(path);
  let best: R | undefined;
  for (const route of routes) {
    if (!pathOnly.startsWith(route.prefix)) continue;
    if (route.methods.length > 0 && !route.methods.includes(method.toUpperCase())) continue;
    if (!best || route.prefix.length > best.prefix.length) best = route;
  }
  return best;
}

export function stripQuery(path: string): string {
  const q = path.search(/[?#]/);
  return q === -1 ? path : path.slice(0, q);
}
