// Original file: proto/tollgate/v1/ledger.proto


export interface Posting {
  'account'?: (string);
  'currency'?: (string);
  'amount'?: (string);
}

export interface Posting__Output {
  'account': (string);
  'currency': (string);
  'amount': (string);
}
