import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher, Pool } from 'undici';
import type { EdgeRoute, UpstreamConfig } from '../../../common/config/edge-schema.js';
import type { Logger } from '../../../common/log.js';
import type { Decision } from '../../../sidecar/src/domain/decision.js';
import { identify } from '../../../sidecar/src/envoy/domain/credentials.js';
import { deniedAnswer, problemOf, rateLimitHeaders, type HttpAnswer } from '../../../sidecar/src/envoy/domain/http-answer.js';
import { matchRoute, stripQuery } from '../../../sidecar/src/envoy/domain/routes.js';
import type { KeyDirectory } from '../adapters/key-directory.js';
import type { SidecarClient } from '../adapters/sidecar-client.js';
import type { UsageReporter } from '../adapters/usage-reporter.js';
import { questionFor, settle, upstreamPath, type Question, type UpstreamOutcome } from '../domain/plan.js';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './headers.js';
import type { GatewayMetrics } from './metrics.js';

export interface RouteTarget {
  prefix: string;
  methods: string[];
  route: EdgeRoute;
  upstream: { config: UpstreamConfig; pool: Pool; basePath: string };
}

export interface GatewayDeps {
  targets: RouteTarget[];
  directory: KeyDirectory;
  sidecar: SidecarClient;
  reporter?: UsageReporter;
  metrics: GatewayMetrics;
  logger: Logger;
  stripRequestHeaders: ReadonlySet<string>;
}

type Asked = { decision: Decision; reservationId?: string };

/**
 * One request: route → API key → one question to the sidecar → proxy with streaming bodies → settle (commit or
 * release a reservation, report usage). Every refusal is problem+json with DESIGN.md's status codes.
 */
export function gatewayHandler(deps: GatewayDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      deps.logger.error({ err, url: req.url }, 'gateway request failed');
      if (!res.headersSent) answer(deps, res, problemOf('internal', 'Internal error', 500, 'the gateway failed to handle the request'));
      else res.destroy();
    });
  };
}

async function handle(deps: GatewayDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const target = matchRoute(deps.targets, method, url);
  if (!target) return answer(deps, res, problemOf('no-route', 'Not found', 404, `no gateway route matches ${method} ${stripQuery(url)}`));

  const who = identify((name) => single(req.headers[name]), (sha) => deps.directory.resolve(sha));
  if (!who.ok) return answer(deps, res, who.answer);
  const { route } = target;
  const tenantId = who.tenantId;
  const question = questionFor(route);

  let asked: Asked;
  const started = performance.now();
  try {
    asked = await ask(deps.sidecar, tenantId, route.feature, question);
  } catch (err) {
    deps.logger.warn({ err, tenant: tenantId, feature: route.feature }, 'sidecar did not answer');
    return answer(deps, res, problemOf('sidecar-unavailable', 'Quota decision unavailable', 503, `the local Tollgate sidecar did not answer: ${(err as Error).message}`));
  } finally {
    deps.metrics.sidecarSeconds.observe((performance.now() - started) / 1000);
  }

  const { decision } = asked;
  const feature = deps.directory.feature(tenantId, route.feature);
  const shadowDenied = !decision.allowed && feature?.shadow === true;
  if (!decision.allowed && !shadowDenied) return answer(deps, res, deniedAnswer(decision, tenantId, route.feature, feature));

  const added: Record<string, string> = { 'x-tollgate-tenant': tenantId, 'x-tollgate-feature': route.feature };
  if (who.keyId) added['x-tollgate-key-id'] = who.keyId;
  const outcome = await proxy(deps, target, req, res, added, decision, shadowDenied);
  deps.metrics.requests.inc({ outcome: outcome.kind === 'answered' ? 'proxied' : outcome.kind === 'timeout' ? '504' : '502' });
  settleAfterwards(deps, route, tenantId, who.keyId, question, asked, outcome);
}

function ask(sidecar: SidecarClient, tenantId: string, featureId: string, question: Question): Promise<Asked> {
  return question.kind === 'check' ? sidecar.check(tenantId, featureId, question.cost).then((decision) => ({ decision })) : sidecar.reserve(tenantId, featureId, question.estimate);
}

