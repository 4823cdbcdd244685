/** A billing period [start, end) in UTC. */
export interface BillingPeriod {
  start: Date;
  end: Date;
  /** 0 for the period that starts at the anchor, 1 for the next, ... */
  index: number;
}

const HOUR_MS = 3_600_000;

/**
 * The start of period `index` of a monthly subscription anchored at `anchor`: the same day of month and time of day,
 * clamped to the month's last day (an anchor on Jan 31 gives Feb 28/29, then Mar 31).
 */
export function periodStart(anchor: Date, index: number): Date {
  const months = anchor.getUTCMonth() + index;
  const year = anchor.getUTCFullYear() + Math.floor(months / 12);
  const month = ((months % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(year, month, Math.min(anchor.getUTCDate(), lastDay), anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds(), anchor.getUTCMilliseconds()),
  );
}

export function periodAt(anchor: Date, index: number): BillingPeriod {
  return { start: periodStart(anchor, index), end: periodStart(anchor, index + 1), index };
}

export function periodContaining(anchor: Date, at: Date): BillingPeriod {
  let index = (at.getUTCFullYear() - anchor.getUTCFullYear()) * 12 + (at.getUTCMonth() - anchor.getUTCMonth());
  while (periodStart(anchor, index).getTime() > at.getTime()) index--;
  while (periodStart(anchor, index + 1).getTime() <= at.getTime()) index++;
  return periodAt(anchor, index);
}

/** Periods overlapping [from, to), in time order. */
export function periodsOverlapping(anchor: Date, from: Date, to: Date): BillingPeriod[] {
  const out: BillingPeriod[] = [];
  if (to.getTime() <= from.getTime()) return out;
  for (let p = periodContaining(anchor, from); p.start.getTime() < to.getTime(); p = periodAt(anchor, p.index + 1)) out.push(p);
  return out;
}

export function floorToHour(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

export function addHours(at: Date, hours: number): Date {
  return new Date(at.getTime() + hours * HOUR_MS);
}

/** The end of the last hour that may be rated at `now`: hours must have ended `graceMinutes` ago. */
export function ratingWatermark(now: Date, graceMinutes: number): Date {
  return floorToHour(new Date(now.getTime() - graceMinutes * 60_000));
}

const isoCache = new Map<number, string>();

/**
 * `at.toISOString()`, remembered: rating formats the same few hundred hour boundaries (and one recording time) for
 * every tenant and feature, and Date formatting costs about a microsecond each time. The cache is bounded.
 */
export function iso(at: Date): string {
  const ms = at.getTime();
  let text = isoCache.get(ms);
  if (text === undefined) {
    if (isoCache.size >= 50_000) isoCache.clear();
    text = at.toISOString();
    isoCache.set(ms, text);
  }
  return text;
}
