// Original file: proto/tollgate/v1/ledger.proto

import type { Subscription as _tollgate_v1_Subscription, Subscription__Output as _tollgate_v1_Subscription__Output } from '../../tollgate/v1/Subscription.js';

export interface TenantState {
  'tenantId'?: (string);
  'name'?: (string);
  'createdAt'?: (string);
  'subscription'?: (_tollgate_v1_Subscription | null);
}

export interface TenantState__Output {
  'tenantId': (string);
  'name': (string);
  'createdAt': (string);
  'subscription': (_tollgate_v1_Subscription__Output | null);
}
