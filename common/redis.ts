import { Redis, type RedisOptions } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * A Redis client for the decision path: calls fail fast instead of queueing while disconnected, and every
 * command is bounded by `commandTimeoutMs`, so a decision never waits on a dead server.
 */
export function connectRedis(url: string | undefined, commandTimeoutMs: number, extra: RedisOptions = {}): Redis {
  return new Redis(url ?? DEFAULT_REDIS_URL, {
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    connectTimeout: 1000,
    retryStrategy: (times) => Math.min(50 * times, 500),
    lazyConnect: false,
    ...extra,
  });
}

/** A client for control work (publishing, admin) where waiting for a reconnect is better than failing. */
export function connectRedisPatient(url: string | undefined, extra: RedisOptions = {}): Redis {
  return new Redis(url ?? DEFAULT_REDIS_URL, { maxRetriesPerRequest: 3, connectTimeout: 2000, ...extra });
}

/** Resolves when the client is connected, or after `timeoutMs` (a down server is not an error at start). */
export function whenReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    client.once('ready', onReady);
  });
}
