// Original file: proto/tollgate/v1/ledger.proto


export interface CreateTenantRequest {
  'tenantId'?: (string);
  'name'?: (string);
  'planId'?: (string);
  'status'?: (string);
  'billingAnchor'?: (string);
  'trialEndsAt'?: (string);
}

export interface CreateTenantRequest__Output {
  'tenantId': (string);
  'name': (string);
  'planId': (string);
  'status': (string);
  'billingAnchor': (string);
  'trialEndsAt': (string);
}
