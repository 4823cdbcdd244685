import { status, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition } from '@grpc/grpc-js';
import { decodeCheckBatchRequest, decodeCheckRequest, encodeCheckBatchResponse, encodeCheckResponse } from './check-wire.js';
import type { CheckBatchItemResult } from '../../../proto/gen/tollgate/v1/CheckBatchItemResult.js';
import type { CheckBatchRequest__Output } from '../../../proto/gen/tollgate/v1/CheckBatchRequest.js';
import type { CheckBatchResponse } from '../../../proto/gen/tollgate/v1/CheckBatchResponse.js';
import type { CheckRequest__Output } from '../../../proto/gen/tollgate/v1/CheckRequest.js';
import type { CheckResponse } from '../../../proto/gen/tollgate/v1/CheckResponse.js';
import type { CommitRequest__Output } from '../../../proto/gen/tollgate/v1/CommitRequest.js';
import type { CommitResponse } from '../../../proto/gen/tollgate/v1/CommitResponse.js';
import type { QuotaServiceHandlers } from '../../../proto/gen/tollgate/v1/QuotaService.js';
import type { ReleaseRequest__Output } from '../../../proto/gen/tollgate/v1/ReleaseRequest.js';
import type { ReleaseResponse } from '../../../proto/gen/tollgate/v1/ReleaseResponse.js';
import type { ReserveRequest__Output } from '../../../proto/gen/tollgate/v1/ReserveRequest.js';
import type { ReserveResponse } from '../../../proto/gen/tollgate/v1/ReserveResponse.js';
import { invalidArgument, ServerError, toServiceError } from '../../../common/grpc-errors.js';
import type { CheckInput, Decision } from '../domain/decision.js';
import type { Decider } from '../ports.js';
import type { Caller, CallerAuth } from './caller-auth.js';
import type { DecisionSink } from '../engine/key-state.js';
import { unary } from './unary.js';
import { requireCount, requireId } from './validate.js';

export const MAX_BATCH_ITEMS = 1000;

export function checkInput(req: CheckRequest__Output, prefix = ''): CheckInput {
  return {
    tenantId: requireId(`${prefix}tenant_id`, req.tenantId),
    featureId: requireId(`${prefix}feature_id`, req.featureId),
    cost: requireCount(`${prefix}cost`, req.cost),
    dryRun: req.dryRun,
  };
}

/** A Decision has CheckResponse's fields by name, so it is sent as it is (no copy on the hot path). */
export function toCheckResponse(d: Decision): CheckResponse {
  return d;
}

/** A store that is unreachable during reserve/commit with no local fallback is a system failure, not a "no". */
function storeFailure(err: unknown): never {
  if (err instanceof ServerError) throw err;
  throw new ServerError(status.UNAVAILABLE, `quota store unavailable: ${(err as Error)?.message ?? String(err)}`);
}

/** QuotaService with the direct encoders for Check and CheckBatch responses (check-wire.ts). */
export function quotaServiceDefinition(generic: ServiceDefinition): ServiceDefinition {
  return {
    ...generic,
    Check: { ...generic.Check, requestDeserialize: decodeCheckRequest, responseSerialize: encodeCheckResponse },
    CheckBatch: { ...generic.CheckBatch, requestDeserialize: decodeCheckBatchRequest, responseSerialize: encodeCheckBatchResponse },
  } as ServiceDefinition;
}

/** A batch item's error, computed again with the item's position in the field name (only for invalid items). */
function itemError(item: CheckRequest__Output, i: number, caller: Caller, auth: CallerAuth): CheckBatchItemResult {
  try {
    const input = checkInput(item, `items[${i}].`);
    auth.requireTenant(caller, input.tenantId, `items[${i}].tenant_id`);
  } catch (err) {
    const e = err as ServerError;
    if (e instanceof ServerError) return { error: { code: e.code, message: e.details, field: e.field ?? '' } };
  }
  return { error: { code: status.INTERNAL, message: `items[${i}]: could not be checked`, field: '' } };
}

/**
 * One CheckBatch call's answer: a slot per item, filled synchronously for items decided locally, and by the engine
 * (as a DecisionSink) for items that waited on Redis. The response goes out when the last slot is filled, directly
 * when none waited. Items are Decisions as they are (the encoder takes either shape, see check-wire.ts).
 */
