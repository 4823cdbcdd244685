import * as grpc from '@grpc/grpc-js';
import { loadQuotaProto } from '../../../common/proto.js';
import type { QuotaServiceClient } from '../../../proto/gen/tollgate/v1/QuotaService.js';
import type { CheckResponse__Output } from '../../../proto/gen/tollgate/v1/CheckResponse.js';
import type { Decision, Reason } from '../../../sidecar/src/domain/decision.js';

/** The gateway's one question per request, asked of the local sidecar (usually over its unix socket). */
export class SidecarClient {
  private readonly client: QuotaServiceClient;

  constructor(
    readonly target: string,
    private readonly timeoutMs: number,
  ) {
    const { proto } = loadQuotaProto();
    this.client = new proto.tollgate.v1.QuotaService(target, grpc.credentials.createInsecure(), {
      'grpc.keepalive_time_ms': 30_000,
    });
  }

  check(tenantId: string, featureId: string, cost: number): Promise<Decision> {
    return new Promise((resolve, reject) => {
      this.client.check({ tenantId, featureId, cost, dryRun: false }, { deadline: this.deadline() }, (err, res) =>
        err ? reject(err) : resolve(decisionOf(res!)),
      );
    });
  }

  reserve(tenantId: string, featureId: string, estimate: number): Promise<{ decision: Decision; reservationId: string }> {
    return new Promise((resolve, reject) => {
      this.client.reserve({ tenantId, featureId, estimate, ttlMs: 0 }, { deadline: this.deadline() }, (err, res) =>
        err ? reject(err) : resolve({ decision: decisionOf(res!.decision ?? emptyCheck()), reservationId: res!.reservationId }),
      );
    });
  }

  commit(tenantId: string, reservationId: string, actual: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.client.commit({ tenantId, reservationId, actual }, { deadline: this.deadline() }, (err, res) => (err ? reject(err) : resolve(res!.settled)));
    });
  }

  release(tenantId: string, reservationId: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.client.release({ tenantId, reservationId }, { deadline: this.deadline() }, (err, res) => (err ? reject(err) : resolve(res!.released)));
    });
  }

  close(): void {
    this.client.close();
  }

  private deadline(): Date {
    return new Date(Date.now() + this.timeoutMs);
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
