import * as grpc from '@grpc/grpc-js';
import http2 from 'node:http2';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FastUnaryPath } from '../../sidecar/src/api/grpc-fast-unary.js';
import { sharedRedisUrl } from '../harness/redis.js';
import { catalog, echoServiceOf, startTestSidecar, testConfig, type EchoRequest } from './support.js';

/** A JSON "echo" service: enough to watch the fast path carry requests, metadata, errors and deadlines. */
const echoService = echoServiceOf('Say', 'Slow');

interface Seen {
  authorization?: string;
  peer?: string;
}

function echo(seen: Seen) {
  return (call: grpc.ServerUnaryCall<EchoRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
    seen.authorization = call.metadata.get('authorization')[0]?.toString();
    seen.peer = call.getPeer();
    const reply = () => {
      if (call.request.fail) {
        const metadata = new grpc.Metadata();
        metadata.set('tollgate-field', 'text');
        callback({ code: grpc.status.INVALID_ARGUMENT, details: 'text: is not welcome here (100%)', metadata });
      } else callback(null, { echo: call.request.text });
    };
    if (call.request.delayMs) setTimeout(reply, call.request.delayMs);
    else reply();
  };
}

const MAX = 1024;

describe('FastUnaryPath', () => {
  let server: grpc.Server;
  let fast: FastUnaryPath;
  let address: string;
  let socketAddress: string;
  const seen: Seen = {};
  const client = (target = address, options: grpc.ChannelOptions = {}) => new (grpc.makeGenericClientConstructor(echoService, 'Echo'))(target, grpc.credentials.createInsecure(), options);

  const say = (c: grpc.Client, request: EchoRequest, options: { metadata?: grpc.Metadata; deadlineMs?: number } = {}) =>
    new Promise<{ err: grpc.ServiceError | null; res?: unknown }>((resolve) => {
      const callOptions = options.deadlineMs ? { deadline: Date.now() + options.deadlineMs } : {};
      (c as unknown as Record<string, (...a: unknown[]) => void>).Say(request, options.metadata ?? new grpc.Metadata(), callOptions, (err: grpc.ServiceError | null, res?: unknown) => resolve({ err, res }));
    });

  beforeAll(async () => {
    server = new grpc.Server({ 'grpc.max_receive_message_length': MAX });
    server.addService(echoService, { Say: echo(seen), Slow: echo(seen) });
    const bind = (a: string) =>
      new Promise<number>((resolve, reject) => server.bindAsync(a, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
    address = `127.0.0.1:${await bind('127.0.0.1:0')}`;
    socketAddress = `unix:${join(mkdtempSync(join(tmpdir(), 'fast-unary-')), 'grpc.sock')}`;
    await bind(socketAddress);
    fast = new FastUnaryPath(['/test.Echo/Say'], { maxReceiveMessageLength: MAX });
    expect(fast.attach(server)).toBe(true);
    expect(fast.attach(server), 'attaching twice wraps nothing twice').toBe(true);
  });
  afterAll(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));

  it('answers a listed method itself, with the handler grpc-js has, over TCP and the unix socket', async () => {
    const before = fast.calls;
    const tcp = client();
    expect(await say(tcp, { text: 'hi' })).toEqual({ err: null, res: { echo: 'hi' } });
    expect(seen.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    const unix = client(socketAddress);
    expect(await say(unix, { text: 'there' })).toEqual({ err: null, res: { echo: 'there' } });
    expect(seen.peer).toBe('unknown');
    expect(fast.calls - before).toBe(2);
    tcp.close();
    unix.close();
  });

  it('leaves unlisted methods to grpc-js', async () => {
    const before = fast.calls;
    const c = client();
    const res = await new Promise<unknown>((resolve, reject) =>
      (c as unknown as Record<string, (...a: unknown[]) => void>).Slow({ text: 'x' }, (err: Error | null, r: unknown) => (err ? reject(err) : resolve(r))),
    );
    expect(res).toEqual({ echo: 'x' });
    expect(fast.calls).toBe(before);
    c.close();
  });

  it('leaves a compressed request to grpc-js, which decompresses it', async () => {
    const before = fast.calls;
    const c = client(address, { 'grpc.default_compression_algorithm': 2 });
    expect(await say(c, { text: 'squeezed'.repeat(20) })).toEqual({ err: null, res: { echo: 'squeezed'.repeat(20) } });
    expect(fast.calls).toBe(before);
    c.close();
  });

  it('passes request metadata to the handler and the handler\'s error, with its metadata, to the client', async () => {
    const c = client();
    const metadata = new grpc.Metadata();
    metadata.set('authorization', 'Bearer secret');
    const { err } = await say(c, { text: 'x', fail: true }, { metadata });
    expect(seen.authorization).toBe('Bearer secret');
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err?.details).toBe('text: is not welcome here (100%)');
    expect(err?.metadata.get('tollgate-field')).toEqual(['text']);
    c.close();
  });

  describe('protocol errors, sent as raw HTTP/2 frames', () => {
    const rawCall = async (body: Buffer, headers: Record<string, string> = {}) => {
      const session = http2.connect(`http://${address}`);
      try {
        return await new Promise<{ status: string; message: string; data: Buffer }>((resolve, reject) => {
          const req = session.request({ ':method': 'POST', ':path': '/test.Echo/Say', 'content-type': 'application/grpc', te: 'trailers', ...headers });
          const chunks: Buffer[] = [];
          let head: http2.IncomingHttpHeaders = {};
          req.on('response', (h) => (head = h));
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('trailers', (t) => (head = { ...head, ...t }));
          req.on('end', () => resolve({ status: String(head['grpc-status']), message: decodeURI(String(head['grpc-message'] ?? '')), data: Buffer.concat(chunks) }));
          req.on('error', reject);
          req.end(body);
        });
      } finally {
        session.close();
      }
    };
    const frame = (payload: Buffer, compressed = 0) => {
      const f = Buffer.alloc(5 + payload.length);
      f[0] = compressed;
      f.writeUInt32BE(payload.length, 1);
      payload.copy(f, 5);
      return f;
    };
    const message = (v: unknown) => frame(Buffer.from(JSON.stringify(v)));

    it('one message → its answer and status 0', async () => {
      const r = await rawCall(message({ text: 'raw' }));
      expect(r.status).toBe('0');
      expect(JSON.parse(r.data.subarray(5).toString())).toEqual({ echo: 'raw' });
    });

    it.each([
      ['no message', Buffer.alloc(0), {}, grpc.status.UNIMPLEMENTED, 'Received no request message for unary method /test.Echo/Say'],
      ['two messages', Buffer.concat([message({ text: 'a' }), message({ text: 'b' })]), {}, grpc.status.UNIMPLEMENTED, 'Received a second request message'],
      ['a cut frame', message({ text: 'abc' }).subarray(0, 9), {}, grpc.status.INTERNAL, 'incomplete message frame'],
      ['a message over the limit', message({ text: 'x'.repeat(MAX) }), {}, grpc.status.RESOURCE_EXHAUSTED, 'Received message larger than max'],
      ['an undecodable message', frame(Buffer.from('{"nope":1}')), {}, grpc.status.INTERNAL, 'Error deserializing request: text: is required'],
      ['a compressed flag without grpc-encoding', frame(Buffer.from('{}'), 1), {}, grpc.status.INTERNAL, 'compressed message without a grpc-encoding'],
      ['a malformed grpc-timeout', message({ text: 'a' }), { 'grpc-timeout': '10 seconds' }, grpc.status.OUT_OF_RANGE, 'Invalid grpc-timeout value'],
    ])('%s → status %i', async (_name, body, headers, code, text) => {
      const r = await rawCall(body, headers as Record<string, string>);
      expect(r.status).toBe(String(code));
      expect(r.message).toContain(text);
    });

    it('an answer ready after the deadline is DEADLINE_EXCEEDED', async () => {
      const r = await rawCall(message({ text: 'late', delayMs: 60 }), { 'grpc-timeout': '20m' });
      expect(r.status).toBe(String(grpc.status.DEADLINE_EXCEEDED));
      const inTime = await rawCall(message({ text: 'on time', delayMs: 5 }), { 'grpc-timeout': '2S' });
      expect(inTime.status).toBe('0');
    });

    it('a client that resets the stream before the answer leaves the server serving others', async () => {
      const session = http2.connect(`http://${address}`);
      const req = session.request({ ':method': 'POST', ':path': '/test.Echo/Say', 'content-type': 'application/grpc', te: 'trailers' });
      req.on('error', () => undefined);
      req.end(message({ text: 'gone', delayMs: 30 }));
      await new Promise((r) => setTimeout(r, 5));
      req.close(http2.constants.NGHTTP2_CANCEL);
      await new Promise((r) => setTimeout(r, 60));
      session.close();
      expect((await rawCall(message({ text: 'next' }))).status).toBe('0');
    });
  });
});

describe('the sidecar', () => {
  const redisUrl = sharedRedisUrl(inject('redisUrl'));

  it('serves Check and CheckBatch on the fast path', async () => {
    const { sidecar, client, stop } = await startTestSidecar(testConfig(catalog([{ id: 'f', rate_limit: { per_second: 1000 } }]), redisUrl));
    try {
      expect(sidecar.fastPath).toBeDefined();
      const before = sidecar.fastPath!.calls;
      expect((await client.check({ tenantId: 'acme', featureId: 'f', cost: 1 })).allowed).toBe(true);
      expect((await client.checkBatch({ items: [{ tenantId: 'acme', featureId: 'f', cost: 1 }] })).results).toHaveLength(1);
      expect(sidecar.fastPath!.calls - before).toBe(2);
    } finally {
      await stop();
    }
  });

  it('leaves every call to grpc-js with TOLLGATE_GRPC_FAST_PATH=0, and answers the same', async () => {
    process.env.TOLLGATE_GRPC_FAST_PATH = '0';
    let started: Awaited<ReturnType<typeof startTestSidecar>>;
    try {
      started = await startTestSidecar(testConfig(catalog([{ id: 'f', rate_limit: { per_second: 1000 } }]), redisUrl));
    } finally {
      delete process.env.TOLLGATE_GRPC_FAST_PATH;
    }
    try {
      expect(started.sidecar.fastPath).toBeUndefined();
      const decision = await started.client.check({ tenantId: 'acme', featureId: 'f', cost: 1 });
      expect(decision.allowed).toBe(true);
      expect(decision.reason).toBe('OK');
    } finally {
      await started.stop();
    }
  });
});
