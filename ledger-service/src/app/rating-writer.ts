import {
  appendTransactions,
  encodeBatch,
  IdempotencyConflict,
  prepareAppend,
  readChainHead,
  writeEncoded,
  type ChainHead,
  type EncodedBatch,
} from '../adapters/ledger-store.js';
import type { StoredTransaction, TransactionInput } from '../domain/transaction.js';
import type { LedgerContext } from './context.js';

/**
 * Writes rating's transactions in batches, one batch in flight while the next is priced, hashed and encoded: Node
 * computes while Postgres writes. A batch is prepared to follow the previous one in the chain; if the chain moved
 * meanwhile (another writer) or a key already exists, it is appended the ordinary way instead. Order and content are
 * the same as appending batch after batch.
 */
export class PipelinedWriter {
  private batch: TransactionInput[] = [];
  /** Postings in `batch`: batches are cut by postings, since a usage transaction holds a line per rated hour. */
  private batchPostings = 0;
  private inflight?: Promise<void>;
  private failure?: unknown;
  private head?: ChainHead;
  private written = 0;
  private lines = 0;
  /** Accounts of committed batches: later batches do not insert them again. */
  private readonly knownAccounts = new Set<string>();

  /** Prepared batches are written with COPY; PGlite has none, and there every batch is appended the ordinary way. */
  private readonly prepares: boolean;

  constructor(
    private readonly ctx: LedgerContext,
    private readonly now: Date,
    private readonly conflicts: string[],
    private readonly batchSize: number,
  ) {
    this.prepares = ctx.db.kind === 'postgres';
  }

  async add(input: TransactionInput): Promise<void> {
    this.batch.push(input);
    this.batchPostings += input.postings.length;
    if (this.batchPostings >= this.batchSize) await this.cut();
  }

  /** Ledger transactions and usage lines committed so far (all of them once finish() returns). */
  get committed(): { transactions: number; lines: number } {
    return { transactions: this.written, lines: this.lines };
  }

  async finish(): Promise<void> {
    if (this.batch.length > 0) await this.cut();
    await this.settle();
  }

  private count(transactions: number, lines: number): void {
    this.written += transactions;
    this.lines += lines;
  }

  private async settle(): Promise<void> {
    await this.inflight;
    if (this.failure) throw this.failure;
  }

  private async cut(): Promise<void> {
    const inputs = this.batch;
    this.batch = [];
    this.batchPostings = 0;
    if (!this.prepares) {
      await this.settle();
      this.launch(appendBatch(this.ctx, inputs, this.now, this.conflicts).then((written) => this.count(written.length, usageLines(written))));
      return;
    }
    if (!this.head) {
      await this.settle();
      this.head = await readChainHead(this.ctx.db);
    }
    // Hashed and encoded before the previous batch is done: nothing is left to compute while its transaction is open.
    const prepared = prepareAppend(inputs, this.head, this.now);
    const encoded = encodeBatch(prepared);
    this.head = prepared.after;
    await this.settle();
    this.launch(this.write(inputs, encoded, usageLines(prepared.fresh)));
  }

  /** The next batch's write, in flight while the one after is prepared; its failure is thrown by settle(). */
  private launch(write: Promise<void>): void {
    this.inflight = write.catch((err: unknown) => {
      this.failure = err;
    });
  }

  private async write(inputs: TransactionInput[], batch: EncodedBatch, lines: number): Promise<void> {
    if ((await this.ctx.db.transaction((sql) => writeEncoded(sql, batch, this.knownAccounts))) === 'written') {
      this.count(batch.keys.length, lines);
      for (const account of batch.accounts) this.knownAccounts.add(account.id);
      return;
    }
    this.head = undefined;
    const written = await appendBatch(this.ctx, inputs, this.now, this.conflicts);
    this.count(written.length, usageLines(written));
  }
}

function usageLines(transactions: StoredTransaction[]): number {
  let lines = 0;
  for (const t of transactions) for (const p of t.postings) if (p.usage) lines++;
  return lines;
}

/**
 * A batch either commits whole or, when one of its keys conflicts, is retried one transaction at a time. Answers the
 * transactions it wrote (replays excluded).
 */
async function appendBatch(ctx: LedgerContext, batch: TransactionInput[], now: Date, conflicts: string[]): Promise<StoredTransaction[]> {
  try {
    const results = await ctx.db.transaction((sql) => appendTransactions(sql, batch, now));
    return results.filter((r) => !r.replayed).map((r) => r.transaction);
  } catch (err) {
    if (!(err instanceof IdempotencyConflict)) throw err;
  }
  const written: StoredTransaction[] = [];
  for (const input of batch) {
    try {
      const [result] = await ctx.db.transaction((sql) => appendTransactions(sql, [input], now));
      if (!result.replayed) written.push(result.transaction);
    } catch (err) {
      if (!(err instanceof IdempotencyConflict)) throw err;
      conflicts.push(input.idempotencyKey);
      ctx.logger.error({ key: input.idempotencyKey }, 'rating computed a different transaction for an existing key; left as recorded');
    }
  }
  return written;
}

