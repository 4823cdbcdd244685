// Original file: proto/tollgate/v1/ledger.proto


export interface InvoiceLine {
  'key'?: (string);
  'description'?: (string);
  'quantity'?: (string);
  'exactAmount'?: (string);
  'amount'?: (string);
}

export interface InvoiceLine__Output {
  'key': (string);
  'description': (string);
  'quantity': (string);
  'exactAmount': (string);
  'amount': (string);
}
