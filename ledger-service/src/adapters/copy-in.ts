import type { Connection } from 'pg';

/**
 * `COPY … FROM STDIN` on a pg client, for the ledger's batch appends: the text format is parsed far faster by the
 * server than the same rows bound as arrays to INSERT … SELECT unnest(…). (A minimal pg "submittable": the client
 * hands it the connection when it is this query's turn and routes the server's replies to it.)
 */
export class CopyIn {
  readonly done: Promise<void>;
  private resolve!: () => void;
  private reject!: (err: Error) => void;
  private error?: Error;

  constructor(
    private readonly text: string,
    private readonly data: Buffer,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: Connection): void {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: Connection & { sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }): void {
    connection.sendCopyFromChunk(this.data);
    connection.endCopyFrom();
  }
  // pg's client forgets the active query when the server reports an error, so ReadyForQuery never reaches it after
  // one: a COPY the server refused (a unique or check violation) is settled here, or it would never settle.
  handleError(err: Error): void {
    this.error = err;
    this.reject(err);
  }
  handleReadyForQuery(): void {
    if (!this.error) this.resolve();
  }
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

export const NULL_FIELD = '\\N';
const SPECIAL = /[\\\t\n\r]/;

/** One field of COPY's text format: NULL as \N, and backslash, tab, newline and carriage return escaped. */
export function copyField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return NULL_FIELD;
  if (typeof value === 'number') return String(value);
  if (!SPECIAL.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

