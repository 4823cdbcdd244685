import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TollgateConfig } from '../../common/config/schema.js';
import type { DatabaseTarget } from './adapters/database.js';

/** DATABASE_URL overrides the file; with neither, the ledger runs on embedded PGlite under data_dir. */
export function databaseTarget(config: TollgateConfig, env: NodeJS.ProcessEnv = process.env): DatabaseTarget {
  const url = env.DATABASE_URL ?? config.ledger.database.url;
  if (url) return { url };
  return { embeddedPath: config.ledger.database.embedded_path ?? join(config.data_dir, 'ledger-pglite') };
}

export function generatedTokenFile(config: TollgateConfig): string {
  return join(config.data_dir, 'operator-token');
}

/** TOLLGATE_OPERATOR_TOKEN, else ledger.operator_token, else the token the service generated under data_dir. */
export function operatorToken(config: TollgateConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.TOLLGATE_OPERATOR_TOKEN ?? config.ledger.operator_token;
  if (configured) return configured;
  const file = generatedTokenFile(config);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

/**
 * With no token configured the admin APIs are still never open: a random token is generated once and kept in
 * `<data_dir>/operator-token` (mode 0600), where `tollgate keys` and the operator find it.
 */
export function ensureOperatorToken(config: TollgateConfig, env: NodeJS.ProcessEnv = process.env): { token: string; generatedIn?: string } {
  const existing = operatorToken(config, env);
  if (existing) return { token: existing };
  const file = generatedTokenFile(config);
  mkdirSync(config.data_dir, { recursive: true });
  const token = randomBytes(32).toString('hex');
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, generatedIn: file };
}
