// Original file: proto/tollgate/v1/quota.proto


export interface CheckEntitlementRequest {
  'tenantId'?: (string);
  'featureId'?: (string);
}

export interface CheckEntitlementRequest__Output {
  'tenantId': (string);
  'featureId': (string);
}
