import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpHandler } from '../../ports.js';
import { Code, type EventError, type UsageEventInput } from '../domain/validate-event.js';
import { credentialFrom, type Caller, type CallerAuth } from '../../api/caller-auth.js';
import { reportAs } from './report-as.js';
import type { ReportOutcome, UsageIngest } from '../ingest.js';

/**
 * POST /v1/events — CloudEvents 1.0, structured JSON mode.
 *
 *   CloudEvents attribute      UsageEvent field
 *   id                         event_id (a ULID)
 *   subject                    tenant_id
 *   type                       feature_id
 *   source                     service_id
 *   time                       timestamp (optional; default now)
 *   data.quantity              quantity — a JSON *string* ("12.5"); JSON numbers are refused to keep it exact
 *   data.attributes            attributes (object of strings)
 *   data.correction            "void" | "amend" (corrections only)
 *   data.corrects_event_id     corrects_event_id (corrections only)
 */
const CE_FIELD: Record<string, string> = {
  event_id: 'id',
  tenant_id: 'subject',
  feature_id: 'type',
  service_id: 'source',
  timestamp: 'time',
  quantity: 'data.quantity',
  attributes: 'data.attributes',
  correction: 'data.correction',
  corrects_event_id: 'data.corrects_event_id',
};

const SINGLE = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
const DATA_KEYS = new Set(['quantity', 'attributes', 'correction', 'corrects_event_id']);

class BadEvent extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

function str(ce: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const value = ce[key];
  if (value === undefined || value === null) {
    if (required) throw new BadEvent(key, 'is required');
    return undefined;
  }
  if (typeof value !== 'string') throw new BadEvent(key, 'must be a string');
  return value;
}

/** Maps one structured CloudEvent to a UsageEvent; throws BadEvent naming the CloudEvents field. */
export function fromCloudEvent(value: unknown): UsageEventInput {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new BadEvent('(event)', 'must be a JSON object');
  const ce = value as Record<string, unknown>;
  if (ce.specversion !== '1.0') throw new BadEvent('specversion', 'must be "1.0"');
  const contentType = str(ce, 'datacontenttype', false);
  if (contentType !== undefined && !/^application\/json\b/.test(contentType)) throw new BadEvent('datacontenttype', 'must be application/json');
  const eventId = str(ce, 'id', true);
  const serviceId = str(ce, 'source', true);
  const featureId = str(ce, 'type', true);
  const tenantId = str(ce, 'subject', true);
  const timestamp = str(ce, 'time', false);
  if (ce.data_base64 !== undefined) throw new BadEvent('data_base64', 'is not supported; send data as JSON');
  const data = ce.data;
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new BadEvent('data', 'must be a JSON object with at least "quantity"');
  const d = data as Record<string, unknown>;
  for (const key of Object.keys(d)) if (!DATA_KEYS.has(key)) throw new BadEvent(`data.${key}`, 'is not a known usage field (quantity, attributes, correction, corrects_event_id)');
  if (d.quantity !== undefined && typeof d.quantity !== 'string') {
    throw new BadEvent('data.quantity', 'must be a JSON string such as "12.5"; JSON numbers are refused so quantities stay exact');
  }
  let attributes: Record<string, string> | undefined;
  if (d.attributes !== undefined) {
    if (!d.attributes || typeof d.attributes !== 'object' || Array.isArray(d.attributes)) throw new BadEvent('data.attributes', 'must be an object of strings');
    attributes = {};
    for (const [k, v] of Object.entries(d.attributes as Record<string, unknown>)) {
      if (typeof v !== 'string') throw new BadEvent(`data.attributes.${k}`, 'must be a string');
      attributes[k] = v;
    }
  }
  if (d.correction !== undefined && d.correction !== 'void' && d.correction !== 'amend') throw new BadEvent('data.correction', 'must be "void" or "amend"');
  if (d.corrects_event_id !== undefined && typeof d.corrects_event_id !== 'string') throw new BadEvent('data.corrects_event_id', 'must be a string');
  return {
    eventId,
    tenantId,
    featureId,
    serviceId,
    timestamp,
    quantity: d.quantity as string | undefined,
    attributes,
    correction: d.correction === undefined ? undefined : (d.correction as string).toUpperCase(),
    correctsEventId: d.corrects_event_id as string | undefined,
  };
}

function ceError(error: EventError): EventError {
  const bracket = error.field.indexOf('[');
  const base = bracket === -1 ? error.field : error.field.slice(0, bracket);
  const mapped = CE_FIELD[base];
  if (!mapped) return error;
  const field = mapped + error.field.slice(base.length).replace(/^\[(.*)\]$/, '.$1');
  return { ...error, field, message: error.message.replace(error.field, field) };
}

function json(res: ServerResponse, statusCode: number, body: unknown, contentType = 'application/json', headers: Record<string, string> = {}): void {
  res.writeHead(statusCode, { 'content-type': contentType, ...headers });
  res.end(JSON.stringify(body));
}

