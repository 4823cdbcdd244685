// Original file: proto/tollgate/v1/ledger.proto


export interface RecordPaymentRequest {
  'tenantId'?: (string);
  'amount'?: (string);
  'idempotencyKey'?: (string);
  'description'?: (string);
}

export interface RecordPaymentRequest__Output {
  'tenantId': (string);
  'amount': (string);
  'idempotencyKey': (string);
  'description': (string);
}
