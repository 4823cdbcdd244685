import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { HttpHandler } from '../ports.js';

export interface HttpDeps {
  metrics: Registry;
  ready: () => { ready: boolean; detail: Record<string, unknown> };
  handlers: HttpHandler[];
}

export function problem(res: ServerResponse, statusCode: number, title: string, detail: string, extra: Record<string, unknown> = {}): void {
  res.writeHead(statusCode, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: 'about:blank', title, status: statusCode, detail, ...extra }));
}

/** The sidecar's HTTP port: /metrics, /healthz, /readyz, then whatever modules serve (e.g. POST /v1/events). */
export function createHttpServer(deps: HttpDeps): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    void route(deps, req, res).catch((err: unknown) => {
      if (!res.headersSent) problem(res, 500, 'Internal Server Error', (err as Error)?.message ?? String(err));
      else res.destroy();
    });
  });
}

async function route(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/metrics') {
    const body = await deps.metrics.metrics();
    res.writeHead(200, { 'content-type': deps.metrics.contentType });
    res.end(body);
    return;
  }
  if (req.method === 'GET' && path === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
    return;
  }
  if (req.method === 'GET' && path === '/readyz') {
    const { ready, detail } = deps.ready();
    res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: ready ? 'ready' : 'not ready', ...detail }));
    return;
  }
  for (const handler of deps.handlers) if (await handler(req, res)) return;
  problem(res, 404, 'Not Found', `no route for ${req.method} ${path}`);
}
