import { createServer } from 'node:http2';
import { grpcFrame } from '../../common/grpc-frame.js';
import { encodeCheckResponse } from '../../sidecar/src/api/check-wire.js';
import { noopDecision } from './noop-decision.js';

/**
 * A reference, not the baseline: a server that answers every Check with the same decision straight from node:http2,
 * with the gRPC framing written by hand — the transport the sidecar's fast path (sidecar/src/api/grpc-fast-unary.ts)
 * uses, with no decision at all. The gap between it and the sidecar is the price of deciding on that transport.
 * Prints {"port":N} once listening.
 */
const frame = grpcFrame(encodeCheckResponse(noopDecision));
const headers = { ':status': 200, 'content-type': 'application/grpc+proto' };
const trailers = { 'grpc-status': '0' };

const server = createServer();
server.on('stream', (stream) => {
  stream.on('error', () => undefined);
  stream.on('data', () => undefined);
  stream.on('end', () => {
    stream.respond(headers, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers(trailers));
    stream.end(frame);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
