import { Metadata, status } from '@grpc/grpc-js';
import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { grpcFrame } from './grpc-frame.js';
import { OverdueSweeper } from './overdue-sweeper.js';

/**
 * Unary gRPC calls over one node:http2 connection, for a process that asks the same local server one small question
 * per request (the gateway asking its sidecar). A grpc-js client call costs the caller about twice the CPU of the
 * same exchange on node:http2 (call stack, interceptors, filters, metadata objects, a promise per message), and on
 * a path that does this once per proxied request that is most of the hop's cost.
 *
 * What it does: the gRPC framing (one uncompressed message each way), grpc-status/grpc-message from trailers or a
 * trailers-only answer, errors shaped like grpc-js's ServiceError (code, details, metadata), a bound on every call
 * through one sweeping timer (UNAVAILABLE-free: an overdue call is cancelled with DEADLINE_EXCEEDED), and a new
 * connection when the old one closed, failed or was told to go away. What it leaves out: compression, retries,
 * name resolution beyond "unix:PATH" and "HOST:PORT", TLS, load balancing. Use grpc-js for anything else.
 */

export class GrpcCallError extends Error {
  override name = 'GrpcCallError';
  constructor(
    readonly code: status,
    readonly details: string,
    readonly metadata: Metadata = new Metadata(),
  ) {
    super(`${code} ${status[code] ?? 'UNKNOWN'}: ${details}`);
  }
}

interface PendingCall {
  stream: ClientHttp2Stream;
  due: number;
  reject: (err: GrpcCallError) => void;
}

export class GrpcH2Client {
  private session?: ClientHttp2Session;
  private readonly pending = new Set<PendingCall>();
  private readonly sweeper: OverdueSweeper;
  private closed = false;

  /**
   * @param target "unix:PATH", "unix:///PATH" or "HOST:PORT" (grpc-js target syntax, those forms only)
   * @param timeoutMs every call's bound
   */
  constructor(
    readonly target: string,
    private readonly timeoutMs: number,
  ) {
    this.sweeper = new OverdueSweeper(timeoutMs, (now) => this.cancelOverdue(now));
  }

  /**
   * Sends one serialized request message to `path` ("/package.Service/Method") and resolves with the reply's bytes.
   * `timeoutMs` overrides the client's bound for this call.
   */
  call(path: string, message: Buffer, options: { metadata?: Record<string, string>; timeoutMs?: number } = {}): Promise<Buffer> {
    const { metadata, timeoutMs = this.timeoutMs } = options;
    if (this.closed) return Promise.reject(new GrpcCallError(status.UNAVAILABLE, 'client closed'));
    const headers = { ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...metadata };
    let stream: ClientHttp2Stream;
    try {
      stream = this.connection().request(headers);
    } catch (err) {
      // Out of stream ids, or a session that closed under us: one fresh connection, then give up.
      this.drop();
      try {
        stream = this.connection().request(headers);
      } catch {
        return Promise.reject(new GrpcCallError(status.UNAVAILABLE, `cannot start a call on ${this.target}: ${(err as Error).message}`));
      }
    }
    return new Promise<Buffer>((resolve, reject) => {
      const entry: PendingCall = { stream, due: performance.now() + timeoutMs, reject };
      this.pending.add(entry);
      this.sweeper.start();
      let head: IncomingHttpHeaders | undefined;
      let trailers: IncomingHttpHeaders | undefined;
      let body: Buffer | undefined;
      let parts: Buffer[] | undefined;
      let settled = false;
      const settle = (err: GrpcCallError | undefined, value?: Buffer) => {
        if (settled) return;
        settled = true;
        this.pending.delete(entry);
        if (err) reject(err);
        else resolve(value!);
      };
      entry.reject = (err) => {
        settle(err);
        stream.close(constants.NGHTTP2_CANCEL);
      };
      stream.on('response', (h) => (head = h));
      stream.on('trailers', (t) => (trailers = t));
      stream.on('data', (chunk: Buffer) => {
        if (body === undefined) body = chunk;
        else (parts ??= [body]).push(chunk);
      });
      stream.on('error', (err: Error) => settle(new GrpcCallError(status.UNAVAILABLE, `call to ${this.target} failed: ${err.message}`)));
      stream.on('close', () => {
        if (settled) return;
        const final = trailers ?? head;
        const code = final?.['grpc-status'];
        if (code === undefined) {
          const httpStatus = head?.[':status'];
          settle(new GrpcCallError(status.UNAVAILABLE, httpStatus ? `HTTP ${httpStatus} without a grpc-status from ${this.target}` : `${this.target} closed the call without an answer`));
          return;
        }
        if (code !== '0') {
          settle(new GrpcCallError(Number(code) as status, decodeMessage(final?.['grpc-message']), customMetadata(final!)));
          return;
        }
        const bytes = parts ? Buffer.concat(parts) : body;
        const reply = replyMessage(bytes);
        if (reply instanceof GrpcCallError) settle(reply);
        else settle(undefined, reply);
      });
      stream.end(grpcFrame(message));
    });
  }

  /** Pending calls still complete; new calls are refused. */
  close(): void {
    this.closed = true;
    this.sweeper.stop();
    this.session?.close();
  }

  private connection(): ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const unixPath = unixSocketPath(this.target);
    const session = unixPath
      ? connect('http://localhost', { createConnection: () => netConnect(unixPath) })
      : connect(`http://${this.target}`);
    session.on('error', () => {
      // Each pending stream gets its own error or close; the next call opens a new connection.
      if (this.session === session) this.session = undefined;
    });
    session.on('goaway', () => {
      if (this.session === session) this.session = undefined;
    });
    session.on('close', () => {
      if (this.session === session) this.session = undefined;
    });
    this.session = session;
    return session;
  }

  private drop(): void {
    const s = this.session;
    this.session = undefined;
    s?.close();
  }

  private cancelOverdue(now: number): number {
    for (const call of this.pending) {
      if (call.due <= now) call.reject(new GrpcCallError(status.DEADLINE_EXCEEDED, `no answer from ${this.target} in time`));
    }
    return this.pending.size;
  }
}

/** The socket path of a "unix:PATH" or "unix:///PATH" target; undefined for HOST:PORT. */
export function unixSocketPath(target: string): string | undefined {
  return /^unix:(?:\/\/)?(.+)$/.exec(target)?.[1];
}

function replyMessage(bytes: Buffer | undefined): Buffer | GrpcCallError {
  if (bytes === undefined || bytes.length < 5) return new GrpcCallError(status.INTERNAL, 'the server answered OK without a message');
  if (bytes[0] !== 0) return new GrpcCallError(status.INTERNAL, 'the server sent a compressed message, which this client does not accept');
  const length = bytes.readUInt32BE(1);
  if (bytes.length !== 5 + length) return new GrpcCallError(status.INTERNAL, 'the server sent a cut or extra message for a unary call');
  return bytes.subarray(5);
}

/** The server's own metadata of a status: everything but the HTTP/2 and gRPC protocol headers. */
function customMetadata(headers: IncomingHttpHeaders): Metadata {
  const custom: IncomingHttpHeaders = {};
  for (const name in headers) {
    if (name[0] !== ':' && name !== 'content-type' && !name.startsWith('grpc-')) custom[name] = headers[name];
  }
  return Metadata.fromHttp2Headers(custom);
}

function decodeMessage(value: string | string[] | undefined): string {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return '';
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
