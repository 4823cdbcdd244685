import type { EdgeRoute } from '../../../common/config/edge-schema.js';

/** The question a route asks the sidecar: a plain check of a known cost, or a reservation of an estimate. */
export type Question = { kind: 'check'; cost: number } | { kind: 'reserve'; estimate: number };

export function questionFor(route: EdgeRoute): Question {
  return route.cost_from_response_header ? { kind: 'reserve', estimate: route.estimate! } : { kind: 'check', cost: route.cost };
}

/** The path (and query) sent upstream: the upstream URL's own path, then the request's (without the prefix if asked). */
export function upstreamPath(basePath: string, route: EdgeRoute, requestUrl: string): string {
  let rest = requestUrl;
  if (route.strip_prefix) {
    rest = requestUrl.slice(route.prefix.length);
    if (!rest.startsWith('/')) rest = `/${rest}`;
  }
  const base = basePath.endsWith('/') ? basePath.slice(0, -1) : basePath;
  return `${base}${rest}`;
}

/** How the exchange with the upstream ended. */
export type UpstreamOutcome =
  | { kind: 'answered'; status: number; costHeader?: string; completed: boolean }
  | { kind: 'unreachable' }
  | { kind: 'timeout' };

export interface Settlement {
  /** Report usage (and commit a reservation) — false releases the reservation and reports nothing. */
  charge: boolean;
  quantity: number;
}

/**
 * What an allowed request costs once the upstream has answered. Upstream failures (no answer, 5xx, a stream cut
 * short) are not charged unless the route says so. A cost header that is missing or malformed charges the estimate.
 */
export function settle(route: EdgeRoute, question: Question, outcome: UpstreamOutcome): Settlement {
  const failed = outcome.kind !== 'answered' || outcome.status >= 500 || !outcome.completed;
  const charge = !failed || route.charge_upstream_errors;
  if (question.kind === 'check') return { charge, quantity: question.cost };
  const reported = outcome.kind === 'answered' ? parseCost(outcome.costHeader) : undefined;
  return { charge, quantity: reported ?? question.estimate };
}

export function parseCost(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d{1,15}\s*$/.test(value)) return undefined;
  return Number(value);
}
