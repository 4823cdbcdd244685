// Original file: proto/tollgate/v1/ledger.proto


export interface CreateApiKeyRequest {
  'tenantId'?: (string);
  'name'?: (string);
  'environment'?: (string);
}

export interface CreateApiKeyRequest__Output {
  'tenantId': (string);
  'name': (string);
  'environment': (string);
}
