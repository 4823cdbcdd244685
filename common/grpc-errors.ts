import { status, type ServiceError, Metadata } from '@grpc/grpc-js';

/** The one error type handlers throw for the wire; everything else is mapped to INTERNAL at the boundary. */
export class ServerError extends Error {
  constructor(
    readonly code: status,
    readonly details: string,
    readonly field?: string,
  ) {
    super(details);
    this.name = 'ServerError';
  }
}

export function invalidArgument(field: string, problem: string): ServerError {
  return new ServerError(status.INVALID_ARGUMENT, `${field}: ${problem}`, field);
}

export function toServiceError(err: unknown): Partial<ServiceError> {
  if (err instanceof ServerError) {
    const metadata = new Metadata();
    if (err.field) metadata.set('tollgate-field', err.field);
    return { code: err.code, details: err.details, metadata };
  }
  return { code: status.INTERNAL, details: `internal error: ${(err as Error)?.message ?? String(err)}` };
}
