// Original file: proto/tollgate/v1/ledger.proto


export interface FinalizeInvoiceRequest {
  'tenantId'?: (string);
  'periodStart'?: (string);
}

export interface FinalizeInvoiceRequest__Output {
  'tenantId': (string);
  'periodStart': (string);
}
