// Original file: proto/tollgate/v1/quota.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CheckBatchRequest as _tollgate_v1_CheckBatchRequest, CheckBatchRequest__Output as _tollgate_v1_CheckBatchRequest__Output } from '../../tollgate/v1/CheckBatchRequest.js';
import type { CheckBatchResponse as _tollgate_v1_CheckBatchResponse, CheckBatchResponse__Output as _tollgate_v1_CheckBatchResponse__Output } from '../../tollgate/v1/CheckBatchResponse.js';
import type { CheckRequest as _tollgate_v1_CheckRequest, CheckRequest__Output as _tollgate_v1_CheckRequest__Output } from '../../tollgate/v1/CheckRequest.js';
import type { CheckResponse as _tollgate_v1_CheckResponse, CheckResponse__Output as _tollgate_v1_CheckResponse__Output } from '../../tollgate/v1/CheckResponse.js';
import type { CommitRequest as _tollgate_v1_CommitRequest, CommitRequest__Output as _tollgate_v1_CommitRequest__Output } from '../../tollgate/v1/CommitRequest.js';
import type { CommitResponse as _tollgate_v1_CommitResponse, CommitResponse__Output as _tollgate_v1_CommitResponse__Output } from '../../tollgate/v1/CommitResponse.js';
import type { ReleaseRequest as _tollgate_v1_ReleaseRequest, ReleaseRequest__Output as _tollgate_v1_ReleaseRequest__Output } from '../../tollgate/v1/ReleaseRequest.js';
import type { ReleaseResponse as _tollgate_v1_ReleaseResponse, ReleaseResponse__Output as _tollgate_v1_ReleaseResponse__Output } from '../../tollgate/v1/ReleaseResponse.js';
import type { ReserveRequest as _tollgate_v1_ReserveRequest, ReserveRequest__Output as _tollgate_v1_ReserveRequest__Output } from '../../tollgate/v1/ReserveRequest.js';
import type { ReserveResponse as _tollgate_v1_ReserveResponse, ReserveResponse__Output as _tollgate_v1_ReserveResponse__Output } from '../../tollgate/v1/ReserveResponse.js';

export interface QuotaServiceClient extends grpc.Client {
  Check(argument: _tollgate_v1_CheckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CheckResponse__Output>): grpc.ClientUnaryCall;
  Check(argument: _tollgate_v1_CheckRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_CheckResponse__Output>): grpc.ClientUnaryCall;
  Check(argument: _tollgate_v1_CheckRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CheckResponse__Output>): grpc.ClientUnaryCall;
  Check(argument: _tollgate_v1_CheckRequest, callback: grpc.requestCallback<_tollgate_v1_CheckResponse__Output>): grpc.ClientUnaryCall;
  check(argument: _tollgate_v1_CheckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CheckResponse__Output>): grpc.ClientUnaryCall;
  check(argument: _tollgate_v1_CheckRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_CheckResponse__Output>): grpc.ClientUnaryCall;
  check(argument: _tollgate_v1_CheckRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CheckResponse__Output>): grpc.ClientUnaryCall;
  check(argument: _tollgate_v1_CheckRequest, callback: grpc.requestCallback<_tollgate_v1_CheckResponse__Output>): grpc.ClientUnaryCall;
  
  CheckBatch(argument: _tollgate_v1_CheckBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CheckBatchResponse__Output>): grpc.ClientUnaryCall;
  CheckBatch(argument: _tollgate_v1_CheckBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_CheckBatchResponse__Output>): grpc.ClientUnaryCall;
  CheckBatch(argument: _tollgate_v1_CheckBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CheckBatchResponse__Output>): grpc.ClientUnaryCall;
  CheckBatch(argument: _tollgate_v1_CheckBatchRequest, callback: grpc.requestCallback<_tollgate_v1_CheckBatchResponse__Output>): grpc.ClientUnaryCall;
  checkBatch(argument: _tollgate_v1_CheckBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CheckBatchResponse__Output>): grpc.ClientUnaryCall;
  checkBatch(argument: _tollgate_v1_CheckBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_CheckBatchResponse__Output>): grpc.ClientUnaryCall;
  checkBatch(argument: _tollgate_v1_CheckBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CheckBatchResponse__Output>): grpc.ClientUnaryCall;
  checkBatch(argument: _tollgate_v1_CheckBatchRequest, callback: grpc.requestCallback<_tollgate_v1_CheckBatchResponse__Output>): grpc.ClientUnaryCall;
  
