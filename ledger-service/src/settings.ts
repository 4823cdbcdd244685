import { join } from 'node:path';
import type { TollgateConfig } from '../../common/config/schema.js';
import type { DatabaseTarget } from './adapters/database.js';

/** DATABASE_URL overrides the file; with neither, the ledger runs on embedded PGlite under data_dir. */
export function databaseTarget(config: TollgateConfig, env: NodeJS.ProcessEnv = process.env): DatabaseTarget {
  const url = env.DATABASE_URL ?? config.ledger.database.url;
  if (url) return { url };
  return { embeddedPath: config.ledger.database.embedded_path ?? join(config.data_dir, 'ledger-pglite') };
}

/** TOLLGATE_OPERATOR_TOKEN overrides the file. */
export function operatorToken(config: TollgateConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.TOLLGATE_OPERATOR_TOKEN ?? config.ledger.operator_token;
}
