import { Metadata, status, type ServerErrorResponse, type StatusObject } from '@grpc/grpc-js';
import type { Socket } from 'node:net';
import { decodeLocalRequest, encodeLocalResponse, encodeLocalResponseParts, FrameSplitter, writeFrame, LOCAL_CALL_PREFACE, LocalCallWireError, type LocalCallRequest } from '../../../common/local-call-wire.js';
import { SharedFramePool } from './frame-pool.js';
import { isUnaryHandler, type RegisteredHandler } from './grpc-fast-unary.js';

/**
 * Serves the local call protocol (common/local-call-wire.ts) on connections of the sidecar's unix socket: every unary
 * method registered with the grpc-js server, with the same handlers and codecs, status codes and messages. Handlers
 * see the same call shape as on the fast gRPC path (grpc-fast-unary.ts); the peer is "unknown", as grpc-js reports a
 * unix socket's. What gRPC has and this leaves out: streaming methods, compression, and metadata on error statuses.
 */
/** What the server reports, for metrics. */
export interface LocalCallObserver {
  answered(code: number): void;
  connections(open: number): void;
}

const UNOBSERVED: LocalCallObserver = { answered: () => {}, connections: () => {} };

export class LocalCallServer {
  private readonly connections = new Set<LocalConnection>();
  private readonly frames = new SharedFramePool();
  private stopping = false;

  constructor(
    private readonly handlers: ReadonlyMap<string, RegisteredHandler>,
    private readonly maxMessageLength: number,
    private readonly observer: LocalCallObserver = UNOBSERVED,
  ) {}

  /** Takes a connection whose preface has been read; `rest` is what arrived after it. */
  accept(socket: Socket, rest: Buffer): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const connection = new LocalConnection(socket, this.handlers, this.maxMessageLength, this.frames, this.observer, () => {
      this.connections.delete(connection);
      this.observer.connections(this.connections.size);
    });
    this.connections.add(connection);
    this.observer.connections(this.connections.size);
    connection.start(rest);
  }

  /** Takes no more calls; answers those in flight, up to `graceMs`, then closes every connection. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    const until = performance.now() + graceMs;
    for (const c of this.connections) c.refuseNewCalls();
    while (performance.now() < until && [...this.connections].some((c) => c.inFlight > 0)) await new Promise((r) => setTimeout(r, 10));
    for (const c of this.connections) c.destroy();
  }
}

/** Bytes of answers waiting for a client to read them before its next calls wait to be read. */
const ANSWERS_BUFFERED_MAX = 4 * 1024 * 1024;

class LocalConnection {
  inFlight = 0;
  private readonly splitter: FrameSplitter;
  private readonly calls = new Set<LocalCall>();
  private refusing = false;

  constructor(
    private readonly socket: Socket,
    private readonly handlers: ReadonlyMap<string, RegisteredHandler>,
    maxMessageLength: number,
    private readonly frames: SharedFramePool,
    private readonly observer: LocalCallObserver,
    private readonly onClose: () => void,
  ) {
    // The largest request: the message, plus a path, headers and fixed fields well under 64 KiB.
    this.splitter = new FrameSplitter(maxMessageLength + 65_536, frames);
  }

  start(rest: Buffer): void {
    const { socket } = this;
    socket.on('error', () => {
      // A reset by the client: its calls are cancelled on 'close'.
    });
    socket.on('close', () => {
      for (const call of this.calls) call.cancelled = true;
      this.onClose();
    });
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.write(LOCAL_CALL_PREFACE);
    if (rest.length > 0) this.receive(rest);
  }

  refuseNewCalls(): void {
    this.refusing = true;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (err) {
      // Past an oversized frame there is no telling where the next one starts: the connection cannot go on.
      this.socket.destroy(err as Error);
      return;
    }
    // Answers decided synchronously (most Checks) go out in one write.
    this.socket.cork();
    try {
      for (const frame of frames) this.serve(frame);
    } finally {
      this.socket.uncork();
    }
    // A client that sends calls without reading the answers gets no more of them read until it does.
    if (this.socket.writableLength > ANSWERS_BUFFERED_MAX && !this.socket.isPaused()) {
      this.socket.pause();
      this.socket.once('drain', () => this.socket.resume());
    }
  }

  /** A frame joined in pooled memory goes back to the pool once its call is answered (or refused). */
  private serve(frame: Buffer): void {
    if (!this.dispatch(frame)) this.frames.give(frame);
  }

