import * as grpc from '@grpc/grpc-js';
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
 */
export class SidecarQuotaClient {
  private readonly client: grpc.Client;
  private readonly metadata = new grpc.Metadata();

  constructor(target: string, options: { credential?: string; channelOptions?: grpc.ChannelOptions } = {}) {
    const generic = loadQuotaProto().proto.tollgate.v1.QuotaService.service;
    const definition = {
      Check: { ...generic.Check, requestSerialize: encodeCheckRequest, responseDeserialize: decodeCheckResponse },
      CheckBatch: { ...generic.CheckBatch, requestSerialize: encodeCheckBatchRequest, responseDeserialize: decodeCheckBatchResponse },
    } as unknown as grpc.ServiceDefinition;
    const Client = grpc.makeClientConstructor(definition, 'tollgate.v1.QuotaService');
    this.client = new Client(target, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 16 * 1024 * 1024, ...options.channelOptions });
    if (options.credential) this.metadata.set('authorization', `Bearer ${options.credential}`);
  }

  check(item: CheckItem): Promise<Decision> {
    return this.call('Check', item);
  }

  /** Up to 1,000 items, answered in order; a malformed item comes back as `error`. */
  async checkBatch(items: CheckItem[]): Promise<BatchItemResult[]> {
    return (await this.call<{ results: BatchItemResult[] }>('CheckBatch', { items })).results;
  }

  close(): void {
    this.client.close();
  }

  private call<T>(method: 'Check' | 'CheckBatch', request: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      const invoke = (this.client as unknown as Record<string, (req: unknown, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res: T) => void) => void>)[method];
      invoke.call(this.client, request, this.metadata, (err, res) => (err ? reject(err) : resolve(res)));
    });
  }
}
