// Original file: proto/tollgate/v1/ledger.proto


export interface PreviewInvoiceRequest {
  'tenantId'?: (string);
  'periodStart'?: (string);
}

export interface PreviewInvoiceRequest__Output {
  'tenantId': (string);
  'periodStart': (string);
}
