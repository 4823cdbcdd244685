// Original file: proto/tollgate/v1/ledger.proto


export interface UpdateSubscriptionRequest {
  'tenantId'?: (string);
  'status'?: (string);
  'planId'?: (string);
  'reason'?: (string);
}

export interface UpdateSubscriptionRequest__Output {
  'tenantId': (string);
  'status': (string);
  'planId': (string);
  'reason': (string);
}
