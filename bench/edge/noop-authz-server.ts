import * as grpc from '@grpc/grpc-js';
import { authorizationService } from '../../sidecar/src/envoy/proto.js';

/**
 * The ext_authz baseline: grpc-js serving envoy.service.auth.v3.Authorization from the same Envoy protos and the
 * same loader as the sidecar, answering OK without looking at the request. Prints {"port":N} once listening.
 */
const ok = { status: { code: 0, message: '' }, okResponse: { headers: [], responseHeadersToAdd: [] } };
const server = new grpc.Server();
server.addService(authorizationService(), { Check: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, ok) });
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
