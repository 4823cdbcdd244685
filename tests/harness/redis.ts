import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { ensureDebianPackage } from './debian.js';
import { freePort, waitFor } from './ports.js';

/** A redis-server of the test's own on a free port; stop/start keep the port so clients can reconnect. */
export class RedisServer {
  private child?: ChildProcess;
  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RedisServer> {
    ensureDebianPackage('redis-server', 'redis-server');
    const server = new RedisServer(await freePort());
    await server.start();
    return server;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'],
      { stdio: 'ignore' },
    );
    await waitFor(`redis-server on port ${this.port}`, async () => {
      const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => {});
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG' ? true : undefined;
      } finally {
        probe.disconnect();
      }
    });
  }

  /** SIGKILL: the server vanishes mid-conversation, as in a crash. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
  }
}

/** The shared server's URL: REDIS_URL when set, else the one global setup started. */
export function sharedRedisUrl(injected: string | undefined): string {
  const url = process.env.REDIS_URL ?? injected;
  if (!url) throw new Error('no Redis: global setup did not provide one and REDIS_URL is not set');
  return url;
}
