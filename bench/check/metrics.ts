/** Sums every series of each named Prometheus counter on a /metrics page (all label sets together). */
export async function scrapeCounters(metricsUrl: string, names: readonly string[]): Promise<Record<string, number>> {
  const response = await fetch(metricsUrl);
  if (!response.ok) throw new Error(`GET ${metricsUrl}: HTTP ${response.status}`);
  return sumCounters(await response.text(), names);
}

export function sumCounters(text: string, names: readonly string[]): Record<string, number> {
  const totals: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match && match[1] in totals) totals[match[1]] += Number(match[3]);
  }
  return totals;
}

/** The sidecar counters that say how often a decision needed Redis. */
export const roundTripCounters = ['tollgate_redis_round_trips_total', 'tollgate_decisions_total', 'tollgate_lease_hits_total', 'tollgate_degraded_decisions_total'] as const;

/** Redis round trips per decision between two scrapes. */
export function perDecision(before: Record<string, number>, after: Record<string, number>): number {
  const trips = after.tollgate_redis_round_trips_total - before.tollgate_redis_round_trips_total;
  const decisions = after.tollgate_decisions_total - before.tollgate_decisions_total;
  return decisions > 0 ? trips / decisions : Number.NaN;
}
