// Original file: proto/tollgate/v1/usage.proto


export interface GetUsageRequest {
  'tenantId'?: (string);
  'featureId'?: (string);
  'start'?: (string);
  'end'?: (string);
}

export interface GetUsageRequest__Output {
  'tenantId': (string);
  'featureId': (string);
  'start': (string);
  'end': (string);
}
