import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { packageRoot } from '../../../common/paths.js';

const luaDir = resolve(packageRoot, 'sidecar/lua');

/** A script file with its `--!include` lines replaced by the included files, once each. */
export function loadLuaScript(name: string): string {
  const seen = new Set<string>();
  const expand = (file: string): string =>
    readFileSync(resolve(luaDir, file), 'utf8').replace(/^--!include (\S+)\s*$/gm, (_line, included: string) => {
      if (seen.has(included)) return '';
      seen.add(included);
      return expand(included);
    });
  return expand(name);
}

export function scriptSha(source: string): string {
  return createHash('sha1').update(source).digest('hex');
}

/** Script name → number of KEYS, from the `name-N.lua` convention. */
export const luaScripts = {
  check: { file: 'check-4.lua', keys: 4 },
  reserve: { file: 'reserve-5.lua', keys: 5 },
  settle: { file: 'settle-5.lua', keys: 5 },
} as const;
