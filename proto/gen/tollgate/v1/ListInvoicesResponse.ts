// Original file: proto/tollgate/v1/ledger.proto

import type { Invoice as _tollgate_v1_Invoice, Invoice__Output as _tollgate_v1_Invoice__Output } from '../../tollgate/v1/Invoice.js';

export interface ListInvoicesResponse {
  'invoices'?: (_tollgate_v1_Invoice)[];
}

export interface ListInvoicesResponse__Output {
  'invoices': (_tollgate_v1_Invoice__Output)[];
}
