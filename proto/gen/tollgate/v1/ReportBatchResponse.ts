// Original file: proto/tollgate/v1/usage.proto

import type { ReportResult as _tollgate_v1_ReportResult, ReportResult__Output as _tollgate_v1_ReportResult__Output } from '../../tollgate/v1/ReportResult.js';

export interface ReportBatchResponse {
  'results'?: (_tollgate_v1_ReportResult)[];
  'accepted'?: (number);
  'rejected'?: (number);
}

export interface ReportBatchResponse__Output {
  'results': (_tollgate_v1_ReportResult__Output)[];
  'accepted': (number);
  'rejected': (number);
}
