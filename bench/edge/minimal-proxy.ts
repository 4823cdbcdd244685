import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, type Dispatcher } from 'undici';

/**
 * The floor for any Node.js proxy on this machine, in its own process: node:http in front of an undici pool to the
 * upstream (argv[2]), the same two libraries the gateway uses, and nothing else — no key, no question to the
 * sidecar, no usage, no metrics, no header rewriting beyond what HTTP/1.1 needs. Prints {"port":N} once listening.
 */
const pool = new Pool(process.argv[2], { connections: 64, keepAliveTimeout: 30_000 });
const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  pool.request({ path: req.url ?? '/', method: (req.method ?? 'GET') as Dispatcher.HttpMethod }).then(
    (upstream) => {
      const headers: Record<string, string | string[]> = {};
      for (const name of ['content-type', 'content-length']) {
        const value = upstream.headers[name];
        if (value !== undefined) headers[name] = value;
      }
      res.writeHead(upstream.statusCode, headers);
      upstream.body.pipe(res);
    },
    () => {
      res.writeHead(502);
      res.end();
    },
  );
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
