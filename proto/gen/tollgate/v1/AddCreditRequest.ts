// Original file: proto/tollgate/v1/ledger.proto


export interface AddCreditRequest {
  'tenantId'?: (string);
  'amount'?: (string);
  'idempotencyKey'?: (string);
  'source'?: (string);
  'description'?: (string);
}

export interface AddCreditRequest__Output {
  'tenantId': (string);
  'amount': (string);
  'idempotencyKey': (string);
  'source': (string);
  'description': (string);
}
