// Original file: proto/tollgate/v1/ledger.proto


export interface Subscription {
  'planId'?: (string);
  'status'?: (string);
  'billingAnchor'?: (string);
  'startedAt'?: (string);
  'trialEndsAt'?: (string);
  'canceledAt'?: (string);
  'currentPeriodStart'?: (string);
  'currentPeriodEnd'?: (string);
}

export interface Subscription__Output {
  'planId': (string);
  'status': (string);
  'billingAnchor': (string);
  'startedAt': (string);
  'trialEndsAt': (string);
  'canceledAt': (string);
  'currentPeriodStart': (string);
  'currentPeriodEnd': (string);
}
