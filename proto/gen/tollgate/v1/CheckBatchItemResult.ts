// Original file: proto/tollgate/v1/quota.proto

import type { CheckResponse as _tollgate_v1_CheckResponse, CheckResponse__Output as _tollgate_v1_CheckResponse__Output } from '../../tollgate/v1/CheckResponse.js';
import type { ItemError as _tollgate_v1_ItemError, ItemError__Output as _tollgate_v1_ItemError__Output } from '../../tollgate/v1/ItemError.js';

export interface CheckBatchItemResult {
  'decision'?: (_tollgate_v1_CheckResponse | null);
  'error'?: (_tollgate_v1_ItemError | null);
  'result'?: "decision"|"error";
}

export interface CheckBatchItemResult__Output {
  'decision'?: (_tollgate_v1_CheckResponse__Output | null);
  'error'?: (_tollgate_v1_ItemError__Output | null);
  'result'?: "decision"|"error";
}
