import { parseArgs, type ParseArgsConfig } from 'node:util';
import { applyEnvironment, defaultConfig, loadConfig } from '../common/config/load.js';
import type { TollgateConfig } from '../common/config/schema.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** parseArgs with errors that say which command was misused. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${command}: ${(err as Error).message}`);
  }
}

/** `--config FILE` when given (validated), else embedded defaults; environment URLs applied either way. */
export function configFrom(file: string | undefined): TollgateConfig {
  return applyEnvironment(file ? loadConfig(file) : defaultConfig());
}
