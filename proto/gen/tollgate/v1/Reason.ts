// Original file: proto/tollgate/v1/quota.proto

export const Reason = {
  REASON_UNSPECIFIED: 'REASON_UNSPECIFIED',
  OK: 'OK',
  RATE_LIMITED: 'RATE_LIMITED',
  QUOTA_EXHAUSTED: 'QUOTA_EXHAUSTED',
  NOT_ENTITLED: 'NOT_ENTITLED',
  SUBSCRIPTION_INACTIVE: 'SUBSCRIPTION_INACTIVE',
  UNKNOWN_TENANT: 'UNKNOWN_TENANT',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
} as const;

export type Reason =
  | 'REASON_UNSPECIFIED'
  | 0
  | 'OK'
  | 1
  | 'RATE_LIMITED'
  | 2
  | 'QUOTA_EXHAUSTED'
  | 3
  | 'NOT_ENTITLED'
  | 4
  | 'SUBSCRIPTION_INACTIVE'
  | 5
  | 'UNKNOWN_TENANT'
  | 6
  | 'STORE_UNAVAILABLE'
  | 7

export type Reason__Output = typeof Reason[keyof typeof Reason]
