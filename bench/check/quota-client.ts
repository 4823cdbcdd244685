import * as grpc from '@grpc/grpc-js';
import { loadQuotaProto } from '../../common/proto.js';
import type { CheckBatchRequest } from '../../proto/gen/tollgate/v1/CheckBatchRequest.js';
import type { CheckBatchResponse__Output } from '../../proto/gen/tollgate/v1/CheckBatchResponse.js';
import type { CheckRequest } from '../../proto/gen/tollgate/v1/CheckRequest.js';
import type { CheckResponse__Output } from '../../proto/gen/tollgate/v1/CheckResponse.js';
import type { QuotaServiceClient } from '../../proto/gen/tollgate/v1/QuotaService.js';

/** A promise-returning QuotaService client over one HTTP/2 connection. */
export class QuotaClient {
  private readonly client: QuotaServiceClient;

  constructor(address: string) {
    const { proto } = loadQuotaProto();
    this.client = new proto.tollgate.v1.QuotaService(address, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': 8 * 1024 * 1024,
    });
  }

  check(request: CheckRequest): Promise<CheckResponse__Output> {
    return new Promise((resolve, reject) =>
      this.client.check(request, (err, response) => (err || !response ? reject(err ?? new Error('empty response')) : resolve(response))),
    );
  }

  checkBatch(request: CheckBatchRequest): Promise<CheckBatchResponse__Output> {
    return new Promise((resolve, reject) =>
      this.client.checkBatch(request, (err, response) => (err || !response ? reject(err ?? new Error('empty response')) : resolve(response))),
    );
  }

  close(): void {
    this.client.close();
  }
}
