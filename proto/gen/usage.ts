import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { GetUsageRequest as _tollgate_v1_GetUsageRequest, GetUsageRequest__Output as _tollgate_v1_GetUsageRequest__Output } from './tollgate/v1/GetUsageRequest.js';
import type { GetUsageResponse as _tollgate_v1_GetUsageResponse, GetUsageResponse__Output as _tollgate_v1_GetUsageResponse__Output } from './tollgate/v1/GetUsageResponse.js';
import type { ReportBatchRequest as _tollgate_v1_ReportBatchRequest, ReportBatchRequest__Output as _tollgate_v1_ReportBatchRequest__Output } from './tollgate/v1/ReportBatchRequest.js';
import type { ReportBatchResponse as _tollgate_v1_ReportBatchResponse, ReportBatchResponse__Output as _tollgate_v1_ReportBatchResponse__Output } from './tollgate/v1/ReportBatchResponse.js';
import type { ReportResult as _tollgate_v1_ReportResult, ReportResult__Output as _tollgate_v1_ReportResult__Output } from './tollgate/v1/ReportResult.js';
import type { UsageError as _tollgate_v1_UsageError, UsageError__Output as _tollgate_v1_UsageError__Output } from './tollgate/v1/UsageError.js';
import type { UsageEvent as _tollgate_v1_UsageEvent, UsageEvent__Output as _tollgate_v1_UsageEvent__Output } from './tollgate/v1/UsageEvent.js';
import type { UsageServiceClient as _tollgate_v1_UsageServiceClient, UsageServiceDefinition as _tollgate_v1_UsageServiceDefinition } from './tollgate/v1/UsageService.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  tollgate: {
    v1: {
      CorrectionKind: EnumTypeDefinition
      GetUsageRequest: MessageTypeDefinition<_tollgate_v1_GetUsageRequest, _tollgate_v1_GetUsageRequest__Output>
      GetUsageResponse: MessageTypeDefinition<_tollgate_v1_GetUsageResponse, _tollgate_v1_GetUsageResponse__Output>
      ReportBatchRequest: MessageTypeDefinition<_tollgate_v1_ReportBatchRequest, _tollgate_v1_ReportBatchRequest__Output>
      ReportBatchResponse: MessageTypeDefinition<_tollgate_v1_ReportBatchResponse, _tollgate_v1_ReportBatchResponse__Output>
      ReportResult: MessageTypeDefinition<_tollgate_v1_ReportResult, _tollgate_v1_ReportResult__Output>
      UsageError: MessageTypeDefinition<_tollgate_v1_UsageError, _tollgate_v1_UsageError__Output>
      UsageEvent: MessageTypeDefinition<_tollgate_v1_UsageEvent, _tollgate_v1_UsageEvent__Output>
      UsageService: SubtypeConstructor<typeof grpc.Client, _tollgate_v1_UsageServiceClient> & { service: _tollgate_v1_UsageServiceDefinition }
    }
  }
}

