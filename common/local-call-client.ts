import { status } from '@grpc/grpc-js';
import { connect, type Socket } from 'node:net';
import { GrpcCallError, GrpcH2Client, unixSocketPath } from './grpc-h2-client.js';
import { OverdueSweeper } from './overdue-sweeper.js';
import { decodeLocalResponse, encodeLocalRequestParts, FrameSplitter, LOCAL_CALL_PREFACE, writeFrame } from './local-call-wire.js';

/** Unary calls by method path with serialized messages: what the gateway needs of a connection to its sidecar. */
export interface UnaryCaller {
  readonly target: string;
  call(path: string, message: Buffer, options?: { metadata?: Record<string, string>; timeoutMs?: number }): Promise<Buffer>;
  /** Pending calls still complete; new calls are refused. */
  close(): void;
}

/**
 * The client for a sidecar's unix socket: the local call protocol when the target is `unix:PATH` and `protocol` is
 * "local", else gRPC over HTTP/2 (GrpcH2Client).
 */
export function sidecarCaller(target: string, timeoutMs: number, protocol: 'local' | 'grpc' = 'local'): UnaryCaller {
  const unixPath = unixSocketPath(target);
  if (protocol === 'local' && unixPath !== undefined) return new LocalCallClient(target, unixPath, timeoutMs, () => new GrpcH2Client(target, timeoutMs));
  return new GrpcH2Client(target, timeoutMs);
}

interface PendingCall {
  socket: Socket;
  due: number;
  path: string;
  message: Buffer;
  options: { metadata?: Record<string, string>; timeoutMs?: number };
  resolve: (reply: Buffer) => void;
  reject: (err: GrpcCallError) => void;
}

interface ConnectionState {
  socket: Socket;
  splitter: FrameSplitter;
  /** The server's preface as far as it has come. */
  prefaceSeen: Buffer;
}

/** Requests the client refuses to send; the sidecar's own limit is the same (8 MiB messages). */
const MAX_FRAME = 8 * 1024 * 1024 + 65_536;

/**
 * Unary calls in the sidecar's local call protocol (common/local-call-wire.ts) over one unix-socket connection, many
 * calls in flight, answered in any order. Errors are shaped like GrpcH2Client's (GrpcCallError: code and details;
 * error statuses carry no metadata in this protocol).
 *
 * A sidecar that does not speak the protocol (an older version, or a plain gRPC server on the socket) closes the
 * connection or answers with something other than the preface: the client then sends the calls waiting on that
 * connection, and every later one, over gRPC (`fallback`) — they were never served, so nothing is asked twice.
 * A connection that breaks after the preface fails its calls with UNAVAILABLE, as a broken HTTP/2 connection would;
 * the next call opens a new one.
 */
export class LocalCallClient implements UnaryCaller {
  private socket?: Socket;
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 1;
  private grpc?: UnaryCaller;
  private speaksLocal = false;
  private readonly sweeper: OverdueSweeper;
  private closed = false;

  constructor(
    readonly target: string,
    private readonly path: string,
    private readonly timeoutMs: number,
    private readonly fallback: () => UnaryCaller,
  ) {
    this.sweeper = new OverdueSweeper(timeoutMs, (now) => this.cancelOverdue(now));
  }

  /** "local" once the sidecar answered the preface, "grpc" after falling back, "unknown" before either. */
  get protocol(): 'local' | 'grpc' | 'unknown' {
    return this.grpc ? 'grpc' : this.speaksLocal ? 'local' : 'unknown';
  }

