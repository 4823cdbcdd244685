// Original file: proto/tollgate/v1/quota.proto

import type { CheckRequest as _tollgate_v1_CheckRequest, CheckRequest__Output as _tollgate_v1_CheckRequest__Output } from '../../tollgate/v1/CheckRequest.js';

export interface CheckBatchRequest {
  'items'?: (_tollgate_v1_CheckRequest)[];
}

export interface CheckBatchRequest__Output {
  'items': (_tollgate_v1_CheckRequest__Output)[];
}
