import { status } from '@grpc/grpc-js';
import { ServerError } from '../../../common/grpc-errors.js';
import { IdempotencyConflict } from '../adapters/ledger-store.js';
import { LedgerError, type LedgerErrorKind } from '../app/errors.js';
import { MigrationError } from '../adapters/migrations.js';

const grpcCodes: Record<LedgerErrorKind, status> = {
  invalid_argument: status.INVALID_ARGUMENT,
  unauthenticated: status.UNAUTHENTICATED,
  not_found: status.NOT_FOUND,
  already_exists: status.ALREADY_EXISTS,
  failed_precondition: status.FAILED_PRECONDITION,
  conflict: status.ALREADY_EXISTS,
};

const httpStatuses: Record<LedgerErrorKind, number> = {
  invalid_argument: 400,
  unauthenticated: 401,
  not_found: 404,
  already_exists: 409,
  failed_precondition: 409,
  conflict: 409,
};

/** Refusals the caller can act on; anything else is a failure of the service. */
export function asLedgerError(err: unknown): LedgerError | undefined {
  if (err instanceof LedgerError) return err;
  if (err instanceof IdempotencyConflict) return new LedgerError('conflict', err.message, 'idempotency_key');
  if (err instanceof MigrationError) return new LedgerError('failed_precondition', err.message);
  return undefined;
}

export function toGrpcError(err: unknown): ServerError | unknown {
  const e = asLedgerError(err);
  return e ? new ServerError(grpcCodes[e.kind], e.message, e.field) : err;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  field?: string;
}

export function toProblem(err: unknown): Problem {
  const e = asLedgerError(err);
  if (!e) return { type: 'about:blank', title: 'internal error', status: 500, detail: (err as Error)?.message ?? String(err) };
  return { type: `https://tollgate.dev/problems/${e.kind.replace(/_/g, '-')}`, title: e.kind.replace(/_/g, ' '), status: httpStatuses[e.kind], detail: e.message, field: e.field };
}
