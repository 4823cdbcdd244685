// Original file: proto/tollgate/v1/ledger.proto


export interface GetTenantRequest {
  'tenantId'?: (string);
}

export interface GetTenantRequest__Output {
  'tenantId': (string);
}
