/**
 * The sidecar's local call protocol: unary gRPC calls (same method paths, same protobuf messages, same status codes)
 * framed minimally, for a process on the same host asking one question per request over the sidecar's unix socket.
 *
 * Why not HTTP/2: on this project's VMs one node:http2 round trip to a do-nothing server on a unix socket costs each
 * side ~150–300 µs of CPU and ~0.35 ms at p50, against ~0.11 ms over a plain socket; for the gateway that was most of
 * its added latency (bench/edge/RESULTS.md). The sidecar tells the two apart by the connection's first bytes, so gRPC
 * clients keep using the same socket.
 *
 *   connection := PREFACE (client → server; the server answers with the same 8 bytes) · frame*
 *   request    := u32be length · u32be call id · u32be timeout ms (0: none) · u8 path length · path
 *                 · u8 header count · (u8 name length · name · u16be value length · value)* · message
 *   response   := u32be length · u32be call id · u8 gRPC status · message (status 0) or UTF-8 details (otherwise)
 *
 * `length` counts the bytes after itself. Call ids are the client's; answers may come in any order.
 */
export const LOCAL_CALL_PREFACE = Buffer.from('TGLC/1\r\n', 'latin1');

export interface LocalCallRequest {
  id: number;
  timeoutMs: number;
  path: string;
  /** Lower-case names, as gRPC metadata (authorization, x-api-key, ...). */
  headers: Record<string, string>;
  message: Buffer;
}

export interface LocalCallResponse {
  id: number;
  code: number;
  /** The reply message when code is 0, else the status details as UTF-8. */
  body: Buffer;
}

export class LocalCallWireError extends Error {
  override name = 'LocalCallWireError';
}

const HEADER_NAME = /^[a-z0-9][a-z0-9_.-]*$/;

/** Messages from this size on go out as a frame head and the message as it is (two writes), not copied into one. */
export const SEPARATE_MESSAGE_BYTES = 16 * 1024;

/** A request frame as buffers to write in order: one, or for a long message its head and the message uncopied. */
export function encodeLocalRequestParts(request: LocalCallRequest): Buffer[] {
  if (request.message.length < SEPARATE_MESSAGE_BYTES) return [encodeLocalRequest(request)];
  const head = encodeLocalRequest({ ...request, message: Buffer.alloc(0) });
  head.writeUInt32BE(head.length - 4 + request.message.length, 0);
  return [head, request.message];
}

export function encodeLocalRequest(request: LocalCallRequest): Buffer {
  const path = Buffer.from(request.path, 'latin1');
  if (path.length === 0 || path.length > 255) throw new LocalCallWireError(`method path of ${path.length} bytes (1..255 allowed)`);
  const names = Object.keys(request.headers);
  if (names.length > 255) throw new LocalCallWireError(`${names.length} headers (at most 255)`);
  const encoded = names.map((name) => {
    if (!HEADER_NAME.test(name) || name.length > 255) throw new LocalCallWireError(`header name ${JSON.stringify(name)} is not a lower-case metadata key`);
    const value = Buffer.from(request.headers[name], 'utf8');
    if (value.length > 0xffff) throw new LocalCallWireError(`header ${name} is longer than 65535 bytes`);
    return [Buffer.from(name, 'latin1'), value] as const;
  });
  const headerBytes = encoded.reduce((n, [name, value]) => n + 3 + name.length + value.length, 0);
  const length = 4 + 4 + 1 + path.length + 1 + headerBytes + request.message.length;
  const out = Buffer.allocUnsafe(4 + length);
  out.writeUInt32BE(length, 0);
  out.writeUInt32BE(request.id >>> 0, 4);
  out.writeUInt32BE(Math.max(0, Math.min(0xffffffff, Math.ceil(request.timeoutMs))), 8);
  out[12] = path.length;
  path.copy(out, 13);
  let pos = 13 + path.length;
  out[pos++] = encoded.length;
  for (const [name, value] of encoded) {
    out[pos++] = name.length;
    name.copy(out, pos);
    pos += name.length;
    out.writeUInt16BE(value.length, pos);
    pos += 2;
    value.copy(out, pos);
    pos += value.length;
  }
  out.set(request.message, pos);
  return out;
}

