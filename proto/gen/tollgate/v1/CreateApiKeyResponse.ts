// Original file: proto/tollgate/v1/ledger.proto

import type { ApiKey as _tollgate_v1_ApiKey, ApiKey__Output as _tollgate_v1_ApiKey__Output } from '../../tollgate/v1/ApiKey.js';

export interface CreateApiKeyResponse {
  'apiKey'?: (_tollgate_v1_ApiKey | null);
  'key'?: (string);
}

export interface CreateApiKeyResponse__Output {
  'apiKey': (_tollgate_v1_ApiKey__Output | null);
  'key': (string);
}