  /** True when a handler took the call: it gives the frame back when done. */
  private dispatch(frame: Buffer): boolean {
    let request: LocalCallRequest;
    try {
      request = decodeLocalRequest(frame);
    } catch (err) {
      if (frame.length < 4) {
        this.socket.destroy(err as Error);
        return false;
      }
      this.send(frame.readUInt32BE(0), { code: status.INTERNAL, details: `malformed local call: ${(err as LocalCallWireError).message}` });
      return false;
    }
    const { id } = request;
    if (this.refusing) {
      this.send(id, { code: status.UNAVAILABLE, details: 'the sidecar is shutting down' });
      return false;
    }
    const handler = this.handlers.get(request.path);
    if (!isUnaryHandler(handler)) {
      this.send(id, { code: status.UNIMPLEMENTED, details: `The server does not implement the method ${request.path}` });
      return false;
    }
    let decoded: unknown;
    try {
      decoded = handler.deserialize(request.message);
    } catch (err) {
      this.send(id, { code: status.INTERNAL, details: `Error deserializing request: ${(err as Error)?.message ?? String(err)}` });
      return false;
    }
    const deadline = request.timeoutMs > 0 ? performance.now() + request.timeoutMs : Infinity;
    const call = new LocalCall(decoded, request.headers, request.path, deadline);
    this.calls.add(call);
    this.inFlight++;
    let answered = false;
    const done = (err: ServerErrorResponse | Partial<StatusObject> | null, value?: unknown) => {
      if (answered) return;
      answered = true;
      this.calls.delete(call);
      this.inFlight--;
      this.answer(id, handler, deadline, err, value);
      // Handlers use the request (ReportBatch: its bytes as they are) only until they answer.
      this.frames.give(frame);
    };
    try {
      handler.func(call, done);
    } catch (err) {
      done({ code: status.UNKNOWN, details: `Server method handler threw error ${(err as Error)?.message ?? String(err)}` });
    }
    return true;
  }

  private answer(id: number, handler: RegisteredHandler, deadline: number, err: ServerErrorResponse | Partial<StatusObject> | null, value?: unknown): void {
    if (this.socket.destroyed) return;
    if (deadline !== Infinity && performance.now() > deadline) {
      this.send(id, { code: status.DEADLINE_EXCEEDED, details: 'Deadline exceeded' });
      return;
    }
    if (err) {
      this.send(id, err);
      return;
    }
    let message: Buffer;
    try {
      message = handler.serialize(value);
    } catch (e) {
      this.send(id, { code: status.INTERNAL, details: `Error serializing response: ${(e as Error)?.message ?? String(e)}` });
      return;
    }
    // Serialized answers are fresh memory of their own: a long one is written as it is.
    writeFrame(this.socket, encodeLocalResponseParts(id, status.OK, message));
    this.observer.answered(status.OK);
  }

  private send(id: number, s: ServerErrorResponse | Partial<StatusObject>): void {
    if (this.socket.destroyed) return;
    const code = typeof s.code === 'number' && s.code > 0 ? s.code : status.UNKNOWN;
    const details = s.details ?? (s as Error).message ?? 'Unknown error';
    this.socket.write(encodeLocalResponse(id, code, Buffer.from(details, 'utf8')));
    this.observer.answered(code);
  }
}

/** What a handler receives: the part of grpc-js's ServerUnaryCall the sidecar's handlers use (as on the fast path). */
class LocalCall {
  cancelled = false;
  private meta?: Metadata;

  constructor(
    readonly request: unknown,
    private readonly headers: Record<string, string>,
    private readonly path: string,
    private readonly deadline: number,
  ) {}

  header(name: string): string | undefined {
    return this.headers[name];
  }

  get metadata(): Metadata {
    if (this.meta === undefined) {
      this.meta = new Metadata();
      // Binary (-bin) metadata has no place in this protocol's text headers.
      for (const name in this.headers) if (!name.endsWith('-bin')) this.meta.set(name, this.headers[name]);
    }
    return this.meta;
  }

  getPeer(): string {
    return 'unknown';
  }

  getDeadline(): Date | number {
    return Number.isFinite(this.deadline) ? new Date(Date.now() + (this.deadline - performance.now())) : Infinity;
  }

  getPath(): string {
    return this.path;
  }
}