class BatchAnswer implements DecisionSink {
  readonly results: Array<Decision | CheckBatchItemResult>;
  waiting = 0;
  private open = true;
  private done = false;

  constructor(
    size: number,
    private readonly callback: sendUnaryData<CheckBatchResponse>,
  ) {
    this.results = new Array(size);
  }

  decided(index: number, decision: Decision): void {
    this.results[index] = decision;
    if (--this.waiting === 0 && !this.open) this.finish();
  }

  /** Every item has been submitted. */
  sealed(): void {
    this.open = false;
    if (this.waiting === 0) this.finish();
  }

  fail(err: unknown): void {
    if (this.done) return;
    this.done = true;
    this.callback(toServiceError(err));
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.callback(null, this as unknown as CheckBatchResponse);
  }
}

export function quotaServiceHandlers(decider: Decider, auth: CallerAuth): QuotaServiceHandlers {
  const decideInto = decider.decideInto?.bind(decider);
  return {
    Check: unary((req: CheckRequest__Output, call): CheckResponse | Promise<CheckResponse> => {
      const caller = auth.identifyCall(call);
      const input = checkInput(req);
      auth.requireTenant(caller, input.tenantId);
      return decider.checkNow(input);
    }),

    CheckBatch: (call: ServerUnaryCall<CheckBatchRequest__Output, CheckBatchResponse>, callback: sendUnaryData<CheckBatchResponse>): void => {
      const started = performance.now();
      let caller: Caller;
      const items = call.request.items;
      try {
        caller = auth.identifyCall(call);
        if (items.length > MAX_BATCH_ITEMS) throw invalidArgument('items', `has ${items.length} entries; at most ${MAX_BATCH_ITEMS} are allowed`);
      } catch (err) {
        callback(toServiceError(err));
        return;
      }
      const answer = new BatchAnswer(items.length, callback);
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        let input: CheckInput;
        try {
          input = checkInput(item);
          const denied = auth.tenantDenied(caller, input.tenantId, 'tenant_id');
          if (denied) throw denied;
        } catch {
          answer.results[i] = itemError(item, i, caller, auth);
          continue;
        }
        const d = decideInto ? decideInto(input, answer, i, started) : decider.checkNow(input);
        if (d === undefined) answer.waiting++;
        else if (d instanceof Promise) {
          answer.waiting++;
          d.then((decision) => answer.decided(i, decision), (err: unknown) => answer.fail(err));
        } else answer.results[i] = d;
      }
      answer.sealed();
    },

    Reserve: unary(async (req: ReserveRequest__Output, call): Promise<ReserveResponse> => {
      const caller = auth.identifyCall(call);
      const input = {
        tenantId: requireId('tenant_id', req.tenantId),
        featureId: requireId('feature_id', req.featureId),
        estimate: requireCount('estimate', req.estimate, { positive: true }),
        ttlMs: requireCount('ttl_ms', req.ttlMs),
        reservationId: req.reservationId ? requireId('reservation_id', req.reservationId) : undefined,
      };
      if (input.ttlMs > 86_400_000) throw invalidArgument('ttl_ms', 'must be at most 86400000 (one day)');
      auth.requireTenant(caller, input.tenantId);
      const r = await decider.reserve(input).catch(storeFailure);
      return { decision: toCheckResponse(r.decision), reservationId: r.reservationId, expiresInMs: r.expiresInMs };
    }),

    Commit: unary(async (req: CommitRequest__Output, call): Promise<CommitResponse> => {
      const caller = auth.identifyCall(call);
      const tenantId = requireId('tenant_id', req.tenantId);
      auth.requireTenant(caller, tenantId);
      const reservationId = requireId('reservation_id', req.reservationId);
      const actual = requireCount('actual', req.actual);
      const r = await decider.commit(tenantId, reservationId, actual).catch(storeFailure);
      return { settled: r.settled, estimate: r.estimate, actual: r.actual, overage: r.overage };
    }),

    Release: unary(async (req: ReleaseRequest__Output, call): Promise<ReleaseResponse> => {
      const caller = auth.identifyCall(call);
      const tenantId = requireId('tenant_id', req.tenantId);
      auth.requireTenant(caller, tenantId);
      const reservationId = requireId('reservation_id', req.reservationId);
      return { released: await decider.release(tenantId, reservationId).catch(storeFailure) };
    }),
  };
}
