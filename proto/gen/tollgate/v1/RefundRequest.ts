// Original file: proto/tollgate/v1/ledger.proto


export interface RefundRequest {
  'tenantId'?: (string);
  'amount'?: (string);
  'idempotencyKey'?: (string);
  'from'?: (string);
  'description'?: (string);
}

export interface RefundRequest__Output {
  'tenantId': (string);
  'amount': (string);
  'idempotencyKey': (string);
  'from': (string);
  'description': (string);
}
