// Original file: proto/tollgate/v1/ledger.proto


export interface ListInvoicesRequest {
  'tenantId'?: (string);
}

export interface ListInvoicesRequest__Output {
  'tenantId': (string);
}
