import type { ServiceDefinition } from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { envoyProtoRoots } from '../../../common/paths.js';
import { protoLoaderOptions } from '../../../common/proto.js';

export const AUTHORIZATION_SERVICE = 'envoy.service.auth.v3.Authorization';
export const RATE_LIMIT_SERVICE = 'envoy.service.ratelimit.v3.RateLimitService';

/** Envoy's own protos as shipped in @grpc/grpc-js-xds, never retyped. Loaded once per process. */
let loaded: protoLoader.PackageDefinition | undefined;

export function envoyDefinition(): protoLoader.PackageDefinition {
  loaded ??= protoLoader.loadSync(['envoy/service/auth/v3/external_auth.proto', 'envoy/service/ratelimit/v3/rls.proto'], {
    ...protoLoaderOptions,
    includeDirs: envoyProtoRoots,
  });
  return loaded;
}

export function authorizationService(): ServiceDefinition {
  return envoyDefinition()[AUTHORIZATION_SERVICE] as ServiceDefinition;
}

export function rateLimitService(): ServiceDefinition {
  return envoyDefinition()[RATE_LIMIT_SERVICE] as ServiceDefinition;
}
