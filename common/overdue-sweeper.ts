/**
 * One timer for the deadlines of many pending calls, instead of a timer per call. It runs only while calls are
 * pending (an idle client wakes nothing up) and ticks often enough for the bound: every fifth of it, 5–50 ms.
 */
export class OverdueSweeper {
  private timer?: NodeJS.Timeout;
  private readonly everyMs: number;

  /** @param sweep cancels the calls overdue at `now` (performance.now()) and returns how many are still pending */
  constructor(
    timeoutMs: number,
    private readonly sweep: (now: number) => number,
  ) {
    this.everyMs = Math.max(5, Math.min(50, Math.floor(timeoutMs / 5)));
  }

  /** Starts ticking, if not already; call when a call becomes pending. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (this.sweep(performance.now()) === 0) this.stop();
    }, this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
