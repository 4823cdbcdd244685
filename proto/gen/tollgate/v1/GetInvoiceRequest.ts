// Original file: proto/tollgate/v1/ledger.proto


export interface GetInvoiceRequest {
  'invoiceId'?: (string);
}

export interface GetInvoiceRequest__Output {
  'invoiceId': (string);
}
