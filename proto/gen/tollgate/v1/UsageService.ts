// Original file: proto/tollgate/v1/usage.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetUsageRequest as _tollgate_v1_GetUsageRequest, GetUsageRequest__Output as _tollgate_v1_GetUsageRequest__Output } from '../../tollgate/v1/GetUsageRequest.js';
import type { GetUsageResponse as _tollgate_v1_GetUsageResponse, GetUsageResponse__Output as _tollgate_v1_GetUsageResponse__Output } from '../../tollgate/v1/GetUsageResponse.js';
import type { ReportBatchRequest as _tollgate_v1_ReportBatchRequest, ReportBatchRequest__Output as _tollgate_v1_ReportBatchRequest__Output } from '../../tollgate/v1/ReportBatchRequest.js';
import type { ReportBatchResponse as _tollgate_v1_ReportBatchResponse, ReportBatchResponse__Output as _tollgate_v1_ReportBatchResponse__Output } from '../../tollgate/v1/ReportBatchResponse.js';
import type { ReportResult as _tollgate_v1_ReportResult, ReportResult__Output as _tollgate_v1_ReportResult__Output } from '../../tollgate/v1/ReportResult.js';
import type { UsageEvent as _tollgate_v1_UsageEvent, UsageEvent__Output as _tollgate_v1_UsageEvent__Output } from '../../tollgate/v1/UsageEvent.js';

export interface UsageServiceClient extends grpc.Client {
  GetUsage(argument: _tollgate_v1_GetUsageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_GetUsageResponse__Output>): grpc.ClientUnaryCall;
  GetUsage(argument: _tollgate_v1_GetUsageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_GetUsageResponse__Output>): grpc.ClientUnaryCall;
  GetUsage(argument: _tollgate_v1_GetUsageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_GetUsageResponse__Output>): grpc.ClientUnaryCall;
  GetUsage(argument: _tollgate_v1_GetUsageRequest, callback: grpc.requestCallback<_tollgate_v1_GetUsageResponse__Output>): grpc.ClientUnaryCall;
  getUsage(argument: _tollgate_v1_GetUsageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_GetUsageResponse__Output>): grpc.ClientUnaryCall;
  getUsage(argument: _tollgate_v1_GetUsageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_GetUsageResponse__Output>): grpc.ClientUnaryCall;
  getUsage(argument: _tollgate_v1_GetUsageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_GetUsageResponse__Output>): grpc.ClientUnaryCall;
  getUsage(argument: _tollgate_v1_GetUsageRequest, callback: grpc.requestCallback<_tollgate_v1_GetUsageResponse__Output>): grpc.ClientUnaryCall;
  
  Report(argument: _tollgate_v1_UsageEvent, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReportResult__Output>): grpc.ClientUnaryCall;
  Report(argument: _tollgate_v1_UsageEvent, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_ReportResult__Output>): grpc.ClientUnaryCall;
  Report(argument: _tollgate_v1_UsageEvent, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReportResult__Output>): grpc.ClientUnaryCall;
  Report(argument: _tollgate_v1_UsageEvent, callback: grpc.requestCallback<_tollgate_v1_ReportResult__Output>): grpc.ClientUnaryCall;
  report(argument: _tollgate_v1_UsageEvent, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReportResult__Output>): grpc.ClientUnaryCall;
  report(argument: _tollgate_v1_UsageEvent, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_ReportResult__Output>): grpc.ClientUnaryCall;
  report(argument: _tollgate_v1_UsageEvent, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReportResult__Output>): grpc.ClientUnaryCall;
  report(argument: _tollgate_v1_UsageEvent, callback: grpc.requestCallback<_tollgate_v1_ReportResult__Output>): grpc.ClientUnaryCall;
  
