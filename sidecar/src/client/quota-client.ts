import * as grpc from '@grpc/grpc-js';
import { sidecarCaller, type UnaryCaller } from '../../../common/local-call-client.js';
import { loadQuotaProto } from '../../../common/proto.js';
import type { Decision } from '../domain/decision.js';
import {
  decodeCheckBatchResponse,
  decodeCheckResponse,
  encodeCheckBatchRequest,
  encodeCheckRequest,
  type BatchItemResult,
  type CheckItem,
} from '../api/check-wire.js';

/**
 * A client for the sidecar's hot calls, Check and CheckBatch, with the direct codecs of check-wire.ts: decisions
 * arrive as plain objects with numbers (no int64 strings), at a fraction of the generic codec's cost per item.
 * Credentials (a tenant API key or a service token) go in `authorization: Bearer`.
 *
 * On a `unix:` target it speaks the sidecar's local call protocol (sidecar/README.md; a fifth of a gRPC round trip
 * on this project's VMs), falling back to gRPC by itself when the sidecar does not; `transport: 'grpc'` keeps gRPC.
 * Local calls are bounded by `timeoutMs` (default 30 s); gRPC calls carry no deadline unless the channel sets one.
 */
export class SidecarQuotaClient {
  private readonly client?: grpc.Client;
  private readonly local?: UnaryCaller;
  private readonly metadata = new grpc.Metadata();
  private readonly headers: Record<string, string> = {};
  private readonly paths: Record<'Check' | 'CheckBatch', string>;

  constructor(target: string, options: { credential?: string; channelOptions?: grpc.ChannelOptions; transport?: 'local' | 'grpc'; timeoutMs?: number } = {}) {
    const generic = loadQuotaProto().proto.tollgate.v1.QuotaService.service;
    this.paths = { Check: generic.Check.path, CheckBatch: generic.CheckBatch.path };
    if (options.credential) {
      this.metadata.set('authorization', `Bearer ${options.credential}`);
      this.headers.authorization = `Bearer ${options.credential}`;
    }
    if (target.startsWith('unix:') && options.transport !== 'grpc') {
      this.local = sidecarCaller(target, options.timeoutMs ?? 30_000, 'local');
      return;
    }
    const definition = {
      Check: { ...generic.Check, requestSerialize: encodeCheckRequest, responseDeserialize: decodeCheckResponse },
      CheckBatch: { ...generic.CheckBatch, requestSerialize: encodeCheckBatchRequest, responseDeserialize: decodeCheckBatchResponse },
    } as unknown as grpc.ServiceDefinition;
    const Client = grpc.makeClientConstructor(definition, 'tollgate.v1.QuotaService');
    this.client = new Client(target, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 16 * 1024 * 1024, ...options.channelOptions });
  }

  async check(item: CheckItem): Promise<Decision> {
    if (this.local) return decodeCheckResponse(await this.local.call(this.paths.Check, encodeCheckRequest(item), { metadata: this.headers }));
    return this.call('Check', item);
  }

  /** Up to 1,000 items, answered in order; a malformed item comes back as `error`. */
  async checkBatch(items: CheckItem[]): Promise<BatchItemResult[]> {
    if (this.local) return decodeCheckBatchResponse(await this.local.call(this.paths.CheckBatch, encodeCheckBatchRequest({ items }), { metadata: this.headers })).results;
    return (await this.call<{ results: BatchItemResult[] }>('CheckBatch', { items })).results;
  }

  close(): void {
    this.client?.close();
    this.local?.close();
  }

  private call<T>(method: 'Check' | 'CheckBatch', request: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      const invoke = (this.client as unknown as Record<string, (req: unknown, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res: T) => void) => void>)[method];
      invoke.call(this.client, request, this.metadata, (err, res) => (err ? reject(err) : resolve(res)));
    });
  }
}
