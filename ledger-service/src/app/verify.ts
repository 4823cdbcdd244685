import { readTransactionPage } from '../adapters/ledger-store.js';
import type { Database } from '../adapters/database.js';
import { findChainBreak, GENESIS_HASH, type ChainBreak } from '../domain/transaction.js';

export interface VerifyReport {
  ok: boolean;
  transactions: number;
  firstBreak?: ChainBreak;
}

/** Recomputes the hash chain from the first transaction and reports the first one that does not match. */
export async function verifyLedger(db: Database, pageSize = 5000): Promise<VerifyReport> {
  let prevHash = GENESIS_HASH;
  let seq = 0;
  let count = 0;
  for (;;) {
    const page = await readTransactionPage(db, seq, pageSize);
    if (page.length === 0) return { ok: true, transactions: count };
    const broken = findChainBreak(page, prevHash, seq + 1);
    if (broken) return { ok: false, transactions: count + page.findIndex((t) => t.seq === broken.seq), firstBreak: broken };
    count += page.length;
    prevHash = page[page.length - 1].hash;
    seq = page[page.length - 1].seq;
  }
}
