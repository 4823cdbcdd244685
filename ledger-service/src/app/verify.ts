import { readTransactionPage } from '../adapters/ledger-store.js';
import type { Database } from '../adapters/database.js';
import { findChainBreak, GENESIS_HASH, type ChainBreak } from '../domain/transaction.js';

export interface VerifyReport {
  ok: boolean;
  transactions: number;
  firstBreak?: ChainBreak;
}

/** Postings read per page, about: a usage transaction can hold up to 10,000 lines, most transactions a few postings. */
const POSTINGS_PER_PAGE = 50_000;

/**
 * Recomputes the hash chain from the first transaction and reports the first one that does not match. Pages start
 * small and grow while their transactions are small, up to `maxPageSize` transactions, so memory stays bounded
 * whatever the transactions hold.
 */
export async function verifyLedger(db: Database, maxPageSize = 5000): Promise<VerifyReport> {
  let prevHash = GENESIS_HASH;
  let seq = 0;
  let count = 0;
  let pageSize = Math.min(maxPageSize, 5);
  for (;;) {
    const page = await readTransactionPage(db, seq, pageSize);
    const postings = page.reduce((n, t) => n + t.postings.length, 0);
    pageSize = postings * 4 <= POSTINGS_PER_PAGE ? Math.min(maxPageSize, pageSize * 4) : Math.max(1, Math.floor((pageSize * POSTINGS_PER_PAGE) / Math.max(postings, 1) / 2));
    if (page.length === 0) return { ok: true, transactions: count };
    const broken = findChainBreak(page, prevHash, seq + 1);
    if (broken) return { ok: false, transactions: count + page.findIndex((t) => t.seq === broken.seq), firstBreak: broken };
    count += page.length;
    prevHash = page[page.length - 1].hash;
    seq = page[page.length - 1].seq;
  }
}
