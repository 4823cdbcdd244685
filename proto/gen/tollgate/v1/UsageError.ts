// Original file: proto/tollgate/v1/usage.proto


export interface UsageError {
  'code'?: (number);
  'message'?: (string);
  'field'?: (string);
  'reason'?: (string);
}

export interface UsageError__Output {
  'code': (number);
  'message': (string);
  'field': (string);
  'reason': (string);
}
