// Original file: proto/tollgate/v1/usage.proto

import type { Long } from '@grpc/proto-loader';

export interface GetUsageResponse {
  'quantity'?: (string);
  'events'?: (number | string | Long);
}

export interface GetUsageResponse__Output {
  'quantity': (string);
  'events': (string);
}
