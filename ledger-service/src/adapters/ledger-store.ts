import type { AccountSpec } from '../domain/accounts.js';
import { canonical } from '../domain/money.js';
import {
  chainHash,
  GENESIS_HASH,
  inputHash,
  transactionId,
  type PostingInput,
  type StoredPosting,
  type StoredTransaction,
  type TransactionInput,
  type TransactionKind,
} from '../domain/transaction.js';
import { iso } from '../domain/periods.js';
import { copyField, NULL_FIELD } from './copy-in.js';
import type { Sql } from './database.js';

/** The same idempotency key arrived with a different input: never silently accepted, never overwritten. */
export class IdempotencyConflict extends Error {
  override name = 'IdempotencyConflict';
  constructor(readonly idempotencyKey: string) {
    super(`idempotency key "${idempotencyKey}" was already used for a different transaction`);
  }
}

export interface AppendResult {
  transaction: StoredTransaction;
  /** True when the key was already recorded with the same input: nothing new was written. */
  replayed: boolean;
}

/** Every append takes this lock, so the hash chain has one writer at a time and seq has no gaps. */
const CHAIN_LOCK = 726173;

interface TransactionRow {
  seq: string;
  id: string;
  idempotency_key: string;
  input_hash: string;
  kind: TransactionKind;
  tenant_id: string | null;
  effective_at: Date;
  recorded_at: Date;
  description: string;
  feature_id: string | null;
  window_start: Date | null;
  revision: number | null;
  quantity: string | null;
  invoice_id: string | null;
  prev_hash: string;
  hash: string;
  postings: PostingRow[] | string | null;
}

/** account, currency, amount, and for a usage line feature, hour, revision and quantity (else nulls). */
type PostingRow = [string, string, string, string | null, string | null, number | null, string | null];

const SELECT_TRANSACTIONS = `SELECT t.seq, t.id, t.idempotency_key, t.input_hash, t.kind, t.tenant_id, t.effective_at, t.recorded_at,
  t.description, t.feature_id, t.window_start, t.revision, t.quantity::text AS quantity, t.invoice_id, t.prev_hash, t.hash,
  (SELECT json_agg(json_build_array(p.account, p.currency, p.amount::text, p.feature_id, p.window_start, p.revision, p.quantity::text) ORDER BY p.line)
   FROM postings p WHERE p.transaction_id = t.id) AS postings
  FROM transactions t`;

