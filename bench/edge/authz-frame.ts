import type { MethodDefinition } from '@grpc/proto-loader';
import { AUTHORIZATION_SERVICE, envoyDefinition } from '../../sidecar/src/envoy/proto.js';

export const authzCheckPath = `/${AUTHORIZATION_SERVICE}/Check`;

/** An ext_authz CheckRequest as Envoy sends it for `GET <path>` with an API key, gRPC-framed for h2load. */
export function framedAuthzRequest(path: string, apiKey: string): Buffer {
  const service = envoyDefinition()[AUTHORIZATION_SERVICE] as Record<string, MethodDefinition<unknown, unknown>>;
  const message = service.Check.requestSerialize({
    attributes: {
      request: {
        http: { id: '1', method: 'GET', path, host: 'api.example.com', scheme: 'https', protocol: 'HTTP/1.1', headers: { ':path': path, 'x-api-key': apiKey, 'user-agent': 'bench' } },
      },
    },
  });
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}
