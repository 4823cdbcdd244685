import { connect, constants, type ClientHttp2Session } from 'node:http2';
import { createInterface } from 'node:readline';
import { grpcFrame } from '../../common/grpc-frame.js';
import { encodeCheckBatchRequest, type CheckItem } from '../../sidecar/src/api/check-wire.js';
import { keySequence, type Distribution } from './key-distribution.js';

/**
 * The CheckBatch load generator, in the spirit of h2load: a process of its own that drives raw `node:http2` with
 * many streams in flight, posting pre-encoded framed gRPC `CheckBatchRequest` bodies taken round-robin from a pool
 * built from the same seeded key sequence rate-limiter-flexible gets. It reads each response only as far as needed to
 * count decisions and to verify a well-formed OK answer (HTTP 200, a message, grpc-status 0 in the trailers), so
 * that the client is not what limits the measurement (the grpc-js client was: see bench/check/RESULTS.md).
 *
 * Protocol (stdin/stdout, one JSON object per line): the parent sends {"run": seconds, "streams"?: per connection},
 * this process answers
 * {"calls", "decisions", "allowed", "seconds", "cpuSeconds"}; {"exit": true} or EOF ends it.
 * Started as `node batch-loadgen.js '<LoadgenOptions as JSON>'`; prints {"ready": true} once connected.
 */
export interface LoadgenOptions {
  /** HOST:PORT of the gRPC server (plaintext HTTP/2). */
  address: string;
  distribution: Distribution;
  itemsPerCall: number;
  connections: number;
  /** Calls in flight per connection unless a run says otherwise. */
  streamsPerConnection: number;
}

export interface LoadgenRound {
  calls: number;
  decisions: number;
  /** Items answered with allowed = true (a light scan of each decision's first field). */
  allowed: number;
  seconds: number;
  /** This process's own CPU time over the round (user + system), to show the client is not the limit. */
  cpuSeconds: number;
}

/** Framed gRPC bodies (flag 0, uint32 big-endian length, message) for consecutive slices of the key sequence. */
export function batchBodies(distribution: Distribution, itemsPerCall: number, length = 100_000): Buffer[] {
  const sequence = keySequence(distribution, length);
  const bodies: Buffer[] = [];
  for (let i = 0; i + itemsPerCall <= sequence.length; i += itemsPerCall) {
    const items: CheckItem[] = sequence.slice(i, i + itemsPerCall).map((k) => ({ ...k, cost: 1 }));
    bodies.push(grpcFrame(encodeCheckBatchRequest({ items })));
  }
  return bodies;
}

function varintAt(buf: Buffer, pos: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint in CheckBatchResponse');
    const byte = buf[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, pos];
    shift += 7;
  }
}

/**
 * Counts the items of a framed CheckBatchResponse: top-level field 1 entries (`CheckBatchItemResult`), each of which
 * must hold a decision (field 1), not an error (field 2). A decision with allowed = true starts with field 1 = 1
 * (fields are written in order, defaults omitted). Returns [items, allowed], or throws on a malformed answer.
 */
export function countBatchResponse(body: Buffer): [items: number, allowed: number] {
  if (body.length < 5 || body[0] !== 0) throw new Error('CheckBatchResponse: missing or compressed gRPC frame');
  const end = 5 + body.readUInt32BE(1);
  if (end !== body.length) throw new Error(`CheckBatchResponse: frame of ${end - 5} bytes, received ${body.length - 5}`);
  let items = 0;
  let allowed = 0;
  let pos = 5;
  while (pos < end) {
    if (body[pos] !== 0x0a) throw new Error(`CheckBatchResponse: unexpected tag ${body[pos]}`);
    const [length, start] = varintAt(body, pos + 1);
    pos = start + length;
    // Inside the item: 0x0a = decision (0x12 = error). Inside the decision: 0x08 0x01 = allowed.
    if (body[start] !== 0x0a) throw new Error('CheckBatchResponse: an item was answered with an error');
    const [, decision] = varintAt(body, start + 1);
    if (body[decision] === 0x08 && body[decision + 1] === 0x01) allowed++;
    items++;
  }
  return [items, allowed];
}

