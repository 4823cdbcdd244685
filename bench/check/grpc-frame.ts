import { grpcFrame } from '../../common/grpc-frame.js';
import { loadQuotaProto } from '../../common/proto.js';
import type { CheckRequest } from '../../proto/gen/tollgate/v1/CheckRequest.js';
import type { MethodDefinition } from '@grpc/proto-loader';

export const checkPath = '/tollgate.v1.QuotaService/Check';

/** The headers a gRPC client sends with a unary call; h2load adds :method POST because it posts a body. */
export const grpcRequestHeaders = ['content-type: application/grpc', 'te: trailers'];

/**
 * A CheckRequest as a gRPC length-prefixed message: flag byte 0 (uncompressed), uint32 big-endian length, then
 * the protobuf bytes, serialised by the same proto-loader definition the servers use.
 */
export function framedCheckRequest(request: CheckRequest): Buffer {
  const { definition } = loadQuotaProto();
  const service = definition['tollgate.v1.QuotaService'] as Record<string, MethodDefinition<CheckRequest, unknown>>;
  return grpcFrame(service.Check.requestSerialize(request));
}
