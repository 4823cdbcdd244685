import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real local upstream with the shapes the gateway must carry: JSON, echo, SSE, priced responses, slow, 5xx. */
export interface TestUpstream {
  url: string;
  /** Headers of the last request each path received. */
  seen: Map<string, IncomingMessage['headers']>;
  /** Resolves the SSE stream's second event (the test controls when it is sent). */
  releaseSecondEvent(): void;
  stop(): Promise<void>;
}

export async function startTestUpstream(): Promise<TestUpstream> {
  const seen = new Map<string, IncomingMessage['headers']>();
  let release: () => void = () => undefined;
  const secondEvent = new Promise<void>((r) => (release = r));
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    seen.set(path, req.headers);
    if (path.endsWith('/json')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, path: req.url, tenant: req.headers['x-tollgate-tenant'] }));
    } else if (path.endsWith('/echo')) {
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' });
      req.pipe(res);
    } else if (path.endsWith('/sse')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-usage-tokens': '7' });
      res.write('data: first\n\n');
      void secondEvent.then(() => res.end('data: second\n\n'));
    } else if (path.endsWith('/stream-priced')) {
      // Cost known only at the end of the stream: sent as an HTTP trailer.
      res.writeHead(200, { 'content-type': 'text/event-stream', trailer: 'x-usage-tokens' });
      res.write('data: a\n\n');
      setTimeout(() => {
        res.write('data: b\n\n');
        res.addTrailers({ 'x-usage-tokens': '17' });
        res.end();
      }, 20);
    } else if (path.endsWith('/complete')) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-usage-tokens': '42' });
      res.end('{"choices":[]}');
    } else if (path.includes('/slow')) {
      setTimeout(() => {
        if (!res.destroyed) res.writeHead(200).end('late');
      }, 1500);
    } else if (path.endsWith('/fail')) {
      res.writeHead(500, { 'content-type': 'text/plain', 'x-usage-tokens': '99' });
      res.end('upstream broke');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    releaseSecondEvent: () => release(),
    async stop() {
      release();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
