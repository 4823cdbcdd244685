import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const tsc = (project: string) =>
  run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project, '--noEmit'], { maxBuffer: 16 * 1024 * 1024 }).then(
    () => '',
    (e: { stdout: string }) => e.stdout,
  );

describe('type checks', () => {
  // vitest strips types without checking them; these keep the tests and the k6 scripts honest.
  it('the tests type-check against the code they test', async () => {
    expect(await tsc('tsconfig.test.json')).toBe('');
  }, 180_000);

  it('the k6 scripts type-check against @types/k6', async () => {
    expect(await tsc('loadtest/tsconfig.json')).toBe('');
  }, 180_000);
});
