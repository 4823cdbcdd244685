// Original file: proto/tollgate/v1/quota.proto

import type { Long } from '@grpc/proto-loader';

export interface ReserveRequest {
  'tenantId'?: (string);
  'featureId'?: (string);
  'estimate'?: (number | string | Long);
  'ttlMs'?: (number | string | Long);
  'reservationId'?: (string);
}

export interface ReserveRequest__Output {
  'tenantId': (string);
  'featureId': (string);
  'estimate': (string);
  'ttlMs': (string);
  'reservationId': (string);
}
