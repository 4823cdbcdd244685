// Original file: proto/tollgate/v1/usage.proto

import type { UsageError as _tollgate_v1_UsageError, UsageError__Output as _tollgate_v1_UsageError__Output } from '../../tollgate/v1/UsageError.js';

export interface ReportResult {
  'eventId'?: (string);
  'accepted'?: (boolean);
  'error'?: (_tollgate_v1_UsageError | null);
}

export interface ReportResult__Output {
  'eventId': (string);
  'accepted': (boolean);
  'error': (_tollgate_v1_UsageError__Output | null);
}
