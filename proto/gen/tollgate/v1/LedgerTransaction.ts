// Original file: proto/tollgate/v1/ledger.proto

import type { Posting as _tollgate_v1_Posting, Posting__Output as _tollgate_v1_Posting__Output } from '../../tollgate/v1/Posting.js';
import type { Long } from '@grpc/proto-loader';

export interface LedgerTransaction {
  'transactionId'?: (string);
  'seq'?: (number | string | Long);
  'idempotencyKey'?: (string);
  'kind'?: (string);
  'tenantId'?: (string);
  'effectiveAt'?: (string);
  'recordedAt'?: (string);
  'description'?: (string);
  'postings'?: (_tollgate_v1_Posting)[];
  'hash'?: (string);
  'replayed'?: (boolean);
}

export interface LedgerTransaction__Output {
  'transactionId': (string);
  'seq': (string);
  'idempotencyKey': (string);
  'kind': (string);
  'tenantId': (string);
  'effectiveAt': (string);
  'recordedAt': (string);
  'description': (string);
  'postings': (_tollgate_v1_Posting__Output)[];
  'hash': (string);
  'replayed': (boolean);
}
