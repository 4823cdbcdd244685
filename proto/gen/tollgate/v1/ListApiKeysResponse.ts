// Original file: proto/tollgate/v1/ledger.proto

import type { ApiKey as _tollgate_v1_ApiKey, ApiKey__Output as _tollgate_v1_ApiKey__Output } from '../../tollgate/v1/ApiKey.js';

export interface ListApiKeysResponse {
  'apiKeys'?: (_tollgate_v1_ApiKey)[];
}

export interface ListApiKeysResponse__Output {
  'apiKeys': (_tollgate_v1_ApiKey__Output)[];
}