  call(path: string, message: Buffer, options: { metadata?: Record<string, string>; timeoutMs?: number } = {}): Promise<Buffer> {
    if (this.closed) return Promise.reject(new GrpcCallError(status.UNAVAILABLE, 'client closed'));
    if (this.grpc) return this.grpc.call(path, message, options);
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    let frame: Buffer[];
    try {
      // A long message is written as it is, after the frame's head: it must not change until the call settles, as
      // it is kept until then anyway (to be sent again over gRPC if the sidecar turns out not to speak this protocol).
      frame = encodeLocalRequestParts({ id, timeoutMs, path, headers: options.metadata ?? {}, message });
    } catch (err) {
      return Promise.reject(new GrpcCallError(status.INTERNAL, `cannot encode the call: ${(err as Error).message}`));
    }
    if (frame.reduce((n, part) => n + part.length, 0) > MAX_FRAME) return Promise.reject(new GrpcCallError(status.RESOURCE_EXHAUSTED, `request of ${message.length} bytes is larger than the sidecar accepts`));
    const socket = this.connection();
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, { socket, due: performance.now() + timeoutMs, path, message, options, resolve, reject });
      this.sweeper.start();
      writeFrame(socket, frame);
    });
  }


  close(): void {
    this.closed = true;
    this.grpc?.close();
    if (this.pending.size === 0) this.endConnection();
  }

  private connection(): Socket {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const socket = connect(this.path);
    const state: ConnectionState = { socket, splitter: new FrameSplitter(MAX_FRAME), prefaceSeen: Buffer.alloc(0) };
    let connected = false;
    let failure: Error | undefined;
    this.socket = socket;
    socket.on('connect', () => (connected = true));
    socket.on('data', (chunk: Buffer) => this.receive(state, chunk));
    socket.on('error', (err) => {
      failure = err; // 'close' follows and settles the calls.
    });
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
      // Connected, then closed before the preface: the sidecar does not speak this protocol.
      if (connected && state.prefaceSeen.length < LOCAL_CALL_PREFACE.length) this.fallBack(socket);
      else this.failCalls(socket, new GrpcCallError(status.UNAVAILABLE, connected ? `connection to ${this.target} closed` : `cannot reach ${this.target}: ${failure?.message ?? 'closed'}`));
    });
    socket.write(LOCAL_CALL_PREFACE);
    return socket;
  }

  private receive(state: ConnectionState, chunk: Buffer): void {
    const { socket } = state;
    const missing = LOCAL_CALL_PREFACE.length - state.prefaceSeen.length;
    if (missing > 0) {
      const take = Math.min(missing, chunk.length);
      state.prefaceSeen = Buffer.concat([state.prefaceSeen, chunk.subarray(0, take)]);
      if (!state.prefaceSeen.equals(LOCAL_CALL_PREFACE.subarray(0, state.prefaceSeen.length))) {
        this.fallBack(socket);
        return;
      }
      if (take < missing) return;
      this.speaksLocal = true;
      chunk = chunk.subarray(take);
      if (chunk.length === 0) return;
    }
    let frames: Buffer[];
    try {
      frames = state.splitter.push(chunk);
    } catch {
      socket.destroy();
      return;
    }
    for (const frame of frames) {
      const { id, code, body } = decodeLocalResponse(frame);
      const call = this.pending.get(id);
      if (call === undefined) continue; // answered after its timeout
      this.pending.delete(id);
      if (code === status.OK) call.resolve(body);
      else call.reject(new GrpcCallError(code as status, body.toString('utf8')));
    }
    if (this.closed && this.pending.size === 0) this.endConnection();
  }

  /** The calls waiting on `socket` go over gRPC, as will every later call. */
  private fallBack(socket: Socket): void {
    socket.destroy();
    this.grpc ??= this.fallback();
    for (const [id, call] of this.pending) {
      if (call.socket !== socket) continue;
      this.pending.delete(id);
      const timeoutMs = Math.max(1, call.due - performance.now());
      this.grpc.call(call.path, call.message, { ...call.options, timeoutMs }).then(call.resolve, call.reject);
    }
  }

  private failCalls(socket: Socket, err: GrpcCallError): void {
    for (const [id, call] of this.pending) {
      if (call.socket !== socket) continue;
      this.pending.delete(id);
      call.reject(err);
    }
  }

  private endConnection(): void {
    this.sweeper.stop();
    this.socket?.end();
  }

  private cancelOverdue(now: number): number {
    for (const [id, call] of this.pending) {
      if (call.due > now) continue;
      this.pending.delete(id);
      call.reject(new GrpcCallError(status.DEADLINE_EXCEEDED, `no answer from ${this.target} in time`));
    }
    if (this.closed && this.pending.size === 0) this.endConnection();
    return this.pending.size;
  }
}
