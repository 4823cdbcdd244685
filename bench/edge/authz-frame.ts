import type { MethodDefinition } from '@grpc/proto-loader';
import { grpcFrame } from '../../common/grpc-frame.js';
import { AUTHORIZATION_SERVICE, envoyDefinition } from '../../sidecar/src/envoy/proto.js';

export const authzCheckPath = `/${AUTHORIZATION_SERVICE}/Check`;

/**
 * An ext_authz CheckRequest as Envoy sends it for `GET <path>` from a client with an API key, gRPC-framed for
 * h2load: the peers' addresses, the request time, and every request header (Envoy forwards them all unless the
 * filter's `allowed_headers` narrows them) — here a browser-like request of 11 headers behind Envoy.
 */
export function framedAuthzRequest(path: string, apiKey: string): Buffer {
  const service = envoyDefinition()[AUTHORIZATION_SERVICE] as Record<string, MethodDefinition<unknown, unknown>>;
  const message = service.Check.requestSerialize({
    attributes: {
      source: { address: { socketAddress: { address: '10.244.1.17', portValue: 48122 } } },
      destination: { address: { socketAddress: { address: '10.244.0.5', portValue: 10000 } } },
      request: {
        time: { seconds: '1763718000', nanos: 123456000 },
        http: {
          id: '9713316402553532542',
          method: 'GET',
          path,
          host: 'api.example.com',
          scheme: 'https',
          protocol: 'HTTP/1.1',
          headers: {
            ':authority': 'api.example.com',
            ':method': 'GET',
            ':path': path,
            ':scheme': 'https',
            accept: 'application/json',
            'accept-encoding': 'gzip, deflate, br',
            'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
            'x-api-key': apiKey,
            'x-forwarded-proto': 'https',
            'x-request-id': 'b8a6c0f2-4a5e-4a1b-9d3e-2f1c8e7d6a5b',
            'x-envoy-expected-rq-timeout-ms': '15000',
          },
        },
      },
      metadataContext: {},
      routeMetadataContext: {},
    },
  });
  return grpcFrame(message);
}
