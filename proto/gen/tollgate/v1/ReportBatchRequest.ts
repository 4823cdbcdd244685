// Original file: proto/tollgate/v1/usage.proto

import type { UsageEvent as _tollgate_v1_UsageEvent, UsageEvent__Output as _tollgate_v1_UsageEvent__Output } from '../../tollgate/v1/UsageEvent.js';

export interface ReportBatchRequest {
  'events'?: (_tollgate_v1_UsageEvent)[];
}

export interface ReportBatchRequest__Output {
  'events': (_tollgate_v1_UsageEvent__Output)[];
}
