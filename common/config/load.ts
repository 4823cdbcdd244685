import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type TollgateConfig } from './schema.js';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration in ${file}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Formats a zod path as the YAML key path a user would write: `plans[0].features[1].rate_limit.burst`. */
export function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `${keyPath(issue.path)}: unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return `${keyPath(issue.path)}: ${issue.message}`;
  });
}

/** Parses and validates configuration text; `source` names the file in errors. */
export function parseConfig(text: string, source: string): TollgateConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(source, doc.errors.map((e) => `YAML syntax: ${e.message}`));
  }
  const raw = doc.toJS() ?? {};
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(source, describeIssues(result.error.issues));
  return result.data;
}

export function loadConfig(file: string): TollgateConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read file: ${(err as Error).message}`]);
  }
  return parseConfig(text, file);
}

/** Configuration used when no --config is given: no plans, no tenants, embedded defaults. */
export function defaultConfig(): TollgateConfig {
  return parseConfig('{}', '(defaults)');
}

/** Server URLs from the environment override the file, so the same file works in every environment. */
export function applyEnvironment(config: TollgateConfig, env: NodeJS.ProcessEnv = process.env): TollgateConfig {
  return {
    ...config,
    redis: { ...config.redis, url: env.REDIS_URL ?? config.redis.url },
  };
}