const path = '/tollgate.v1.QuotaService/CheckBatch';
const headers = {
  [constants.HTTP2_HEADER_METHOD]: 'POST',
  [constants.HTTP2_HEADER_PATH]: path,
  'content-type': 'application/grpc',
  te: 'trailers',
};

class Loadgen {
  private sessions: ClientHttp2Session[] = [];
  private next = 0;
  private running = false;
  private inFlight = 0;
  private counts = { calls: 0, decisions: 0, allowed: 0 };
  private failure?: Error;
  private onIdle?: () => void;

  constructor(
    private readonly options: LoadgenOptions,
    private readonly bodies: Buffer[],
  ) {}

  async connect(): Promise<void> {
    for (let i = 0; i < this.options.connections; i++) {
      const session = connect(`http://${this.options.address}`, { peerMaxConcurrentStreams: 1000 });
      session.on('error', (err) => this.fail(err));
      await new Promise<void>((resolve, reject) => {
        session.once('connect', () => resolve());
        session.once('error', reject);
      });
      this.sessions.push(session);
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.running = false;
  }

  private send(session: ClientHttp2Session): void {
    this.inFlight++;
    const stream = session.request(headers, { endStream: false });
    const chunks: Buffer[] = [];
    let httpStatus = 0;
    let grpcStatus: string | undefined;
    stream.on('response', (h) => {
      httpStatus = Number(h[constants.HTTP2_HEADER_STATUS]);
      // A trailers-only answer (an error) carries grpc-status in the headers.
      if (h['grpc-status'] !== undefined) grpcStatus = String(h['grpc-status']);
    });
    stream.on('trailers', (t) => {
      grpcStatus = String(t['grpc-status']);
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (err) => this.fail(err));
    stream.on('close', () => {
      this.inFlight--;
      try {
        if (httpStatus !== 200 || grpcStatus !== '0') throw new Error(`CheckBatch answered HTTP ${httpStatus}, grpc-status ${grpcStatus}`);
        const [items, allowed] = countBatchResponse(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
        if (items !== this.options.itemsPerCall) throw new Error(`CheckBatch answered ${items} of ${this.options.itemsPerCall} items`);
        if (this.running) {
          this.counts.calls++;
          this.counts.decisions += items;
          this.counts.allowed += allowed;
        }
      } catch (err) {
        this.fail(err as Error);
      }
      if (this.running) this.send(session);
      else if (this.inFlight === 0) this.onIdle?.();
    });
    stream.end(this.bodies[this.next++ % this.bodies.length]);
  }

  /** Keeps connections × streams calls in flight for `seconds`, then waits for the last answers. */
  async run(seconds: number, streamsPerConnection = this.options.streamsPerConnection): Promise<LoadgenRound> {
    this.counts = { calls: 0, decisions: 0, allowed: 0 };
    const cpuBefore = process.cpuUsage();
    const idle = new Promise<void>((resolve) => (this.onIdle = resolve));
    this.running = true;
    const started = performance.now();
    for (const session of this.sessions) for (let s = 0; s < streamsPerConnection; s++) this.send(session);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    this.running = false;
    const elapsed = (performance.now() - started) / 1000;
    await idle;
    const cpu = process.cpuUsage(cpuBefore);
    if (this.failure) throw this.failure;
    return { ...this.counts, seconds: elapsed, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  }

  close(): void {
    for (const s of this.sessions) s.close();
  }
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2]) as LoadgenOptions;
  const loadgen = new Loadgen(options, batchBodies(options.distribution, options.itemsPerCall));
  await loadgen.connect();
  const write = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
  write({ ready: true });
  for await (const line of createInterface({ input: process.stdin })) {
    const command = JSON.parse(line) as { run?: number; streams?: number; exit?: boolean };
    if (command.exit) break;
    if (command.run !== undefined) write(await loadgen.run(command.run, command.streams));
  }
  loadgen.close();
}

if (process.argv[1]?.endsWith('batch-loadgen.js')) {
  main().catch((err: unknown) => {
    process.stderr.write(`batch-loadgen: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
