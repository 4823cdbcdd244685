// Original file: proto/tollgate/v1/quota.proto

import type { Long } from '@grpc/proto-loader';

export interface CommitResponse {
  'settled'?: (boolean);
  'estimate'?: (number | string | Long);
  'actual'?: (number | string | Long);
  'overage'?: (boolean);
}

export interface CommitResponse__Output {
  'settled': (boolean);
  'estimate': (string);
  'actual': (string);
  'overage': (boolean);
}
