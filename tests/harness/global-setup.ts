import type { TestProject } from 'vitest/node';
import { RedisServer } from './redis.js';
import { startSharedClickHouse } from './clickhouse.js';
import { startSharedPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    clickhouseUrl: string;
    databaseUrl: string;
  }
}

/** Starts the servers every test file shares (unless their *_URL is set) and stops them at the end. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = [];
  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL);
  } else {
    const redis = await RedisServer.start();
    stops.push(() => redis.stop());
    project.provide('redisUrl', redis.url);
  }
  const clickhouse = await startSharedClickHouse();
  if (clickhouse) {
    stops.push(clickhouse.stop);
    project.provide('clickhouseUrl', clickhouse.url);
  }
  const postgres = await startSharedPostgres();
  if (postgres) {
    stops.push(postgres.stop);
    project.provide('databaseUrl', postgres.url);
  }
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}
