// Original file: proto/tollgate/v1/ledger.proto

import type { Long } from '@grpc/proto-loader';

export interface VerifyLedgerResponse {
  'ok'?: (boolean);
  'transactions'?: (number | string | Long);
  'firstBrokenSeq'?: (number | string | Long);
  'firstBrokenTransactionId'?: (string);
  'firstBrokenIdempotencyKey'?: (string);
  'problem'?: (string);
}

export interface VerifyLedgerResponse__Output {
  'ok': (boolean);
  'transactions': (string);
  'firstBrokenSeq': (string);
  'firstBrokenTransactionId': (string);
  'firstBrokenIdempotencyKey': (string);
  'problem': (string);
}
