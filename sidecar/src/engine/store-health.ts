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

  /**
   * A refused or closed connection marks the store down at once. A timeout degrades only the call that timed out
   * (it never waits longer); three in a row mean the store is not answering, and it is marked down.
   */
  reportFailure(err?: unknown): void {
    if (this.down) return;
    if (isTimeout(err) && ++this.consecutiveTimeouts < 3) return;
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
