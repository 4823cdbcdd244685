// Original file: proto/tollgate/v1/quota.proto

import type { Long } from '@grpc/proto-loader';

export interface CheckRequest {
  'tenantId'?: (string);
  'featureId'?: (string);
  'cost'?: (number | string | Long);
  'dryRun'?: (boolean);
}

export interface CheckRequest__Output {
  'tenantId': (string);
  'featureId': (string);
  'cost': (string);
  'dryRun': (boolean);
}