function problem(res: ServerResponse, statusCode: number, title: string, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void {
  json(res, statusCode, { type: 'about:blank', title, status: statusCode, detail, ...extra }, 'application/problem+json', headers);
}

const HTTP_STATUS: Record<number, [number, string]> = {
  [Code.INVALID_ARGUMENT]: [400, 'Bad Request'],
  [Code.PERMISSION_DENIED]: [403, 'Forbidden'],
  [Code.FAILED_PRECONDITION]: [409, 'Conflict'],
  [Code.RESOURCE_EXHAUSTED]: [503, 'Service Unavailable'],
  [Code.UNAVAILABLE]: [503, 'Service Unavailable'],
};

function outcomeJson(o: ReportOutcome, error?: EventError) {
  return error ? { event_id: o.eventId, accepted: false, error: { code: error.code, reason: error.reason, field: error.field, message: error.message } } : { event_id: o.eventId, accepted: true };
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function cloudEventsHandler(ingest: () => UsageIngest | undefined, auth: CallerAuth, limits: { maxBatchEvents: number; maxBodyBytes: number }): HttpHandler {
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/v1/events') return false;
    if (req.method !== 'POST') {
      problem(res, 405, 'Method Not Allowed', 'use POST with a CloudEvent', {}, { allow: 'POST' });
      return true;
    }
    let caller: Caller;
    try {
      caller = auth.identify(credentialFrom((name) => req.headers[name] as string | undefined), req.socket.remoteAddress ?? '');
    } catch (err) {
      problem(res, 401, 'Unauthorized', (err as Error).message, {}, { 'www-authenticate': 'Bearer' });
      return true;
    }
    const target = ingest();
    if (!target) {
      problem(res, 503, 'Service Unavailable', 'usage ingestion is starting', {}, { 'retry-after': '1' });
      return true;
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (contentType !== SINGLE && contentType !== BATCH) {
      problem(res, 415, 'Unsupported Media Type', `content-type must be ${SINGLE} (one event) or ${BATCH} (a JSON array of events)`);
      return true;
    }
    const body = await readBody(req, limits.maxBodyBytes);
    if (!body) {
      problem(res, 413, 'Payload Too Large', `request body exceeds ${limits.maxBodyBytes} bytes`, { reason: 'BATCH_TOO_LARGE' });
      return true;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (err) {
      problem(res, 400, 'Bad Request', `body is not valid JSON: ${(err as Error).message}`);
      return true;
    }

    if (contentType === SINGLE) {
      let input: UsageEventInput;
      try {
        input = fromCloudEvent(parsed);
      } catch (err) {
        if (!(err instanceof BadEvent)) throw err;
        problem(res, 400, 'Bad Request', err.message, { field: err.field, reason: 'INVALID_CLOUDEVENT' });
        return true;
      }
      const [outcome] = await reportAs(target, auth, caller, [input]);
      if (outcome.accepted) json(res, 202, outcomeJson(outcome));
      else {
        const error = ceError(outcome.error!);
        const [statusCode, title] = HTTP_STATUS[error.code] ?? [500, 'Internal Server Error'];
        problem(res, statusCode, title, error.message, { field: error.field, reason: error.reason, event_id: outcome.eventId }, statusCode === 503 ? { 'retry-after': '1' } : {});
      }
      return true;
    }

    if (!Array.isArray(parsed)) {
      problem(res, 400, 'Bad Request', `a ${BATCH} body must be a JSON array of CloudEvents`);
      return true;
    }
    if (parsed.length > limits.maxBatchEvents) {
      problem(res, 413, 'Payload Too Large', `${parsed.length} events in one batch; at most ${limits.maxBatchEvents} are allowed`, { reason: 'BATCH_TOO_LARGE', field: '(batch)' });
      return true;
    }
    // Events that are not even well-formed CloudEvents get their error here; the rest go through ingestion.
    const results: Array<ReturnType<typeof outcomeJson>> = new Array(parsed.length);
    const inputs: UsageEventInput[] = [];
    const positions: number[] = [];
    parsed.forEach((value, i) => {
      try {
        inputs.push(fromCloudEvent(value));
        positions.push(i);
      } catch (err) {
        if (!(err instanceof BadEvent)) throw err;
        const id = value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string' ? (value as { id: string }).id : '';
        results[i] = { event_id: id, accepted: false, error: { code: Code.INVALID_ARGUMENT, reason: 'INVALID_CLOUDEVENT' as const, field: err.field, message: err.message } };
      }
    });
    const outcomes = inputs.length > 0 ? await reportAs(target, auth, caller, inputs) : [];
    outcomes.forEach((o, k) => (results[positions[k]] = outcomeJson(o, o.error && ceError(o.error))));
    const accepted = results.filter((r) => r.accepted).length;
    json(res, 200, { results, accepted, rejected: results.length - accepted });
    return true;
  };
}
