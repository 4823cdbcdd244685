/** Quota periods are UTC calendar days or months (from the billing anchor when the snapshot carries one). */
export type PeriodUnit = 'day' | 'month';

export interface Period {
  /** Stable id used in the counter's key, e.g. "2026-11" or "2026-11-21". */
  id: string;
  startMs: number;
  endMs: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function periodAt(unit: PeriodUnit, nowMs: number, anchorIso?: string): Period {
  const now = new Date(nowMs);
  if (unit === 'day') {
    const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    return { id: `${now.getUTCFullYear()}-${pad(now.getUTCMonth() + 1)}-${pad(now.getUTCDate())}`, startMs: start, endMs: start + 86_400_000 };
  }
  if (anchorIso) return anchoredMonth(nowMs, new Date(anchorIso));
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  return { id: `${now.getUTCFullYear()}-${pad(now.getUTCMonth() + 1)}`, startMs: start, endMs: end };
}

/** Monthly periods that start on the anchor's day and time (clamped to the month's last day). */
function anchoredMonth(nowMs: number, anchor: Date): Period {
  const at = (year: number, month: number) => {
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    return Date.UTC(year, month, Math.min(anchor.getUTCDate(), lastDay), anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds());
  };
  const now = new Date(nowMs);
  let year = now.getUTCFullYear();
  let month = now.getUTCMonth();
  if (at(year, month) > nowMs) {
    month -= 1;
    if (month < 0) { month = 11; year -= 1; }
  }
  const start = at(year, month);
  const end = at(month === 11 ? year + 1 : year, (month + 1) % 12);
  const s = new Date(start);
  return { id: `${s.getUTCFullYear()}-${pad(s.getUTCMonth() + 1)}-${pad(s.getUTCDate())}a`, startMs: start, endMs: end };
}

/** Counters outlive their period by a day so late reads and settlements still find them. */
export function quotaTtlSeconds(period: Period, nowMs: number): number {
  return Math.max(1, Math.ceil((period.endMs - nowMs) / 1000) + 86_400);
}
