// Original file: proto/tollgate/v1/ledger.proto


export interface RevokeApiKeyRequest {
  'tenantId'?: (string);
  'keyId'?: (string);
}

export interface RevokeApiKeyRequest__Output {
  'tenantId': (string);
  'keyId': (string);
}
