// Original file: proto/tollgate/v1/ledger.proto


export interface GetBalanceRequest {
  'tenantId'?: (string);
  'at'?: (string);
}

export interface GetBalanceRequest__Output {
  'tenantId': (string);
  'at': (string);
}
