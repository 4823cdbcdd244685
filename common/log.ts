import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout; `LOG_LEVEL` sets the level (default info, `silent` in tests). */
export function createLogger(component: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: `tollgate-${component}`, level, base: { component, pid: process.pid } });
}
