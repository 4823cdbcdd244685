// Original file: proto/tollgate/v1/quota.proto


export interface ReleaseRequest {
  'tenantId'?: (string);
  'reservationId'?: (string);
}

export interface ReleaseRequest__Output {
  'tenantId': (string);
  'reservationId': (string);
}
