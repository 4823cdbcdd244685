import { Metadata, status, type sendUnaryData, type Server, type ServerErrorResponse, type StatusObject } from '@grpc/grpc-js';
import type { Http2Server, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { grpcFrame } from '../../../common/grpc-frame.js';

/**
 * A lighter server path for the sidecar's hot unary methods (Check, CheckBatch, Envoy's Check and ShouldRateLimit).
 *
 * grpc-js spends about as much CPU per call on its own machinery (interceptor chain, call objects, metadata maps,
 * per-message promises, channelz bookkeeping) as node:http2 spends on the stream itself; measured with h2load on this
 * project's 2-vCPU VM, a do-nothing grpc-js server answers ~9–10k Check calls/s where a do-nothing node:http2 server
 * speaking the same gRPC framing answers ~19–21k. So for the listed methods the sidecar takes the stream from
 * grpc-js's own HTTP/2 server, before grpc-js sees it, and answers it itself with the handler and codecs registered
 * with grpc-js: same handler, same serializers, same wire format, same status codes and messages for protocol errors.
 *
 * Everything unusual is left to grpc-js: other methods and types, a compressed request (grpc-encoding other than
 * identity), a method that is not POST, a content type that is not application/grpc*. Handlers on this path see a
 * call with `request`, `metadata`, `getPeer()`, `getDeadline()`, `getPath()` and `cancelled`, which is all the
 * sidecar's fast methods use. A deadline (grpc-timeout) is honoured when the answer is ready: an answer later than
 * the deadline is replaced by DEADLINE_EXCEEDED, as the client would have given up on it (no timer per call).
 *
 * grpc-js has no public hook for this; it keeps its HTTP/2 servers in `http2Servers` and its handlers in `handlers`.
 * `attach` checks both shapes and reports false (grpc-js keeps serving everything) when they are not what it knows.
 */

export interface RegisteredHandler {
  func: (call: unknown, callback: sendUnaryData<unknown>) => void;
  serialize: (value: unknown) => Buffer;
  deserialize: (bytes: Buffer) => unknown;
  type: string;
  path: string;
}

interface GrpcJsInternals {
  http2Servers?: Map<Http2Server, unknown>;
  handlers?: Map<string, RegisteredHandler>;
  onStreamOpened?: (stream: ServerHttp2Stream) => void;
}

/** grpc-js's HTTP/2 servers and registered handlers, or undefined when its internals are not the shape this knows. */
export function grpcJsInternals(server: Server): { http2Servers: Http2Server[]; handlers: Map<string, RegisteredHandler> } | undefined {
  const internals = server as unknown as GrpcJsInternals;
  if (!(internals.http2Servers instanceof Map) || !(internals.handlers instanceof Map)) return undefined;
  return { http2Servers: [...internals.http2Servers.keys()], handlers: internals.handlers };
}

type StreamListener = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void;

export interface FastUnaryOptions {
  /** The same limit the grpc-js server was given (`grpc.max_receive_message_length`). */
  maxReceiveMessageLength: number;
}

const RESPONSE_HEADERS = {
  ':status': 200,
  'content-type': 'application/grpc+proto',
  'grpc-accept-encoding': 'identity,deflate,gzip',
  'grpc-encoding': 'identity',
};
const OK_TRAILERS = { 'grpc-status': '0', 'grpc-message': 'OK' };
// gRPC has no use for a date header, and node:http2 formats one for every response unless told not to.
const RESPOND_WITH_TRAILERS = { waitForTrailers: true, sendDate: false };
const RESPOND_TRAILERS_ONLY = { endStream: true, sendDate: false };
const NO_METADATA = new Metadata();

export class FastUnaryPath {
  private readonly wrapped = new WeakSet<Http2Server>();
  private served = 0;

  constructor(
    private readonly paths: readonly string[],
    private readonly options: FastUnaryOptions,
  ) {}

  /** Calls answered on this path so far (the rest went to grpc-js). */
  get calls(): number {
    return this.served;
  }

  /**
   * Takes the listed unary methods of every HTTP/2 server `server` has bound so far (call again after each bind).
   * False when grpc-js's internals are not the expected shape: grpc-js then keeps serving every call.
   */
  attach(server: Server): boolean {
    const internals = grpcJsInternals(server);
    if (internals === undefined) return false;
    const methods = new Map<string, RegisteredHandler>();
    for (const path of this.paths) {
      const h = internals.handlers.get(path);
      if (isUnaryHandler(h)) methods.set(path, h);
    }
    const onStreamOpened = (server as unknown as GrpcJsInternals).onStreamOpened;
    const opened = typeof onStreamOpened === 'function' ? onStreamOpened.bind(server) : undefined;
    for (const http2Server of internals.http2Servers) {
      if (this.wrapped.has(http2Server)) continue;
      const listeners = http2Server.listeners('stream') as StreamListener[];
      if (listeners.length !== 1) return false;
      const grpcJs = listeners[0];
      http2Server.removeListener('stream', grpcJs);
      http2Server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
        const method = methods.get(headers[':path'] as string);
        if (method === undefined || !takesFastPath(headers)) {
          grpcJs.call(http2Server, stream, headers);
          return;
        }
        opened?.(stream);
        this.served++;
        serveUnary(stream, headers, method, this.options.maxReceiveMessageLength);
      });
      this.wrapped.add(http2Server);
    }
    return true;
  }
}

