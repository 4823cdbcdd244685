/** A refusal the caller can act on; the API edge maps `kind` to a gRPC status and an HTTP status. */
export type LedgerErrorKind = 'invalid_argument' | 'unauthenticated' | 'not_found' | 'already_exists' | 'failed_precondition' | 'conflict';

export class LedgerError extends Error {
  override name = 'LedgerError';
  constructor(
    readonly kind: LedgerErrorKind,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const invalid = (field: string, problem: string) => new LedgerError('invalid_argument', `${field}: ${problem}`, field);
export const notFound = (what: string) => new LedgerError('not_found', what);

/** Postgres raises check_violation (23514) from the balance and floor triggers. */
export function isCheckViolation(err: unknown): err is Error {
  return (err as { code?: string })?.code === '23514';
}
