import * as grpc from '@grpc/grpc-js';
import { loadQuotaProto } from '../../common/proto.js';
import type { CheckResponse } from '../../proto/gen/tollgate/v1/CheckResponse.js';
import { noopDecision } from './noop-decision.js';
import type { CheckBatchRequest__Output } from '../../proto/gen/tollgate/v1/CheckBatchRequest.js';
import { decodeCheckBatchRequest, encodeCheckBatchResponse } from '../../sidecar/src/api/check-wire.js';

/**
 * The baseline: a grpc-js server on the same proto whose Check does no work at all. Whatever the sidecar costs
 * beyond this is the price of deciding. Run as its own process; prints {"port":N} on stdout once listening.
 * Check uses proto-loader's generic codec (what any grpc-js service gets). CheckBatch, used only in --stand-in mode
 * to find the batch harness's own ceiling, decodes and encodes with the sidecar's direct codecs and answers every
 * item with the same decision: a do-nothing server as cheap as the sidecar's codecs allow.
 */
const allowed = noopDecision;

function main(): void {
  const { proto } = loadQuotaProto();
  const server = new grpc.Server();
  const generic = proto.tollgate.v1.QuotaService.service;
  const service = {
    ...generic,
    CheckBatch: { ...generic.CheckBatch, requestDeserialize: decodeCheckBatchRequest, responseSerialize: encodeCheckBatchResponse },
  } as grpc.ServiceDefinition;
  server.addService(service, {
    Check: (_call: unknown, callback: grpc.sendUnaryData<CheckResponse>) => callback(null, allowed),
    CheckBatch: (call: grpc.ServerUnaryCall<CheckBatchRequest__Output, unknown>, callback: grpc.sendUnaryData<unknown>) =>
      callback(null, { results: call.request.items.map(() => ({ decision: allowed })) }),
    Reserve: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback({ code: grpc.status.UNIMPLEMENTED }),
    Commit: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback({ code: grpc.status.UNIMPLEMENTED }),
    Release: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback({ code: grpc.status.UNIMPLEMENTED }),
  });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    process.stdout.write(`${JSON.stringify({ port })}\n`);
  });
  process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
}

main();
