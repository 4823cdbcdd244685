import * as grpc from '@grpc/grpc-js';
import { loadQuotaProto } from '../../../common/proto.js';
import type { QuotaServiceClient } from '../../../proto/gen/tollgate/v1/QuotaService.js';
import type { CheckResponse__Output } from '../../../proto/gen/tollgate/v1/CheckResponse.js';
import type { CommitResponse__Output } from '../../../proto/gen/tollgate/v1/CommitResponse.js';
import type { ReleaseResponse__Output } from '../../../proto/gen/tollgate/v1/ReleaseResponse.js';
import type { ReserveResponse__Output } from '../../../proto/gen/tollgate/v1/ReserveResponse.js';
import { decodeCheckResponse, encodeCheckRequest } from '../../../sidecar/src/api/check-wire.js';
import type { Decision, Reason } from '../../../sidecar/src/domain/decision.js';

/**
 * The gateway's one question per request, asked of the local sidecar (usually over its unix socket).
 *
 * Calls are bounded by `timeoutMs` through one sweeping timer rather than a gRPC deadline per call: a deadline
 * costs a timer on each side and a grpc-timeout header per call (~0.1 ms a call, measured), and a coarse bound is
 * enough here — the point is that a request never hangs on a stuck sidecar.
 */
export class SidecarClient {
  private readonly client: QuotaServiceClient;
  private readonly inFlight = new Map<grpc.ClientUnaryCall, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    readonly target: string,
    private readonly timeoutMs: number,
  ) {
    // Check, the call on every request, goes through the sidecar's direct codecs (check-wire.ts): the decision
    // arrives as numbers, without protobufjs's Long/string round trip.
    const generic = loadQuotaProto().proto.tollgate.v1.QuotaService.service;
    const definition = { ...generic, Check: { ...generic.Check, requestSerialize: encodeCheckRequest, responseDeserialize: decodeCheckResponse } };
    const Client = grpc.makeClientConstructor(definition as unknown as grpc.ServiceDefinition, 'tollgate.v1.QuotaService');
    this.client = new Client(target, grpc.credentials.createInsecure(), { 'grpc.keepalive_time_ms': 30_000 }) as unknown as QuotaServiceClient;
    this.sweeper = setInterval(() => this.cancelOverdue(), Math.max(5, Math.min(50, Math.floor(timeoutMs / 5))));
    this.sweeper.unref();
  }

  private track<T>(start: (done: (err: grpc.ServiceError | null, value?: T) => void) => grpc.ClientUnaryCall): Promise<T> {
    return new Promise((resolve, reject) => {
      const call = start((err, value) => {
        this.inFlight.delete(call);
        if (err) reject(err);
        else resolve(value as T);
      });
      this.inFlight.set(call, performance.now() + this.timeoutMs);
    });
  }

  private cancelOverdue(): void {
    const now = performance.now();
    for (const [call, due] of this.inFlight) {
      if (due <= now) {
        this.inFlight.delete(call);
        call.cancel();
      }
    }
  }

  check(tenantId: string, featureId: string, cost: number): Promise<Decision> {
    const check = this.client.check as unknown as (item: { tenantId: string; featureId: string; cost: number }, done: (err: grpc.ServiceError | null, value?: Decision) => void) => grpc.ClientUnaryCall;
    return this.track<Decision>((done) => check.call(this.client, { tenantId, featureId, cost }, done));
  }

  async reserve(tenantId: string, featureId: string, estimate: number): Promise<{ decision: Decision; reservationId: string }> {
    const res = await this.track<ReserveResponse__Output>((done) => this.client.reserve({ tenantId, featureId, estimate, ttlMs: 0 }, done));
    return { decision: decisionOf(res.decision ?? emptyCheck()), reservationId: res.reservationId };
  }

  async commit(tenantId: string, reservationId: string, actual: number): Promise<boolean> {
    return (await this.track<CommitResponse__Output>((done) => this.client.commit({ tenantId, reservationId, actual }, done))).settled;
  }

  async release(tenantId: string, reservationId: string): Promise<boolean> {
    return (await this.track<ReleaseResponse__Output>((done) => this.client.release({ tenantId, reservationId }, done))).released;
  }

  /** Calls in flight (a last Commit or Release) still complete. */
  close(): void {
    clearInterval(this.sweeper);
    this.client.close();
  }
}

function emptyCheck(): CheckResponse__Output {
  return { allowed: false, reason: 'REASON_UNSPECIFIED', limit: '0', remaining: '0', resetAfterMs: '0', retryAfterMs: '0', overage: false, degraded: false, quotaLimit: '0', quotaRemaining: '0', snapshotVersion: '0' };
}

export function decisionOf(res: CheckResponse__Output): Decision {
  const reason = (res.reason === 'REASON_UNSPECIFIED' ? (res.allowed ? 'OK' : 'STORE_UNAVAILABLE') : res.reason) as Reason;
  return {
    allowed: res.allowed,
    reason,
    limit: Number(res.limit),
    remaining: Number(res.remaining),
    resetAfterMs: Number(res.resetAfterMs),
    retryAfterMs: Number(res.retryAfterMs),
    overage: res.overage,
    degraded: res.degraded,
    quotaLimit: Number(res.quotaLimit),
    quotaRemaining: Number(res.quotaRemaining),
    snapshotVersion: Number(res.snapshotVersion),
  };
}
