// Original file: proto/tollgate/v1/ledger.proto


export interface ApiKey {
  'keyId'?: (string);
  'tenantId'?: (string);
  'name'?: (string);
  'createdAt'?: (string);
  'revokedAt'?: (string);
}

export interface ApiKey__Output {
  'keyId': (string);
  'tenantId': (string);
  'name': (string);
  'createdAt': (string);
  'revokedAt': (string);
}
