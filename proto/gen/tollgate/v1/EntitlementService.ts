// Original file: proto/tollgate/v1/quota.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CheckEntitlementRequest as _tollgate_v1_CheckEntitlementRequest, CheckEntitlementRequest__Output as _tollgate_v1_CheckEntitlementRequest__Output } from '../../tollgate/v1/CheckEntitlementRequest.js';
import type { CheckEntitlementResponse as _tollgate_v1_CheckEntitlementResponse, CheckEntitlementResponse__Output as _tollgate_v1_CheckEntitlementResponse__Output } from '../../tollgate/v1/CheckEntitlementResponse.js';

export interface EntitlementServiceClient extends grpc.Client {
  CheckEntitlement(argument: _tollgate_v1_CheckEntitlementRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CheckEntitlementResponse__Output>): grpc.ClientUnaryCall;
  CheckEntitlement(argument: _tollgate_v1_CheckEntitlementRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_CheckEntitlementResponse__Output>): grpc.ClientUnaryCall;
  CheckEntitlement(argument: _tollgate_v1_CheckEntitlementRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CheckEntitlementResponse__Output>): grpc.ClientUnaryCall;
  CheckEntitlement(argument: _tollgate_v1_CheckEntitlementRequest, callback: grpc.requestCallback<_tollgate_v1_CheckEntitlementResponse__Output>): grpc.ClientUnaryCall;
  checkEntitlement(argument: _tollgate_v1_CheckEntitlementRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CheckEntitlementResponse__Output>): grpc.ClientUnaryCall;
  checkEntitlement(argument: _tollgate_v1_CheckEntitlementRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_CheckEntitlementResponse__Output>): grpc.ClientUnaryCall;
  checkEntitlement(argument: _tollgate_v1_CheckEntitlementRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CheckEntitlementResponse__Output>): grpc.ClientUnaryCall;
  checkEntitlement(argument: _tollgate_v1_CheckEntitlementRequest, callback: grpc.requestCallback<_tollgate_v1_CheckEntitlementResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface EntitlementServiceHandlers extends grpc.UntypedServiceImplementation {
  CheckEntitlement: grpc.handleUnaryCall<_tollgate_v1_CheckEntitlementRequest__Output, _tollgate_v1_CheckEntitlementResponse>;
  
}

export interface EntitlementServiceDefinition extends grpc.ServiceDefinition {
  CheckEntitlement: MethodDefinition<_tollgate_v1_CheckEntitlementRequest, _tollgate_v1_CheckEntitlementResponse, _tollgate_v1_CheckEntitlementRequest__Output, _tollgate_v1_CheckEntitlementResponse__Output>
}
