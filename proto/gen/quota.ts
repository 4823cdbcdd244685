import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { CheckBatchItemResult as _tollgate_v1_CheckBatchItemResult, CheckBatchItemResult__Output as _tollgate_v1_CheckBatchItemResult__Output } from './tollgate/v1/CheckBatchItemResult.js';
import type { CheckBatchRequest as _tollgate_v1_CheckBatchRequest, CheckBatchRequest__Output as _tollgate_v1_CheckBatchRequest__Output } from './tollgate/v1/CheckBatchRequest.js';
import type { CheckBatchResponse as _tollgate_v1_CheckBatchResponse, CheckBatchResponse__Output as _tollgate_v1_CheckBatchResponse__Output } from './tollgate/v1/CheckBatchResponse.js';
import type { CheckEntitlementRequest as _tollgate_v1_CheckEntitlementRequest, CheckEntitlementRequest__Output as _tollgate_v1_CheckEntitlementRequest__Output } from './tollgate/v1/CheckEntitlementRequest.js';
import type { CheckEntitlementResponse as _tollgate_v1_CheckEntitlementResponse, CheckEntitlementResponse__Output as _tollgate_v1_CheckEntitlementResponse__Output } from './tollgate/v1/CheckEntitlementResponse.js';
import type { CheckRequest as _tollgate_v1_CheckRequest, CheckRequest__Output as _tollgate_v1_CheckRequest__Output } from './tollgate/v1/CheckRequest.js';
import type { CheckResponse as _tollgate_v1_CheckResponse, CheckResponse__Output as _tollgate_v1_CheckResponse__Output } from './tollgate/v1/CheckResponse.js';
import type { CommitRequest as _tollgate_v1_CommitRequest, CommitRequest__Output as _tollgate_v1_CommitRequest__Output } from './tollgate/v1/CommitRequest.js';
import type { CommitResponse as _tollgate_v1_CommitResponse, CommitResponse__Output as _tollgate_v1_CommitResponse__Output } from './tollgate/v1/CommitResponse.js';
import type { EntitlementServiceClient as _tollgate_v1_EntitlementServiceClient, EntitlementServiceDefinition as _tollgate_v1_EntitlementServiceDefinition } from './tollgate/v1/EntitlementService.js';
import type { ItemError as _tollgate_v1_ItemError, ItemError__Output as _tollgate_v1_ItemError__Output } from './tollgate/v1/ItemError.js';
import type { QuotaServiceClient as _tollgate_v1_QuotaServiceClient, QuotaServiceDefinition as _tollgate_v1_QuotaServiceDefinition } from './tollgate/v1/QuotaService.js';
import type { ReleaseRequest as _tollgate_v1_ReleaseRequest, ReleaseRequest__Output as _tollgate_v1_ReleaseRequest__Output } from './tollgate/v1/ReleaseRequest.js';
import type { ReleaseResponse as _tollgate_v1_ReleaseResponse, ReleaseResponse__Output as _tollgate_v1_ReleaseResponse__Output } from './tollgate/v1/ReleaseResponse.js';
import type { ReserveRequest as _tollgate_v1_ReserveRequest, ReserveRequest__Output as _tollgate_v1_ReserveRequest__Output } from './tollgate/v1/ReserveRequest.js';
import type { ReserveResponse as _tollgate_v1_ReserveResponse, ReserveResponse__Output as _tollgate_v1_ReserveResponse__Output } from './tollgate/v1/ReserveResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  tollgate: {
    v1: {
      CheckBatchItemResult: MessageTypeDefinition<_tollgate_v1_CheckBatchItemResult, _tollgate_v1_CheckBatchItemResult__Output>
      CheckBatchRequest: MessageTypeDefinition<_tollgate_v1_CheckBatchRequest, _tollgate_v1_CheckBatchRequest__Output>
      CheckBatchResponse: MessageTypeDefinition<_tollgate_v1_CheckBatchResponse, _tollgate_v1_CheckBatchResponse__Output>
      CheckEntitlementRequest: MessageTypeDefinition<_tollgate_v1_CheckEntitlementRequest, _tollgate_v1_CheckEntitlementRequest__Output>
      CheckEntitlementResponse: MessageTypeDefinition<_tollgate_v1_CheckEntitlementResponse, _tollgate_v1_CheckEntitlementResponse__Output>
      CheckRequest: MessageTypeDefinition<_tollgate_v1_CheckRequest, _tollgate_v1_CheckRequest__Output>
      CheckResponse: MessageTypeDefinition<_tollgate_v1_CheckResponse, _tollgate_v1_CheckResponse__Output>
      CommitRequest: MessageTypeDefinition<_tollgate_v1_CommitRequest, _tollgate_v1_CommitRequest__Output>
      CommitResponse: MessageTypeDefinition<_tollgate_v1_CommitResponse, _tollgate_v1_CommitResponse__Output>
      EntitlementService: SubtypeConstructor<typeof grpc.Client, _tollgate_v1_EntitlementServiceClient> & { service: _tollgate_v1_EntitlementServiceDefinition }
      ItemError: MessageTypeDefinition<_tollgate_v1_ItemError, _tollgate_v1_ItemError__Output>
      QuotaService: SubtypeConstructor<typeof grpc.Client, _tollgate_v1_QuotaServiceClient> & { service: _tollgate_v1_QuotaServiceDefinition }
      Reason: EnumTypeDefinition
      ReleaseRequest: MessageTypeDefinition<_tollgate_v1_ReleaseRequest, _tollgate_v1_ReleaseRequest__Output>
      ReleaseResponse: MessageTypeDefinition<_tollgate_v1_ReleaseResponse, _tollgate_v1_ReleaseResponse__Output>
      ReserveRequest: MessageTypeDefinition<_tollgate_v1_ReserveRequest, _tollgate_v1_ReserveRequest__Output>
      ReserveResponse: MessageTypeDefinition<_tollgate_v1_ReserveResponse, _tollgate_v1_ReserveResponse__Output>
    }
  }
}