/** Decodes the body of a request frame (the bytes after its length field). */
export function decodeLocalRequest(frame: Buffer): LocalCallRequest {
  if (frame.length < 10) throw new LocalCallWireError(`request frame of ${frame.length} bytes is too short`);
  const id = frame.readUInt32BE(0);
  const timeoutMs = frame.readUInt32BE(4);
  const pathLength = frame[8];
  let pos = 9 + pathLength;
  if (pathLength === 0 || pos + 1 > frame.length) throw new LocalCallWireError('request frame cut inside its method path');
  const path = frame.toString('latin1', 9, pos);
  const count = frame[pos++];
  const headers: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    if (pos + 1 > frame.length) throw new LocalCallWireError('request frame cut inside its headers');
    const nameLength = frame[pos++];
    if (pos + nameLength + 2 > frame.length) throw new LocalCallWireError('request frame cut inside its headers');
    const name = frame.toString('latin1', pos, pos + nameLength);
    pos += nameLength;
    const valueLength = frame.readUInt16BE(pos);
    pos += 2;
    if (pos + valueLength > frame.length) throw new LocalCallWireError('request frame cut inside its headers');
    if (!HEADER_NAME.test(name)) throw new LocalCallWireError(`header name ${JSON.stringify(name)} is not a lower-case metadata key`);
    headers[name] = frame.toString('utf8', pos, pos + valueLength);
    pos += valueLength;
  }
  return { id, timeoutMs, path, headers, message: frame.subarray(pos) };
}

/** Writes a frame given in parts with one system call (corked). The parts must not change until written. */
export function writeFrame(socket: { cork(): void; uncork(): void; write(chunk: Buffer): boolean }, parts: readonly Buffer[]): void {
  if (parts.length === 1) {
    socket.write(parts[0]);
    return;
  }
  socket.cork();
  for (const part of parts) socket.write(part);
  socket.uncork();
}

/** A response frame as buffers to write in order (see encodeLocalRequestParts). */
export function encodeLocalResponseParts(id: number, code: number, body: Buffer): Buffer[] {
  if (body.length < SEPARATE_MESSAGE_BYTES) return [encodeLocalResponse(id, code, body)];
  const head = encodeLocalResponse(id, code, Buffer.alloc(0));
  head.writeUInt32BE(5 + body.length, 0);
  return [head, body];
}

export function encodeLocalResponse(id: number, code: number, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + 5 + body.length);
  out.writeUInt32BE(5 + body.length, 0);
  out.writeUInt32BE(id >>> 0, 4);
  out[8] = code;
  out.set(body, 9);
  return out;
}

/** Decodes the body of a response frame (the bytes after its length field). */
export function decodeLocalResponse(frame: Buffer): LocalCallResponse {
  if (frame.length < 5) throw new LocalCallWireError(`response frame of ${frame.length} bytes is too short`);
  return { id: frame.readUInt32BE(0), code: frame[4], body: frame.subarray(5) };
}

/**
 * Where a frame that arrived in several chunks is joined, when it is at least `minBytes` long: memory that the
 * receiver gives back once done with the frame (LocalCallServer: when the call is answered), instead of a fresh
 * allocation per frame.
 */
export interface FrameMemory {
  minBytes: number;
  take(bytes: number): Buffer;
}

/**
 * Splits a byte stream into frames (each without its length field). A frame longer than `maxFrame` is an error: the
 * peer is not speaking this protocol, or sends more than the other side accepts. With `memory`, long frames that
 * arrived in pieces are joined into memory it gives.
 */
export class FrameSplitter {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Length of the frame being collected, once its length field has arrived. */
  private wanted = -1;

  constructor(
    private readonly maxFrame: number,
    private readonly memory?: FrameMemory,
  ) {}

  /** Frames completed by `chunk`, in order. Throws LocalCallWireError on an oversized frame. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.wanted < 0) {
        if (this.size < 4) break;
        const length = this.peekLength();
        if (length > this.maxFrame) throw new LocalCallWireError(`frame of ${length} bytes (at most ${this.maxFrame})`);
        this.wanted = 4 + length;
      }
      // A long frame arrives in many chunks: join them once, when the last one is here.
      if (this.size < this.wanted) break;
      if (this.chunks.length > 1 && this.memory && this.wanted - 4 >= this.memory.minBytes) {
        frames.push(this.joinInto(this.memory.take(this.wanted - 4)));
        continue;
      }
      const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
      frames.push(data.subarray(4, this.wanted));
      const rest = data.subarray(this.wanted);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
      this.wanted = -1;
    }
    return frames;
  }

  /** The frame's bytes (after its length field) copied into `frame`; what follows it stays buffered, uncopied. */
  private joinInto(frame: Buffer): Buffer {
    let skip = 4;
    let o = 0;
    let used = 0;
    while (o < frame.length) {
      const chunk = this.chunks[used];
      const from = Math.min(skip, chunk.length);
      skip -= from;
      const n = Math.min(chunk.length - from, frame.length - o);
      chunk.copy(frame, o, from, from + n);
      o += n;
      if (from + n === chunk.length) used++;
      else {
        this.chunks[used] = chunk.subarray(from + n);
        break;
      }
    }
    this.chunks = this.chunks.slice(used);
    this.size -= this.wanted;
    this.wanted = -1;
    return frame;
  }

  get buffered(): number {
    return this.size;
  }

  private peekLength(): number {
    const first = this.chunks[0];
    if (first.length >= 4) return first.readUInt32BE(0);
    const joined = Buffer.concat(this.chunks, this.size);
    this.chunks = [joined];
    return joined.readUInt32BE(0);
  }
}
