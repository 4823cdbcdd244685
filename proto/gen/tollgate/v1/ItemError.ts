// Original file: proto/tollgate/v1/quota.proto


export interface ItemError {
  'code'?: (number);
  'message'?: (string);
  'field'?: (string);
}

export interface ItemError__Output {
  'code': (number);
  'message': (string);
  'field': (string);
}