  Commit(argument: _tollgate_v1_CommitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CommitResponse__Output>): grpc.ClientUnaryCall;
  Commit(argument: _tollgate_v1_CommitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_CommitResponse__Output>): grpc.ClientUnaryCall;
  Commit(argument: _tollgate_v1_CommitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CommitResponse__Output>): grpc.ClientUnaryCall;
  Commit(argument: _tollgate_v1_CommitRequest, callback: grpc.requestCallback<_tollgate_v1_CommitResponse__Output>): grpc.ClientUnaryCall;
  commit(argument: _tollgate_v1_CommitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CommitResponse__Output>): grpc.ClientUnaryCall;
  commit(argument: _tollgate_v1_CommitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_CommitResponse__Output>): grpc.ClientUnaryCall;
  commit(argument: _tollgate_v1_CommitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CommitResponse__Output>): grpc.ClientUnaryCall;
  commit(argument: _tollgate_v1_CommitRequest, callback: grpc.requestCallback<_tollgate_v1_CommitResponse__Output>): grpc.ClientUnaryCall;
  
  Release(argument: _tollgate_v1_ReleaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  Release(argument: _tollgate_v1_ReleaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  Release(argument: _tollgate_v1_ReleaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  Release(argument: _tollgate_v1_ReleaseRequest, callback: grpc.requestCallback<_tollgate_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  release(argument: _tollgate_v1_ReleaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  release(argument: _tollgate_v1_ReleaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  release(argument: _tollgate_v1_ReleaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  release(argument: _tollgate_v1_ReleaseRequest, callback: grpc.requestCallback<_tollgate_v1_ReleaseResponse__Output>): grpc.ClientUnaryCall;
  
  Reserve(argument: _tollgate_v1_ReserveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReserveResponse__Output>): grpc.ClientUnaryCall;
  Reserve(argument: _tollgate_v1_ReserveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_ReserveResponse__Output>): grpc.ClientUnaryCall;
  Reserve(argument: _tollgate_v1_ReserveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReserveResponse__Output>): grpc.ClientUnaryCall;
  Reserve(argument: _tollgate_v1_ReserveRequest, callback: grpc.requestCallback<_tollgate_v1_ReserveResponse__Output>): grpc.ClientUnaryCall;
  reserve(argument: _tollgate_v1_ReserveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReserveResponse__Output>): grpc.ClientUnaryCall;
  reserve(argument: _tollgate_v1_ReserveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_ReserveResponse__Output>): grpc.ClientUnaryCall;
  reserve(argument: _tollgate_v1_ReserveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReserveResponse__Output>): grpc.ClientUnaryCall;
  reserve(argument: _tollgate_v1_ReserveRequest, callback: grpc.requestCallback<_tollgate_v1_ReserveResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface QuotaServiceHandlers extends grpc.UntypedServiceImplementation {
  Check: grpc.handleUnaryCall<_tollgate_v1_CheckRequest__Output, _tollgate_v1_CheckResponse>;
  
  CheckBatch: grpc.handleUnaryCall<_tollgate_v1_CheckBatchRequest__Output, _tollgate_v1_CheckBatchResponse>;
  
  Commit: grpc.handleUnaryCall<_tollgate_v1_CommitRequest__Output, _tollgate_v1_CommitResponse>;
  
  Release: grpc.handleUnaryCall<_tollgate_v1_ReleaseRequest__Output, _tollgate_v1_ReleaseResponse>;
  
  Reserve: grpc.handleUnaryCall<_tollgate_v1_ReserveRequest__Output, _tollgate_v1_ReserveResponse>;
  
}

export interface QuotaServiceDefinition extends grpc.ServiceDefinition {
  Check: MethodDefinition<_tollgate_v1_CheckRequest, _tollgate_v1_CheckResponse, _tollgate_v1_CheckRequest__Output, _tollgate_v1_CheckResponse__Output>
  CheckBatch: MethodDefinition<_tollgate_v1_CheckBatchRequest, _tollgate_v1_CheckBatchResponse, _tollgate_v1_CheckBatchRequest__Output, _tollgate_v1_CheckBatchResponse__Output>
  Commit: MethodDefinition<_tollgate_v1_CommitRequest, _tollgate_v1_CommitResponse, _tollgate_v1_CommitRequest__Output, _tollgate_v1_CommitResponse__Output>
  Release: MethodDefinition<_tollgate_v1_ReleaseRequest, _tollgate_v1_ReleaseResponse, _tollgate_v1_ReleaseRequest__Output, _tollgate_v1_ReleaseResponse__Output>
  Reserve: MethodDefinition<_tollgate_v1_ReserveRequest, _tollgate_v1_ReserveResponse, _tollgate_v1_ReserveRequest__Output, _tollgate_v1_ReserveResponse__Output>
}