/** A handler grpc-js registered for a unary method, with the codecs this file calls. */
export function isUnaryHandler(h: RegisteredHandler | undefined): h is RegisteredHandler {
  return h !== undefined && h.type === 'unary' && typeof h.func === 'function' && typeof h.serialize === 'function' && typeof h.deserialize === 'function';
}

function takesFastPath(headers: IncomingHttpHeaders): boolean {
  const contentType = headers['content-type'];
  const encoding = headers['grpc-encoding'];
  return (
    headers[':method'] === 'POST' &&
    typeof contentType === 'string' &&
    contentType.startsWith('application/grpc') &&
    (encoding === undefined || encoding === 'identity')
  );
}

/** The call object a fast-path handler receives: the part of grpc-js's ServerUnaryCall the sidecar's handlers use. */
class FastUnaryCall {
  cancelled = false;
  private meta?: Metadata;

  constructor(
    readonly request: unknown,
    private readonly stream: ServerHttp2Stream,
    private readonly headers: IncomingHttpHeaders,
    private readonly path: string,
    private readonly deadline: number,
  ) {}

  /** One request header, without building Metadata (CallerAuth reads credentials this way when it can). */
  header(name: string): string | undefined {
    const value = this.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }

  get metadata(): Metadata {
    if (this.meta === undefined) {
      const h = this.headers;
      this.meta = h['authorization'] !== undefined || h['x-api-key'] !== undefined || hasCustomHeaders(h) ? Metadata.fromHttp2Headers(h) : NO_METADATA;
    }
    return this.meta;
  }

  /** As grpc-js reports it: "address:port", the bare address without a port, "unknown" for a unix socket. */
  getPeer(): string {
    const socket = this.stream.session?.socket;
    const address = socket?.remoteAddress;
    if (!address) return 'unknown';
    return socket.remotePort ? `${address}:${socket.remotePort}` : address;
  }

  getDeadline(): Date | number {
    return Number.isFinite(this.deadline) ? new Date(Date.now() + (this.deadline - performance.now())) : Infinity;
  }

  getPath(): string {
    return this.path;
  }
}

/** Any header beyond the HTTP/2 and gRPC protocol's own (only then is a full Metadata worth building). */
function hasCustomHeaders(headers: IncomingHttpHeaders): boolean {
  for (const name in headers) {
    if (name[0] === ':' || name === 'content-type' || name === 'te' || name === 'user-agent' || name.startsWith('grpc-')) continue;
    return true;
  }
  return false;
}

