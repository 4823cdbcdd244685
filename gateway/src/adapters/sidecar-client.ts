import type { ServiceDefinition } from '@grpc/grpc-js';
import { sidecarCaller, type UnaryCaller } from '../../../common/local-call-client.js';
import { loadQuotaProto, loadUsageProto } from '../../../common/proto.js';
import type { CheckResponse__Output } from '../../../proto/gen/tollgate/v1/CheckResponse.js';
import type { CommitResponse__Output } from '../../../proto/gen/tollgate/v1/CommitResponse.js';
import type { ReleaseResponse__Output } from '../../../proto/gen/tollgate/v1/ReleaseResponse.js';
import type { ReportBatchResponse__Output } from '../../../proto/gen/tollgate/v1/ReportBatchResponse.js';
import type { ReserveResponse__Output } from '../../../proto/gen/tollgate/v1/ReserveResponse.js';
import { decodeCheckResponse, encodeCheckRequest } from '../../../sidecar/src/api/check-wire.js';
import type { Decision, Reason } from '../../../sidecar/src/domain/decision.js';

/**
 * The gateway's one question per request, asked of the local sidecar. Over its unix socket the question goes in the
 * sidecar's local call protocol (common/local-call-wire.ts: the same messages without HTTP/2, about a fifth of an
 * HTTP/2 round trip at p50 in bench:edge), falling back to gRPC if the sidecar does not speak it; over TCP, or with
 * `protocol: grpc`, on a plain HTTP/2 connection (common/grpc-h2-client.ts: half a grpc-js call's CPU). Check, the
 * call on every request, uses the sidecar's direct codecs (check-wire.ts); Reserve, Commit and Release the proto's generated ones. The question
 * is bounded by `timeoutMs`, so a request never hangs on a stuck sidecar; Commit and Release, sent after the response,
 * by `settleTimeoutMs`, as are the batches of usage the gateway reports (UsageService.ReportBatch, on the same connection).
 */
export class SidecarClient {
  private readonly client: UnaryCaller;
  private readonly service: ServiceDefinition;
  private readonly usage: ServiceDefinition;

  constructor(
    readonly target: string,
    timeoutMs: number,
    private readonly settleTimeoutMs = timeoutMs,
    protocol: 'local' | 'grpc' = 'local',
  ) {
    this.client = sidecarCaller(target, timeoutMs, protocol);
    this.service = loadQuotaProto().proto.tollgate.v1.QuotaService.service;
    this.usage = loadUsageProto().proto.tollgate.v1.UsageService.service;
  }

  async check(tenantId: string, featureId: string, cost: number): Promise<Decision> {
    return decodeCheckResponse(await this.client.call(this.service.Check.path, encodeCheckRequest({ tenantId, featureId, cost })));
  }

  async reserve(tenantId: string, featureId: string, estimate: number): Promise<{ decision: Decision; reservationId: string }> {
    const res = await this.unary<ReserveResponse__Output>('Reserve', { tenantId, featureId, estimate, ttlMs: 0 });
    return { decision: decisionOf(res.decision ?? emptyCheck()), reservationId: res.reservationId };
  }

  async commit(tenantId: string, reservationId: string, actual: number): Promise<boolean> {
    return (await this.unary<CommitResponse__Output>('Commit', { tenantId, reservationId, actual }, this.settleTimeoutMs)).settled;
  }

  async release(tenantId: string, reservationId: string): Promise<boolean> {
    return (await this.unary<ReleaseResponse__Output>('Release', { tenantId, reservationId }, this.settleTimeoutMs)).released;
  }

  /** One UsageService.ReportBatch; `request` is an encoded ReportBatchRequest (ReportBatchWriter). */
  async reportUsage(request: Buffer): Promise<ReportBatchResponse__Output> {
    const m = this.usage.ReportBatch;
    return m.responseDeserialize(await this.client.call(m.path, request, { timeoutMs: this.settleTimeoutMs })) as ReportBatchResponse__Output;
  }

  /** Calls in flight (a last Commit or Release) still complete. */
  close(): void {
    this.client.close();
  }

  private async unary<Res>(method: 'Reserve' | 'Commit' | 'Release', request: object, timeoutMs?: number): Promise<Res> {
    const m = this.service[method];
    return m.responseDeserialize(await this.client.call(m.path, m.requestSerialize(request), { timeoutMs })) as Res;
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
