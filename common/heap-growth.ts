import { setFlagsFromString } from 'node:v8';

/**
 * How far past its live size V8 lets the old generation grow before the next full (mark-compact) collection, for the
 * long-running servers (`up`, `sidecar`, `ledger`, `gateway`).
 *
 * V8 counts ArrayBuffer memory allocated since the last full collection against that allocation limit, and when
 * collections are cheap (a small heap) it puts the limit only a little above the live size. Our servers keep a small
 * heap (~22 MB for the sidecar) but turn over buffers at I/O speed: socket reads, answers, rows for ClickHouse, about
 * 75 MB per 500,000 ingested events. Under V8's own choice a loaded sidecar ran a full collection every ~100,000
 * events, each a marking of the whole heap on V8's helper threads (`npm run bench:ingest:steady`, rounds of 500,000
 * events: 0-5 full collections a round and 0.52-0.72 µs per event on threads other than main and the scan worker in
 * the first rounds, against 0-1 and 0.26-0.56 with this default). 300 % is the largest growth V8's
 * own heuristics pick for a large heap; the cost is that garbage may reach four times the live size before a full
 * collection frees it.
 */
export const DEFAULT_HEAP_GROWING_PERCENT = 300;

export const HEAP_GROWING_PERCENT_VARIABLE = 'TOLLGATE_HEAP_GROWING_PERCENT';

/** The growth to apply: the environment's value (0 = leave V8's heuristics), else the default. Throws on a bad value. */
export function heapGrowingPercent(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[HEAP_GROWING_PERCENT_VARIABLE];
  if (text === undefined || text === '') return DEFAULT_HEAP_GROWING_PERCENT;
  if (!/^\d{1,4}$/.test(text) || Number(text) > 1000) {
    throw new RangeError(`${HEAP_GROWING_PERCENT_VARIABLE} must be a whole number from 0 to 1000 (0 = V8's own heuristics), got "${text}"`);
  }
  return Number(text);
}

/** Applies `percent` to this process (every isolate, worker threads included); 0 leaves V8's heuristics. */
export function applyHeapGrowth(percent: number): void {
  // V8 reads this flag each time it recomputes the limit, so setting it after start-up takes effect.
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
