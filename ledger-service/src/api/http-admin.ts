import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../../../common/log.js';
import { LedgerError } from '../app/errors.js';
import { toProblem } from './errors.js';
import { operations, type LedgerApiDeps, type RpcName } from './operations.js';

type Fields = Record<string, unknown>;
interface Route {
  method: string;
  pattern: RegExp;
  rpc: RpcName;
  /** Path parameters by position → request fields. */
  params: string[];
}

const route = (method: string, path: string, rpc: RpcName): Route => {
  const params: string[] = [];
  const pattern = new RegExp(`^${path.replace(/:([a-z_]+)/g, (_, name: string) => (params.push(name), '([^/]+)'))}$`);
  return { method, pattern, rpc, params };
};

/** The admin API: JSON in snake_case mirroring LedgerService; errors as application/problem+json. */
const routes: Route[] = [
  route('POST', '/v1/tenants', 'CreateTenant'),
  route('GET', '/v1/tenants/:tenant_id', 'GetTenant'),
  route('PATCH', '/v1/tenants/:tenant_id/subscription', 'UpdateSubscription'),
  route('POST', '/v1/rating/runs', 'RateUsage'),
  route('GET', '/v1/tenants/:tenant_id/invoices/preview', 'PreviewInvoice'),
  route('POST', '/v1/tenants/:tenant_id/invoices', 'FinalizeInvoice'),
  route('GET', '/v1/tenants/:tenant_id/invoices', 'ListInvoices'),
  route('GET', '/v1/invoices/:invoice_id', 'GetInvoice'),
  route('POST', '/v1/invoices/:invoice_id/void', 'VoidInvoice'),
  route('POST', '/v1/tenants/:tenant_id/credits', 'AddCredit'),
  route('POST', '/v1/tenants/:tenant_id/payments', 'RecordPayment'),
  route('POST', '/v1/tenants/:tenant_id/refunds', 'Refund'),
  route('GET', '/v1/tenants/:tenant_id/balance', 'GetBalance'),
  route('GET', '/v1/ledger/verify', 'VerifyLedger'),
  route('POST', '/v1/tenants/:tenant_id/api-keys', 'CreateApiKey'),
  route('GET', '/v1/tenants/:tenant_id/api-keys', 'ListApiKeys'),
  route('DELETE', '/v1/tenants/:tenant_id/api-keys/:key_id', 'RevokeApiKey'),
];

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [snake(k), snakeKeys(v)]));
  return value;
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Fields> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) throw new LedgerError('invalid_argument', 'body: larger than 1 MB', 'body');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new LedgerError('invalid_argument', 'body: not valid JSON', 'body');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new LedgerError('invalid_argument', 'body: must be a JSON object', 'body');
  return parsed as Fields;
}

/** String fields of the request message; a non-string where a string is expected is named in the error. */
function requestFrom(fields: Fields): Fields {
  const out: Fields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string') throw new LedgerError('invalid_argument', `${key}: must be a string (amounts and times are strings)`, key);
    out[camel(key)] = value;
  }
  return out;
}

export function createAdminHttpServer(deps: LedgerApiDeps, authorized: (authorization: string | undefined) => boolean, logger: Logger): Server {
  return createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://admin');
      if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, { ok: true });
      const matches = routes.filter((r) => r.pattern.test(url.pathname));
      if (matches.length === 0) return send(res, 404, toProblem(new LedgerError('not_found', `no route ${url.pathname}`)), 'application/problem+json');
      const match = matches.find((r) => r.method === req.method);
      if (!match) {
        res.setHeader('allow', matches.map((r) => r.method).join(', '));
        return send(res, 405, { type: 'about:blank', title: 'method not allowed', status: 405, detail: `${req.method} ${url.pathname}` }, 'application/problem+json');
      }
      if (!authorized(req.headers.authorization)) {
        res.setHeader('www-authenticate', 'Bearer');
        return send(res, 401, toProblem(new LedgerError('unauthenticated', 'authorization: a valid operator token is required (Bearer …)')), 'application/problem+json');
      }
      try {
        const body = req.method === 'GET' || req.method === 'DELETE' ? {} : await readJson(req);
        const path = match.pattern.exec(url.pathname)!.slice(1).map(decodeURIComponent);
        const fields: Fields = { ...body, ...Object.fromEntries(url.searchParams), ...Object.fromEntries(match.params.map((p, i) => [p, path[i]])) };
        const operation = operations[match.rpc] as (d: LedgerApiDeps, r: Fields) => Promise<unknown>;
        const response = await operation(deps, requestFrom(fields));
        send(res, match.rpc === 'CreateTenant' || match.rpc === 'CreateApiKey' ? 201 : 200, snakeKeys(response));
      } catch (err) {
        const problem = toProblem(err);
        if (problem.status === 500) logger.error({ err, route: match.rpc }, 'admin request failed');
        send(res, problem.status, problem, 'application/problem+json');
      }
    })();
  });
}
