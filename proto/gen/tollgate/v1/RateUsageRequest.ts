// Original file: proto/tollgate/v1/ledger.proto


export interface RateUsageRequest {
  'from'?: (string);
  'to'?: (string);
  'tenantId'?: (string);
}

export interface RateUsageRequest__Output {
  'from': (string);
  'to': (string);
  'tenantId': (string);
}
