// Original file: proto/tollgate/v1/ledger.proto

import type { InvoiceLine as _tollgate_v1_InvoiceLine, InvoiceLine__Output as _tollgate_v1_InvoiceLine__Output } from '../../tollgate/v1/InvoiceLine.js';

export interface Invoice {
  'invoiceId'?: (string);
  'tenantId'?: (string);
  'number'?: (number);
  'status'?: (string);
  'periodStart'?: (string);
  'periodEnd'?: (string);
  'currency'?: (string);
  'lines'?: (_tollgate_v1_InvoiceLine)[];
  'total'?: (string);
  'creditApplied'?: (string);
  'amountDue'?: (string);
  'finalizedAt'?: (string);
  'creditNoteNumber'?: (number);
  'voidReason'?: (string);
}

export interface Invoice__Output {
  'invoiceId': (string);
  'tenantId': (string);
  'number': (number);
  'status': (string);
  'periodStart': (string);
  'periodEnd': (string);
  'currency': (string);
  'lines': (_tollgate_v1_InvoiceLine__Output)[];
  'total': (string);
  'creditApplied': (string);
  'amountDue': (string);
  'finalizedAt': (string);
  'creditNoteNumber': (number);
  'voidReason': (string);
}
