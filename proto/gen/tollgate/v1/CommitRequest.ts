// Original file: proto/tollgate/v1/quota.proto

import type { Long } from '@grpc/proto-loader';

export interface CommitRequest {
  'tenantId'?: (string);
  'reservationId'?: (string);
  'actual'?: (number | string | Long);
}

export interface CommitRequest__Output {
  'tenantId': (string);
  'reservationId': (string);
  'actual': (string);
}
