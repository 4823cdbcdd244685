/**
 * Whether the shared store answers. One failed call marks it down; from then on decisions go straight to the
 * local fallback (no time lost on timeouts) while a probe checks every `probeEveryMs` and brings it back.
 */
export class StoreHealth {
  private down = false;
  private timer?: NodeJS.Timeout;
  private readonly listeners: Array<() => Promise<void> | void> = [];

  constructor(
    private readonly probe: () => Promise<unknown>,
    private readonly probeEveryMs = 200,
    private readonly onChange: (up: boolean) => void = () => {},
  ) {}

  reportSuccess(): void {
    this.consecutiveTimeouts = 0;
  }

  get up(): boolean {
    return !this.down;
  }

  onRecover(listener: () => Promise<void> | void): void {
    this.listeners.push(listener);
  }

  private consecutiveTimeouts = 0;
  /** A timeout was already counted in this turn of the event loop. */
  private timeoutThisTurn = false;

  /**
   * A refused or closed connection marks the store down at once. A timeout degrades only the call that timed out
   * (it never waits longer); timeouts in three turns of the event loop in a row, with no success in between, mean
   * the store is not answering, and it is marked down. Calls sent together (one pipeline) time out together: they
   * count once, so one slow moment — often this process's own event loop running late rather than Redis — does
   * not switch every key to local decisions.
   */
  reportFailure(err?: unknown): void {
    if (this.down) return;
    if (isTimeout(err)) {
      if (this.timeoutThisTurn) return;
      this.timeoutThisTurn = true;
      setImmediate(() => (this.timeoutThisTurn = false));
      if (++this.consecutiveTimeouts < 3) return;
    }
    this.consecutiveTimeouts = 0;
    this.down = true;
    this.onChange(false);
    this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.tryRecover(), this.probeEveryMs);
    this.timer.unref();
  }

  private async tryRecover(): Promise<void> {
    this.timer = undefined;
    try {
      await this.probe();
    } catch {
      if (this.down) this.schedule();
      return;
    }
    try {
      for (const listener of this.listeners) await listener();
    } catch {
      this.schedule();
      return;
    }
    this.down = false;
    this.onChange(true);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

function isTimeout(err: unknown): boolean {
  return /timed? ?out/i.test((err as Error)?.message ?? '');
}
