// Original file: proto/tollgate/v1/ledger.proto


export interface VoidInvoiceRequest {
  'invoiceId'?: (string);
  'reason'?: (string);
}

export interface VoidInvoiceRequest__Output {
  'invoiceId': (string);
  'reason': (string);
}
