// Original file: proto/tollgate/v1/quota.proto

import type { Reason as _tollgate_v1_Reason, Reason__Output as _tollgate_v1_Reason__Output } from '../../tollgate/v1/Reason.js';
import type { Long } from '@grpc/proto-loader';

export interface CheckEntitlementResponse {
  'allowed'?: (boolean);
  'reason'?: (_tollgate_v1_Reason);
  'planId'?: (string);
  'snapshotVersion'?: (number | string | Long);
}

export interface CheckEntitlementResponse__Output {
  'allowed': (boolean);
  'reason': (_tollgate_v1_Reason__Output);
  'planId': (string);
  'snapshotVersion': (string);
}
