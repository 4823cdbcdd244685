// Original file: proto/tollgate/v1/ledger.proto


export interface Balance {
  'tenantId'?: (string);
  'currency'?: (string);
  'unbilled'?: (string);
  'receivable'?: (string);
  'prepaid'?: (string);
  'at'?: (string);
}

export interface Balance__Output {
  'tenantId': (string);
  'currency': (string);
  'unbilled': (string);
  'receivable': (string);
  'prepaid': (string);
  'at': (string);
}