  ReportBatch(argument: _tollgate_v1_ReportBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReportBatchResponse__Output>): grpc.ClientUnaryCall;
  ReportBatch(argument: _tollgate_v1_ReportBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_ReportBatchResponse__Output>): grpc.ClientUnaryCall;
  ReportBatch(argument: _tollgate_v1_ReportBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReportBatchResponse__Output>): grpc.ClientUnaryCall;
  ReportBatch(argument: _tollgate_v1_ReportBatchRequest, callback: grpc.requestCallback<_tollgate_v1_ReportBatchResponse__Output>): grpc.ClientUnaryCall;
  reportBatch(argument: _tollgate_v1_ReportBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReportBatchResponse__Output>): grpc.ClientUnaryCall;
  reportBatch(argument: _tollgate_v1_ReportBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_ReportBatchResponse__Output>): grpc.ClientUnaryCall;
  reportBatch(argument: _tollgate_v1_ReportBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReportBatchResponse__Output>): grpc.ClientUnaryCall;
  reportBatch(argument: _tollgate_v1_ReportBatchRequest, callback: grpc.requestCallback<_tollgate_v1_ReportBatchResponse__Output>): grpc.ClientUnaryCall;
  
  ReportStream(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReportBatchResponse__Output>): grpc.ClientWritableStream<_tollgate_v1_UsageEvent>;
  ReportStream(metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_ReportBatchResponse__Output>): grpc.ClientWritableStream<_tollgate_v1_UsageEvent>;
  ReportStream(options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReportBatchResponse__Output>): grpc.ClientWritableStream<_tollgate_v1_UsageEvent>;
  ReportStream(callback: grpc.requestCallback<_tollgate_v1_ReportBatchResponse__Output>): grpc.ClientWritableStream<_tollgate_v1_UsageEvent>;
  reportStream(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReportBatchResponse__Output>): grpc.ClientWritableStream<_tollgate_v1_UsageEvent>;
  reportStream(metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_ReportBatchResponse__Output>): grpc.ClientWritableStream<_tollgate_v1_UsageEvent>;
  reportStream(options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ReportBatchResponse__Output>): grpc.ClientWritableStream<_tollgate_v1_UsageEvent>;
  reportStream(callback: grpc.requestCallback<_tollgate_v1_ReportBatchResponse__Output>): grpc.ClientWritableStream<_tollgate_v1_UsageEvent>;
  
}

export interface UsageServiceHandlers extends grpc.UntypedServiceImplementation {
  GetUsage: grpc.handleUnaryCall<_tollgate_v1_GetUsageRequest__Output, _tollgate_v1_GetUsageResponse>;
  
  Report: grpc.handleUnaryCall<_tollgate_v1_UsageEvent__Output, _tollgate_v1_ReportResult>;
  
  ReportBatch: grpc.handleUnaryCall<_tollgate_v1_ReportBatchRequest__Output, _tollgate_v1_ReportBatchResponse>;
  
  ReportStream: grpc.handleClientStreamingCall<_tollgate_v1_UsageEvent__Output, _tollgate_v1_ReportBatchResponse>;
  
}

export interface UsageServiceDefinition extends grpc.ServiceDefinition {
  GetUsage: MethodDefinition<_tollgate_v1_GetUsageRequest, _tollgate_v1_GetUsageResponse, _tollgate_v1_GetUsageRequest__Output, _tollgate_v1_GetUsageResponse__Output>
  Report: MethodDefinition<_tollgate_v1_UsageEvent, _tollgate_v1_ReportResult, _tollgate_v1_UsageEvent__Output, _tollgate_v1_ReportResult__Output>
  ReportBatch: MethodDefinition<_tollgate_v1_ReportBatchRequest, _tollgate_v1_ReportBatchResponse, _tollgate_v1_ReportBatchRequest__Output, _tollgate_v1_ReportBatchResponse__Output>
  ReportStream: MethodDefinition<_tollgate_v1_UsageEvent, _tollgate_v1_ReportBatchResponse, _tollgate_v1_UsageEvent__Output, _tollgate_v1_ReportBatchResponse__Output>
}
