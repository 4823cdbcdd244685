// Original file: proto/tollgate/v1/usage.proto

import type { CorrectionKind as _tollgate_v1_CorrectionKind, CorrectionKind__Output as _tollgate_v1_CorrectionKind__Output } from '../../tollgate/v1/CorrectionKind.js';

export interface UsageEvent {
  'eventId'?: (string);
  'tenantId'?: (string);
  'serviceId'?: (string);
  'featureId'?: (string);
  'quantity'?: (string);
  'timestamp'?: (string);
  'attributes'?: ({[key: string]: string});
  'correctsEventId'?: (string);
  'correction'?: (_tollgate_v1_CorrectionKind);
}

export interface UsageEvent__Output {
  'eventId': (string);
  'tenantId': (string);
  'serviceId': (string);
  'featureId': (string);
  'quantity': (string);
  'timestamp': (string);
  'attributes': ({[key: string]: string});
  'correctsEventId': (string);
  'correction': (_tollgate_v1_CorrectionKind__Output);
}
