import { Metadata, status, type sendUnaryData, type ServerReadableStream, type ServiceDefinition, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { invalidArgument, ServerError, toServiceError } from '../../../../common/grpc-errors.js';
import type { UsageReader } from '../../../../common/clickhouse/usage-reader.js';
import type { GetUsageRequest__Output } from '../../../../proto/gen/tollgate/v1/GetUsageRequest.js';
import type { GetUsageResponse } from '../../../../proto/gen/tollgate/v1/GetUsageResponse.js';
import type { ReportBatchRequest__Output } from '../../../../proto/gen/tollgate/v1/ReportBatchRequest.js';
import type { ReportBatchResponse } from '../../../../proto/gen/tollgate/v1/ReportBatchResponse.js';
import type { ReportResult } from '../../../../proto/gen/tollgate/v1/ReportResult.js';
import type { UsageEvent__Output } from '../../../../proto/gen/tollgate/v1/UsageEvent.js';
import type { UsageServiceHandlers } from '../../../../proto/gen/tollgate/v1/UsageService.js';
import { loadUsageProto } from '../../../../common/proto.js';
import { decodeReportBatchRequest, encodeReportBatchResponse, encodeScannedResponse, WireError } from './report-batch-wire.js';
import { unary } from '../../api/unary.js';
import { requireId } from '../../api/validate.js';
import { parseTimestamp, type UsageEventInput } from '../domain/validate-event.js';
import type { ReportOutcome, UsageIngest } from '../ingest.js';
import type { Caller, CallerAuth } from '../../api/caller-auth.js';
import { reportAs, tenantDeniedError } from './report-as.js';

export interface UsageApiDeps {
  ingest: UsageIngest;
  auth: CallerAuth;
  reader: UsageReader;
  maxBatchEvents: number;
}

export function toReportResult(o: ReportOutcome): ReportResult {
  return { eventId: o.eventId, accepted: o.accepted, error: o.error ?? null };
}

export function toBatchResponse(outcomes: ReportOutcome[]): ReportBatchResponse {
  const accepted = outcomes.reduce((n, o) => n + (o.accepted ? 1 : 0), 0);
  return { results: outcomes.map(toReportResult), accepted, rejected: outcomes.length - accepted };
}

function eventInput(e: UsageEvent__Output): UsageEventInput {
  return e;
}

/** A refused single Report is a gRPC error with the event's own code; metadata says which field, why, and the id. */
function refusal(o: ReportOutcome): Partial<ServiceError> {
  const metadata = new Metadata();
  if (o.error!.field) metadata.set('tollgate-field', o.error!.field);
  metadata.set('tollgate-reason', o.error!.reason);
  metadata.set('tollgate-event-id', o.eventId);
  return { code: o.error!.code as status, details: o.error!.message, metadata };
}

function requireTime(field: string, text: string): Date {
  if (!text) throw invalidArgument(field, 'is required (RFC 3339, e.g. "2026-11-21T00:00:00Z")');
  const ms = parseTimestamp(text);
  if (ms === undefined) throw invalidArgument(field, `must be RFC 3339, e.g. "2026-11-21T00:00:00Z", got ${JSON.stringify(text.slice(0, 40))}`);
  return new Date(ms);
}

/**
 * tollgate.v1.UsageService as registered: ReportBatch, the bulk path, takes raw request bytes, validates and encodes
 * them on bytes (report-batch-scan.ts) and returns encoded response bytes (report-batch-wire.ts); the other methods
 * use the generic codec.
 */
export function usageServiceDefinition(): ServiceDefinition {
  const generic = loadUsageProto().proto.tollgate.v1.UsageService.service;
  return {
    ...generic,
    ReportBatch: {
      ...generic.ReportBatch,
      requestDeserialize: (bytes: Buffer) => bytes,
      responseSerialize: (response: ReportBatchResponse | Buffer) => (Buffer.isBuffer(response) ? response : encodeReportBatchResponse(response)),
    },
  } as ServiceDefinition;
}

/** Handlers for usageServiceDefinition(). */
export function usageServiceImplementation(deps: UsageApiDeps): UntypedServiceImplementation {
  const handlers = usageServiceHandlers(deps);
  return {
    ...handlers,
    ReportBatch: unary(async (bytes: Buffer, call): Promise<Buffer> => {
      const started = process.hrtime.bigint();
      const caller = deps.auth.identifyCall(call);
      const restriction = caller.kind === 'tenant' ? { callerTenant: caller.tenantId, denied: (tenantId: string) => tenantDeniedError(deps.auth, caller, tenantId) } : {};
      try {
        const scan = await deps.ingest.scanBatchOffThread(bytes, restriction);
        if (scan) {
          if (scan.events > deps.maxBatchEvents) throw batchTooLarge(scan.events, deps.maxBatchEvents);
          const response = encodeScannedResponse(scan, await deps.ingest.spoolScanned(scan, started));
          deps.ingest.recycle(scan);
          return response;
        }
        // A quota check on report: the generic path.
        const events = decodeReportBatchRequest(bytes);
        if (events.length > deps.maxBatchEvents) throw batchTooLarge(events.length, deps.maxBatchEvents);
        return encodeReportBatchResponse(toBatchResponse(await reportAs(deps.ingest, deps.auth, caller, events)));
      } catch (err) {
        if (err instanceof WireError) throw invalidArgument('events', `malformed ReportBatchRequest: ${err.message}`);
        throw err;
      }
    }),
  };
}

/** The caller, or undefined after answering the call with the authentication error. */
function identifyOrRefuse<T>(auth: CallerAuth, call: Parameters<CallerAuth['identifyCall']>[0], callback: sendUnaryData<T>): Caller | undefined {
  try {
    return auth.identifyCall(call);
  } catch (err) {
    callback(toServiceError(err));
    return undefined;
  }
}

function batchTooLarge(n: number, max: number): ServerError {
  return new ServerError(status.INVALID_ARGUMENT, `events: ${n} events in one batch; at most ${max} are allowed (BATCH_TOO_LARGE)`, 'events');
}

export function usageServiceHandlers(deps: UsageApiDeps): UsageServiceHandlers {
  const tooLarge = (n: number) => batchTooLarge(n, deps.maxBatchEvents);

  return {
    Report(call, callback: sendUnaryData<ReportResult>) {
      const caller = identifyOrRefuse(deps.auth, call, callback);
      if (!caller) return;
      reportAs(deps.ingest, deps.auth, caller, [eventInput(call.request)]).then(
        ([outcome]) => (outcome.accepted ? callback(null, toReportResult(outcome)) : callback(refusal(outcome))),
        (err) => callback(toServiceError(err)),
      );
    },

    ReportBatch: unary(async (request: ReportBatchRequest__Output, call): Promise<ReportBatchResponse> => {
      const caller = deps.auth.identifyCall(call);
      if (request.events.length > deps.maxBatchEvents) throw tooLarge(request.events.length);
      return toBatchResponse(await reportAs(deps.ingest, deps.auth, caller, request.events.map(eventInput)));
    }),

    // A stream has no size limit: events are reported in chunks of max_batch_events as they arrive, with the
    // stream paused while a chunk is made durable.
    ReportStream(call: ServerReadableStream<UsageEvent__Output, ReportBatchResponse>, callback: sendUnaryData<ReportBatchResponse>) {
      const caller = identifyOrRefuse(deps.auth, call, callback);
      if (!caller) return;
      const outcomes: ReportOutcome[] = [];
      let chunk: UsageEventInput[] = [];
      let pending: Promise<void> = Promise.resolve();
      let failed: unknown;
      const flush = () => {
        const events = chunk;
        chunk = [];
        if (events.length === 0) return;
        call.pause();
        pending = pending
          .then(() => reportAs(deps.ingest, deps.auth, caller, events))
          .then((r) => {
            for (const o of r) outcomes.push(o);
          })
          .catch((err: unknown) => {
            failed ??= err;
          })
          .finally(() => call.resume());
      };
      call.on('data', (event: UsageEvent__Output) => {
        chunk.push(eventInput(event));
        if (chunk.length >= deps.maxBatchEvents) flush();
      });
      call.on('end', () => {
        flush();
        void pending.then(() => (failed ? callback(toServiceError(failed)) : callback(null, toBatchResponse(outcomes))));
      });
      call.on('error', () => {
        // The client went away; what was acknowledged stays acknowledged.
      });
    },

    GetUsage: unary(async (request: GetUsageRequest__Output, call): Promise<GetUsageResponse> => {
      const caller = deps.auth.identifyCall(call);
      const tenantId = requireId('tenant_id', request.tenantId);
      deps.auth.requireTenant(caller, tenantId);
      const featureId = requireId('feature_id', request.featureId);
      const from = requireTime('start', request.start);
      const to = requireTime('end', request.end);
      if (to.getTime() <= from.getTime()) throw invalidArgument('end', 'must be after start');
      try {
        const total = await deps.reader.total({ tenantId, featureId, from, to });
        return { quantity: total.quantity, events: String(total.events) };
      } catch (err) {
        throw new ServerError(status.UNAVAILABLE, `usage store unavailable: ${(err as Error).message}`);
      }
    }),
  };
}