function serveUnary(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, method: RegisteredHandler, maxLength: number): void {
  stream.once('error', () => {
    // An error on the stream (a reset, a closed session) ends the call; there is no one left to answer.
  });
  const deadline = deadlineOf(headers['grpc-timeout']);
  if (deadline === undefined) {
    sendStatus(stream, { code: status.OUT_OF_RANGE, details: 'Invalid grpc-timeout value' });
    return;
  }
  let body: Buffer | undefined;
  let parts: Buffer[] | undefined;
  let size = 0;
  let failed = false;
  stream.on('data', (chunk: Buffer) => {
    if (failed) return;
    size += chunk.length;
    if (size > maxLength + 5) {
      failed = true;
      sendStatus(stream, { code: status.RESOURCE_EXHAUSTED, details: `Received message larger than max (${size - 5} vs. ${maxLength})` });
      return;
    }
    if (body === undefined) body = chunk;
    else (parts ??= [body]).push(chunk);
  });
  stream.once('end', () => {
    if (failed) return;
    const bytes = parts ? Buffer.concat(parts, size) : body;
    const message = singleMessage(bytes, method.path, maxLength);
    if ('code' in message) {
      sendStatus(stream, message);
      return;
    }
    let request: unknown;
    try {
      request = method.deserialize(message);
    } catch (err) {
      sendStatus(stream, { code: status.INTERNAL, details: `Error deserializing request: ${(err as Error)?.message ?? String(err)}` });
      return;
    }
    const call = new FastUnaryCall(request, stream, headers, method.path, deadline);
    stream.once('close', () => {
      call.cancelled = true;
    });
    try {
      method.func(call, (err, value) => answer(stream, method, deadline, err, value));
    } catch (err) {
      answer(stream, method, deadline, { code: status.UNKNOWN, details: `Server method handler threw error ${(err as Error)?.message ?? String(err)}` });
    }
  });
}

/** The one length-prefixed message of a unary request, or the status grpc-js answers when there is not exactly one. */
function singleMessage(bytes: Buffer | undefined, path: string, maxLength: number): Buffer | Pick<StatusObject, 'code' | 'details'> {
  if (bytes === undefined || bytes.length === 0) {
    return { code: status.UNIMPLEMENTED, details: `Received no request message for unary method ${path}` };
  }
  if (bytes.length < 5) return { code: status.INTERNAL, details: 'Received an incomplete message frame' };
  const compressed = bytes[0];
  const length = bytes.readUInt32BE(1);
  if (compressed !== 0) return { code: status.INTERNAL, details: 'Received a compressed message without a grpc-encoding' };
  if (length > maxLength) return { code: status.RESOURCE_EXHAUSTED, details: `Received message larger than max (${length} vs. ${maxLength})` };
  if (bytes.length < 5 + length) return { code: status.INTERNAL, details: 'Received an incomplete message frame' };
  if (bytes.length > 5 + length) {
    return { code: status.UNIMPLEMENTED, details: `Received a second request message for unary method ${path}` };
  }
  return bytes.subarray(5);
}

const TIMEOUT_UNITS_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };

/** performance.now() at which the call's grpc-timeout runs out; Infinity without one; undefined when malformed. */
function deadlineOf(timeout: string | string[] | undefined): number | undefined {
  if (timeout === undefined) return Infinity;
  const m = typeof timeout === 'string' ? /^(\d{1,8})([HMSmun])$/.exec(timeout) : null;
  if (!m) return undefined;
  return performance.now() + Number(m[1]) * TIMEOUT_UNITS_MS[m[2]];
}

function answer(stream: ServerHttp2Stream, method: RegisteredHandler, deadline: number, err: ServerErrorResponse | Partial<StatusObject> | null, value?: unknown): void {
  if (stream.destroyed || stream.headersSent) return;
  if (deadline !== Infinity && performance.now() > deadline) {
    sendStatus(stream, { code: status.DEADLINE_EXCEEDED, details: 'Deadline exceeded' });
    return;
  }
  if (err) {
    sendStatus(stream, err);
    return;
  }
  let message: Buffer;
  try {
    message = method.serialize(value);
  } catch (e) {
    sendStatus(stream, { code: status.INTERNAL, details: `Error serializing response: ${(e as Error)?.message ?? String(e)}` });
    return;
  }
  stream.respond(RESPONSE_HEADERS, RESPOND_WITH_TRAILERS);
  stream.once('wantTrailers', () => stream.sendTrailers(OK_TRAILERS));
  stream.end(grpcFrame(message));
}

/** A trailers-only response, as grpc-js sends for a call that fails before any message. */
function sendStatus(stream: ServerHttp2Stream, s: ServerErrorResponse | Partial<StatusObject>): void {
  if (stream.destroyed || stream.headersSent) return;
  const code = typeof s.code === 'number' ? s.code : status.UNKNOWN;
  const details = s.details ?? (s as Error).message ?? 'Unknown error';
  const trailers = {
    ':status': 200,
    'content-type': 'application/grpc+proto',
    'grpc-status': String(code),
    'grpc-message': encodeURI(details),
    ...(s.metadata ? s.metadata.toHttp2Headers() : {}),
  };
  stream.respond(trailers, RESPOND_TRAILERS_ONLY);
}