async function proxy(
  deps: GatewayDeps,
  target: RouteTarget,
  req: IncomingMessage,
  res: ServerResponse,
  added: Record<string, string>,
  decision: Decision,
  shadowDenied: boolean,
): Promise<UpstreamOutcome> {
  const { route, upstream } = target;
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  let upstreamResponse: Dispatcher.ResponseData;
  try {
    upstreamResponse = await upstream.pool.request({
      path: upstreamPath(upstream.basePath, route, req.url ?? '/'),
      method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: upstreamRequestHeaders(req.headers, deps.stripRequestHeaders, added, req.socket.remoteAddress),
      body: hasBody(req) ? req : undefined,
      headersTimeout: upstream.config.headers_timeout_ms,
      bodyTimeout: upstream.config.body_timeout_ms,
      signal: abort.signal,
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
    if (!abort.signal.aborted) {
      deps.logger.warn({ err, upstream: upstream.config.id }, 'upstream failed');
      const answerOf = timedOut
        ? problemOf('upstream-timeout', 'Upstream timeout', 504, `upstream "${upstream.config.id}" did not answer within ${upstream.config.headers_timeout_ms} ms`)
        : problemOf('upstream-unreachable', 'Bad gateway', 502, `upstream "${upstream.config.id}" failed: ${code ?? (err as Error).message}`);
      send(res, answerOf);
    }
    return timedOut ? { kind: 'timeout' } : { kind: 'unreachable' };
  }

  const headers = downstreamResponseHeaders(upstreamResponse.headers);
  for (const [name, value] of rateLimitHeaders(decision, deps.directory.feature(added['x-tollgate-tenant'], route.feature))) headers[name] = value;
  if (decision.overage) headers['x-tollgate-overage'] = 'true';
  if (shadowDenied) headers['x-tollgate-shadow-denied'] = decision.reason;
  res.writeHead(upstreamResponse.statusCode, headers);
  // A body of unknown length may be a stream (SSE from an LLM): its client must see the head before the first
  // event, not with it. A body of known length goes out with the head, in one write.
  if (upstreamResponse.headers['content-length'] === undefined) res.flushHeaders();
  const completed = await relay(upstreamResponse.body, res);
  if (!completed) deps.logger.debug({ upstream: upstream.config.id }, 'response stream ended early');
  // A streamed response (SSE from an LLM) often knows its cost only at the end: then it comes as a trailer.
  const costField = route.cost_from_response_header;
  const costHeader = costField ? (single(upstreamResponse.headers[costField]) ?? upstreamResponse.trailers[costField]) : undefined;
  return { kind: 'answered', status: upstreamResponse.statusCode, costHeader, completed };
}

function settleAfterwards(deps: GatewayDeps, route: EdgeRoute, tenantId: string, keyId: string | undefined, question: Question, asked: Asked, outcome: UpstreamOutcome): void {
  const settlement = settle(route, question, outcome);
  if (asked.reservationId) {
    const id = asked.reservationId;
    const done = settlement.charge ? deps.sidecar.commit(tenantId, id, settlement.quantity) : deps.sidecar.release(tenantId, id);
    done.catch((err: unknown) => {
      const operation = settlement.charge ? 'commit' : 'release';
      deps.metrics.settlementFailures.inc({ operation });
      deps.logger.warn({ err, tenant: tenantId, reservation: id }, `${operation} failed; the reservation expires by its TTL`);
    });
  }
  if (settlement.charge && settlement.quantity > 0 && deps.reporter) {
    const attributes: Record<string, string> = { route: route.prefix, status: outcome.kind === 'answered' ? String(outcome.status) : outcome.kind };
    if (keyId) attributes.api_key_id = keyId;
    deps.reporter.add({ tenantId, featureId: route.feature, quantity: settlement.quantity, attributes }, new Date());
  }
}

/**
 * Streams the upstream body to the client with backpressure; true once all of it was handed to the socket. Not
 * `stream.pipeline`: that allocates an AbortController per call and aborts it, with a DOMException, on success
 * (a few per cent of the gateway's CPU at a few hundred requests a second).
 */
function relay(body: Readable, res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    body.once('error', () => {
      res.destroy();
      resolve(false);
    });
    res.once('close', () => {
      if (res.writableFinished) return;
      body.destroy();
      resolve(false);
    });
    res.once('finish', () => resolve(true));
    body.pipe(res);
  });
}

function answer(deps: GatewayDeps, res: ServerResponse, httpAnswer: HttpAnswer): void {
  deps.metrics.requests.inc({ outcome: String(httpAnswer.status) });
  send(res, httpAnswer);
}

function send(res: ServerResponse, httpAnswer: HttpAnswer): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { 'content-length': String(Buffer.byteLength(httpAnswer.body)) };
  for (const [name, value] of httpAnswer.headers) headers[name] = value;
  res.writeHead(httpAnswer.status, headers);
  res.end(httpAnswer.body);
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
