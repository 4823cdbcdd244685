// Original file: proto/tollgate/v1/quota.proto

import type { Reason as _tollgate_v1_Reason, Reason__Output as _tollgate_v1_Reason__Output } from '../../tollgate/v1/Reason.js';
import type { Long } from '@grpc/proto-loader';

export interface CheckResponse {
  'allowed'?: (boolean);
  'reason'?: (_tollgate_v1_Reason);
  'limit'?: (number | string | Long);
  'remaining'?: (number | string | Long);
  'resetAfterMs'?: (number | string | Long);
  'retryAfterMs'?: (number | string | Long);
  'overage'?: (boolean);
  'degraded'?: (boolean);
  'quotaLimit'?: (number | string | Long);
  'quotaRemaining'?: (number | string | Long);
  'snapshotVersion'?: (number | string | Long);
}

export interface CheckResponse__Output {
  'allowed': (boolean);
  'reason': (_tollgate_v1_Reason__Output);
  'limit': (string);
  'remaining': (string);
  'resetAfterMs': (string);
  'retryAfterMs': (string);
  'overage': (boolean);
  'degraded': (boolean);
  'quotaLimit': (string);
  'quotaRemaining': (string);
  'snapshotVersion': (string);
}
