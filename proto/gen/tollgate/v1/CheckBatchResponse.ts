// Original file: proto/tollgate/v1/quota.proto

import type { CheckBatchItemResult as _tollgate_v1_CheckBatchItemResult, CheckBatchItemResult__Output as _tollgate_v1_CheckBatchItemResult__Output } from '../../tollgate/v1/CheckBatchItemResult.js';

export interface CheckBatchResponse {
  'results'?: (_tollgate_v1_CheckBatchItemResult)[];
}

export interface CheckBatchResponse__Output {
  'results': (_tollgate_v1_CheckBatchItemResult__Output)[];
}
