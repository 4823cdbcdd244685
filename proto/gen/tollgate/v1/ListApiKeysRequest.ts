// Original file: proto/tollgate/v1/ledger.proto


export interface ListApiKeysRequest {
  'tenantId'?: (string);
}

export interface ListApiKeysRequest__Output {
  'tenantId': (string);
}
