import { percentileOfSorted } from '../check/stats.js';

export interface TimerLateness {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

/**
 * How late a 1 ms timer fires in this process, over `durationMs`: the machine's own scheduling noise, which every
 * process a request passes through pays again on each wake-up. Measured while the stack is idle, so it shows what the
 * machine adds before any of Tollgate's work does.
 */
export function timerLateness(durationMs: number): Promise<TimerLateness> {
  return new Promise((resolve) => {
    const late: number[] = [];
    const end = performance.now() + durationMs;
    let asked = performance.now();
    const tick = () => {
      const now = performance.now();
      late.push(Math.max(0, now - asked - 1));
      if (now >= end) {
        late.sort((a, b) => a - b);
        resolve({
          samples: late.length,
          p50Ms: percentileOfSorted(late, 50),
          p99Ms: percentileOfSorted(late, 99),
          p999Ms: percentileOfSorted(late, 99.9),
          maxMs: late[late.length - 1],
        });
        return;
      }
      asked = now;
      setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
  });
}
