import { spawn, type ChildProcess } from 'node:child_process';

/** A server the benchmark runs in a process of its own, so it never shares the driver's event loop or core. */
export class ChildServer {
  private output = '';

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static spawn(name: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildServer {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    return new ChildServer(name, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** The last few KB the process printed, for error messages. */
  get recentOutput(): string {
    return this.output.trim();
  }

  /** Starts keeping what the process prints on stdout; the returned function stops and gives it all. */
  tap(): () => string {
    const chunks: Buffer[] = [];
    const keep = (chunk: Buffer) => chunks.push(chunk);
    this.child.stdout?.on('data', keep);
    return () => {
      this.child.stdout?.off('data', keep);
      return Buffer.concat(chunks).toString();
    };
  }

  /** Resolves with the first stdout line that parses as JSON, e.g. {"port":N}. */
  firstJsonLine<T>(timeoutMs = 15_000): Promise<T> {
    return new Promise((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(() => fail(new Error(`${this.name}: no start-up line within ${timeoutMs} ms`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        buffered += chunk.toString();
        for (const line of buffered.split('\n')) {
          try {
            const value = JSON.parse(line) as T;
            cleanup();
            resolve(value);
            return;
          } catch {
            // not the start-up line (yet)
          }
        }
      };
      const onExit = () => fail(new Error(`${this.name} exited during start-up:\n${this.recentOutput}`));
      const cleanup = () => {
        clearTimeout(timer);
        this.child.stdout?.off('data', onData);
        this.child.off('exit', onExit);
      };
      const fail = (err: Error) => {
        cleanup();
        reject(err);
      };
      this.child.stdout?.on('data', onData);
      this.child.once('exit', onExit);
    });
  }

  /** SIGTERM, then SIGKILL if it has not gone after a grace period. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
}
