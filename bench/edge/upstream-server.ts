import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The product API stand-in, in its own process: a small JSON answer. Prints {"port":N} once listening. */
const body = JSON.stringify({ items: [{ id: 1, name: 'widget', price: '9.99' }] });
const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