function fromRow(row: TransactionRow): StoredTransaction {
  const postings = (typeof row.postings === 'string' ? JSON.parse(row.postings) : row.postings ?? []) as PostingRow[];
  return {
    seq: Number(row.seq),
    id: row.id,
    idempotencyKey: row.idempotency_key,
    inputHash: row.input_hash,
    kind: row.kind,
    tenantId: row.tenant_id,
    effectiveAt: new Date(row.effective_at),
    recordedAt: new Date(row.recorded_at),
    description: row.description,
    featureId: row.feature_id,
    windowStart: row.window_start ? new Date(row.window_start) : null,
    revision: row.revision,
    quantity: row.quantity,
    invoiceId: row.invoice_id,
    postings: postings.map(([account, currency, amount, featureId, windowStart, revision, quantity]) =>
      revision === null
        ? { account, currency, amount }
        : { account, currency, amount, usage: { featureId: featureId!, windowStart: new Date(windowStart!), revision, quantity: quantity! } },
    ),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export async function readTransactionsByKey(sql: Sql, keys: string[]): Promise<StoredTransaction[]> {
  if (keys.length === 0) return [];
  return (await sql.query<TransactionRow>(`${SELECT_TRANSACTIONS} WHERE t.idempotency_key = ANY($1::text[]) ORDER BY t.seq`, [keys])).map(fromRow);
}

export async function readTransactionsById(sql: Sql, ids: string[]): Promise<StoredTransaction[]> {
  if (ids.length === 0) return [];
  return (await sql.query<TransactionRow>(`${SELECT_TRANSACTIONS} WHERE t.id = ANY($1::uuid[]) ORDER BY t.seq`, [ids])).map(fromRow);
}

/** A page of the chain in seq order, for verification and comparison. */
export async function readTransactionPage(sql: Sql, afterSeq: number, limit: number): Promise<StoredTransaction[]> {
  return (await sql.query<TransactionRow>(`${SELECT_TRANSACTIONS} WHERE t.seq > $1 ORDER BY t.seq LIMIT $2`, [afterSeq, limit])).map(fromRow);
}

export async function readTenantTransactions(sql: Sql, tenantId: string, kinds?: TransactionKind[]): Promise<StoredTransaction[]> {
  const rows = kinds
    ? await sql.query<TransactionRow>(`${SELECT_TRANSACTIONS} WHERE t.tenant_id = $1 AND t.kind = ANY($2::text[]) ORDER BY t.seq`, [tenantId, kinds])
    : await sql.query<TransactionRow>(`${SELECT_TRANSACTIONS} WHERE t.tenant_id = $1 ORDER BY t.seq`, [tenantId]);
  return rows.map(fromRow);
}

export interface ChainHead {
  seq: number;
  hash: string;
}

export async function readChainHead(sql: Sql): Promise<ChainHead> {
  const [head] = await sql.query<{ seq: string; hash: string }>('SELECT seq, hash FROM transactions ORDER BY seq DESC LIMIT 1');
  return head ? { seq: Number(head.seq), hash: head.hash } : { seq: 0, hash: GENESIS_HASH };
}

/** New transactions with their seq numbers and chain hashes, computed after `before`; nothing written yet. */
export interface PreparedAppend {
  before: ChainHead;
  after: ChainHead;
  fresh: StoredTransaction[];
  accounts: AccountSpec[];
}

/** A prepared batch as COPY text, encoded ahead: nothing is left to compute while its database transaction is open. */
export interface EncodedBatch {
  /** The chain head the batch follows. */
  before: ChainHead;
  keys: string[];
  accounts: AccountSpec[];
  transactions: Buffer;
  postings: Buffer;
}

export function encodeBatch(prepared: PreparedAppend): EncodedBatch {
  return {
    before: prepared.before,
    keys: prepared.fresh.map((t) => t.idempotencyKey),
    accounts: prepared.accounts,
    transactions: Buffer.from(transactionsCopyText(prepared.fresh)),
    postings: Buffer.from(postingsCopyText(prepared.fresh)),
  };
}

/** The first occurrence of each key; the same key twice in one batch with different inputs is a conflict. */
function distinctByKey(inputs: TransactionInput[], hashes: string[]): Map<string, number> {
  const byKey = new Map<string, number>();
  inputs.forEach((input, i) => {
    const first = byKey.get(input.idempotencyKey);
    if (first === undefined) byKey.set(input.idempotencyKey, i);
    else if (hashes[first] !== hashes[i]) throw new IdempotencyConflict(input.idempotencyKey);
  });
  return byKey;
}

function storedPosting(p: PostingInput): StoredPosting {
  const amount = canonical(p.amount);
  if (!p.usage) return { account: p.account.id, currency: p.currency, amount };
  const quantity = canonical(p.usage.quantity);
  return { account: p.account.id, currency: p.currency, amount, usage: quantity === p.usage.quantity ? p.usage : { ...p.usage, quantity } };
}

/** Pure: seq numbers and chain hashes for the inputs whose keys are not in `existing`, following `head`. */
export function prepareAppend(inputs: TransactionInput[], head: ChainHead, now: Date, existing: ReadonlySet<string> = new Set()): PreparedAppend {
  const hashes = inputs.map(inputHash);
  const byKey = distinctByKey(inputs, hashes);
  let seq = head.seq;
  let prevHash = head.hash;
  const fresh: StoredTransaction[] = [];
  const accounts = new Map<string, AccountSpec>();
  for (const [key, i] of byKey) {
    if (existing.has(key)) continue;
    const input = inputs[i];
    for (const p of input.postings) accounts.set(p.account.id, p.account);
    const stored: StoredTransaction = {
      seq: ++seq,
      id: transactionId(key),
      idempotencyKey: key,
      inputHash: hashes[i],
      kind: input.kind,
      tenantId: input.tenantId ?? null,
      effectiveAt: input.effectiveAt,
      recordedAt: now,
      description: input.description,
      featureId: null,
      windowStart: null,
      revision: null,
      quantity: null,
      invoiceId: input.invoiceId ?? null,
      postings: input.postings.map(storedPosting),
      prevHash,
      hash: '',
    };
    stored.hash = chainHash(stored);
    prevHash = stored.hash;
    fresh.push(stored);
  }
  return { before: head, after: { seq, hash: prevHash }, fresh, accounts: [...accounts.values()] };
}

/**
 * Appends transactions in one database transaction (the caller's): replays are answered from what is stored,
 * conflicts throw, new ones get the next seq numbers and hashes and are bulk-inserted. The database checks the
 * balance of each at COMMIT.
 */
export async function appendTransactions(sql: Sql, inputs: TransactionInput[], now: Date): Promise<AppendResult[]> {
  if (inputs.length === 0) return [];
  await lockChain(sql);
  const hashes = inputs.map(inputHash);
  const byKey = distinctByKey(inputs, hashes);
  const existing = new Map(
    (
      await sql.query<{ idempotency_key: string; input_hash: string }>(
        'SELECT idempotency_key, input_hash FROM transactions WHERE idempotency_key = ANY($1::text[])',
        [[...byKey.keys()]],
      )
    ).map((r) => [r.idempotency_key, r.input_hash]),
  );
  for (const [key, i] of byKey) {
    const stored = existing.get(key);
    if (stored !== undefined && stored !== hashes[i]) throw new IdempotencyConflict(key);
  }
  const prepared = prepareAppend(inputs, await readChainHead(sql), now, new Set(existing.keys()));
  await insertAccounts(sql, prepared.accounts);
  await insertTransactions(sql, prepared.fresh);

  const replayed = await readTransactionsByKey(sql, [...existing.keys()]);
  const results = new Map<string, AppendResult>([
    ...prepared.fresh.map((t): [string, AppendResult] => [t.idempotencyKey, { transaction: t, replayed: false }]),
    ...replayed.map((t): [string, AppendResult] => [t.idempotencyKey, { transaction: t, replayed: true }]),
  ]);
  return inputs.map((input) => results.get(input.idempotencyKey)!);
}

/**
 * Writes a batch prepared ahead of time (while the previous batch was being written), if the chain still ends where
 * it was prepared to follow and none of its keys was recorded meanwhile; otherwise writes nothing and answers
 * 'stale', and the caller appends the inputs the ordinary way. Accounts in `knownAccounts` (committed earlier) are
 * not inserted again. Needs COPY (Postgres, not PGlite).
 */
export async function writeEncoded(sql: Sql, batch: EncodedBatch, knownAccounts?: ReadonlySet<string>): Promise<'written' | 'stale'> {
  if (!sql.copyIn) throw new Error('writeEncoded needs COPY (Postgres)');
  if (batch.keys.length === 0) return 'written';
  // Locked first, in a statement of its own: the next statement's snapshot then sees every append committed before.
  await lockChain(sql);
  const [check] = await sql.query<{ seq: string | null; hash: string | null; recorded: string }>(
    `SELECT head.seq, head.hash, (SELECT count(*) FROM transactions WHERE idempotency_key = ANY($1::text[])) AS recorded
     FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT seq, hash FROM transactions ORDER BY seq DESC LIMIT 1) head ON true`,
    [batch.keys],
  );
  const head: ChainHead = check.seq === null ? { seq: 0, hash: GENESIS_HASH } : { seq: Number(check.seq), hash: check.hash! };
  if (head.seq !== batch.before.seq || head.hash !== batch.before.hash || Number(check.recorded) > 0) return 'stale';
  await insertAccounts(sql, knownAccounts ? batch.accounts.filter((a) => !knownAccounts.has(a.id)) : batch.accounts);
  await sql.copyIn('transactions', TRANSACTION_COLUMNS, batch.transactions);
  await sql.copyIn('postings', POSTING_COLUMNS, batch.postings);
  return 'written';
}

async function insertAccounts(sql: Sql, specs: AccountSpec[]): Promise<void> {
  const unique = new Map<string, AccountSpec>();
  for (const a of specs) unique.set(a.id, a);
  if (unique.size === 0) return;
  const list = [...unique.values()];
  await sql.query(
    `INSERT INTO accounts (id, kind, tenant_id, floor_zero)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) ON CONFLICT (id) DO NOTHING`,
    [list.map((a) => a.id), list.map((a) => a.kind), list.map((a) => a.tenantId ?? null), list.map((a) => a.floorZero)],
  );
}

const TRANSACTION_COLUMNS = [
  'seq', 'id', 'idempotency_key', 'input_hash', 'kind', 'tenant_id', 'effective_at', 'recorded_at', 'description',
  'feature_id', 'window_start', 'revision', 'quantity', 'invoice_id', 'prev_hash', 'hash',
] as const;
const TRANSACTION_TYPES = ['bigint', 'uuid', 'text', 'text', 'text', 'text', 'timestamptz', 'timestamptz', 'text', 'text', 'timestamptz', 'integer', 'numeric', 'uuid', 'text', 'text'];
const POSTING_COLUMNS = ['transaction_id', 'line', 'account', 'currency', 'amount', 'feature_id', 'window_start', 'revision', 'quantity'] as const;
const POSTING_TYPES = ['uuid', 'smallint', 'text', 'text', 'numeric', 'text', 'timestamptz', 'integer', 'numeric'];

/** COPY where the driver has it (Postgres), else one INSERT … SELECT unnest(…) per table (PGlite). */
async function insertTransactions(sql: Sql, txs: StoredTransaction[]): Promise<void> {
  if (txs.length === 0) return;
  if (sql.copyIn) {
    await sql.copyIn('transactions', TRANSACTION_COLUMNS, transactionsCopyText(txs));
    await sql.copyIn('postings', POSTING_COLUMNS, postingsCopyText(txs));
    return;
  }
  await insertUnnest(sql, 'transactions', TRANSACTION_COLUMNS, TRANSACTION_TYPES, txs.map((t) => [
    t.seq, t.id, t.idempotencyKey, t.inputHash, t.kind, t.tenantId, iso(t.effectiveAt), iso(t.recordedAt), t.description,
    t.featureId, t.windowStart ? iso(t.windowStart) : null, t.revision, t.quantity, t.invoiceId, t.prevHash, t.hash,
  ]));
  await insertUnnest(sql, 'postings', POSTING_COLUMNS, POSTING_TYPES, txs.flatMap((t) => t.postings.map((p, line) => [
    t.id, line, p.account, p.currency, p.amount,
    p.usage?.featureId ?? null, p.usage ? iso(p.usage.windowStart) : null, p.usage?.revision ?? null, p.usage?.quantity ?? null,
  ])));
}

async function insertUnnest(sql: Sql, table: string, columns: readonly string[], types: string[], rows: Array<Array<string | number | null>>): Promise<void> {
  const arrays = columns.map((_, c) => rows.map((r) => r[c]));
  const casts = types.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
  await sql.query(`INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${casts})`, arrays);
}

/**
 * COPY text of TRANSACTION_COLUMNS, one line per transaction. Only the free-text fields (key, tenant, description,
 * feature) can hold characters COPY must escape; ids, hashes, kinds, times and canonical numbers never do.
 */
function transactionsCopyText(txs: StoredTransaction[]): string {
  let out = '';
  for (const t of txs) {
    out +=
      `${t.seq}\t${t.id}\t${copyField(t.idempotencyKey)}\t${t.inputHash}\t${t.kind}\t${copyField(t.tenantId)}\t${iso(t.effectiveAt)}\t` +
      `${iso(t.recordedAt)}\t${copyField(t.description)}\t${copyField(t.featureId)}\t${t.windowStart ? iso(t.windowStart) : NULL_FIELD}\t` +
      `${t.revision ?? NULL_FIELD}\t${t.quantity ?? NULL_FIELD}\t${t.invoiceId ?? NULL_FIELD}\t${t.prevHash}\t${t.hash}\n`;
  }
  return out;
}

/** COPY text of POSTING_COLUMNS; accounts and features are the only free text (ids of tenants and features). */
function postingsCopyText(txs: StoredTransaction[]): string {
  let out = '';
  for (const t of txs) {
    for (let line = 0; line < t.postings.length; line++) {
      const p = t.postings[line];
      const u = p.usage;
      out += u
        ? `${t.id}\t${line}\t${copyField(p.account)}\t${p.currency}\t${p.amount}\t${copyField(u.featureId)}\t${iso(u.windowStart)}\t${u.revision}\t${u.quantity}\n`
        : `${t.id}\t${line}\t${copyField(p.account)}\t${p.currency}\t${p.amount}\t${NULL_FIELD}\t${NULL_FIELD}\t${NULL_FIELD}\t${NULL_FIELD}\n`;
    }
  }
  return out;
}

/** Holds off every append until the caller's database transaction ends (what it read stays what it writes). */
export async function lockChain(sql: Sql): Promise<void> {
  await sql.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
}
