// Original file: proto/tollgate/v1/ledger.proto


export interface RateUsageResponse {
  'from'?: (string);
  'to'?: (string);
  'tenants'?: (number);
  'usageRows'?: (number);
  'written'?: (number);
  'conflicts'?: (string)[];
  'usageLines'?: (number);
}

export interface RateUsageResponse__Output {
  'from': (string);
  'to': (string);
  'tenants': (number);
  'usageRows': (number);
  'written': (number);
  'conflicts': (string)[];
  'usageLines': (number);
}
