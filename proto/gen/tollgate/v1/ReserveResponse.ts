// Original file: proto/tollgate/v1/quota.proto

import type { CheckResponse as _tollgate_v1_CheckResponse, CheckResponse__Output as _tollgate_v1_CheckResponse__Output } from '../../tollgate/v1/CheckResponse.js';
import type { Long } from '@grpc/proto-loader';

export interface ReserveResponse {
  'decision'?: (_tollgate_v1_CheckResponse | null);
  'reservationId'?: (string);
  'expiresInMs'?: (number | string | Long);
}

export interface ReserveResponse__Output {
  'decision': (_tollgate_v1_CheckResponse__Output | null);
  'reservationId': (string);
  'expiresInMs': (string);
}
