import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transactionId } from '../../ledger-service/src/domain/transaction.js';

const PSQL = '/usr/lib/postgresql/15/bin/psql';

/**
 * The baseline: N postings as TabSeparated rows, bulk-loaded with `\copy … FROM` through psql into a table shaped
 * like the ledger's postings (the columns every posting has, same primary key) in the same Postgres — no triggers, no
 * hash chain, no transactions table. A usage line's four columns (feature, hour, revision, quantity; migration 0004)
 * are left out: the narrower rows load faster, so the comparison is the stricter one. Returns seconds of wall time.
 */
export function rawCopySeconds(databaseUrl: string, n: number, dir: string): number {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const tx = transactionId(`raw:${i >> 1}`);
    lines.push(`${tx}\t${i & 1}\t${i & 1 ? 'revenue:usage:api_calls' : `customer:t${(i >> 1) % 100}:unbilled`}\tUSD\t${i & 1 ? '-' : ''}0.${(i % 97) + 1}\n`);
  }
  const file = join(dir, 'postings.tsv');
  writeFileSync(file, lines.join(''));
  const psql = (command: string) => {
    const r = spawnSync(PSQL, [databaseUrl, '-v', 'ON_ERROR_STOP=1', '-q', '-c', command], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  };
  psql(`CREATE TABLE bench_raw_postings (transaction_id uuid, line smallint, account text, currency text, amount numeric, PRIMARY KEY (transaction_id, line))`);
  const started = performance.now();
  psql(`\\copy bench_raw_postings FROM '${file}'`);
  const seconds = (performance.now() - started) / 1000;
  psql('DROP TABLE bench_raw_postings');
  return seconds;
}
