import * as grpc from '@grpc/grpc-js';
import { mkdtempSync } from 'node:fs';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GrpcCallError } from '../../common/grpc-h2-client.js';
import { LocalCallClient, sidecarCaller } from '../../common/local-call-client.js';
import { SharedFramePool } from '../../sidecar/src/api/frame-pool.js';
import { decodeLocalRequest, decodeLocalResponse, encodeLocalRequest, encodeLocalRequestParts, encodeLocalResponse, encodeLocalResponseParts, FrameSplitter, SEPARATE_MESSAGE_BYTES, LOCAL_CALL_PREFACE, LocalCallWireError } from '../../common/local-call-wire.js';
import { loadQuotaProto } from '../../common/proto.js';
import type { CheckResponse__Output } from '../../proto/gen/tollgate/v1/CheckResponse.js';
import { grpcJsInternals } from '../../sidecar/src/api/grpc-fast-unary.js';
import { LocalCallServer } from '../../sidecar/src/api/local-calls.js';
import { listenUnixSocket } from '../../sidecar/src/api/unix-socket.js';
import { sharedRedisUrl } from '../harness/redis.js';
import { catalog, echoServiceOf, quotaClient, startTestSidecar, testConfig, type EchoRequest } from './support.js';

const tempSocket = (name: string) => join(mkdtempSync(join(tmpdir(), 'local-calls-')), name);

const echoService = echoServiceOf('Say');
const SAY = '/test.Echo/Say';
const body = (request: EchoRequest) => Buffer.from(JSON.stringify(request));
const text = (reply: Buffer) => (JSON.parse(reply.toString()) as { echo: string }).echo;

async function rejection(p: Promise<unknown>): Promise<GrpcCallError> {
  try {
    await p;
  } catch (err) {
    return err as GrpcCallError;
  }
  throw new Error('expected the call to fail');
}

describe('local call wire format', () => {
  it('round-trips requests and responses, and splits frames however the bytes arrive', () => {
    const request = { id: 7, timeoutMs: 250, path: SAY, headers: { authorization: 'Bearer x', 'x-api-key': 'ü' }, message: Buffer.from('hello') };
    const response = encodeLocalResponse(7, 3, Buffer.from('bad'));
    const stream = Buffer.concat([encodeLocalRequest(request), response]);
    for (const size of [1, 3, 5, stream.length]) {
      const splitter = new FrameSplitter(1024);
      const frames: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) frames.push(...splitter.push(stream.subarray(i, i + size)));
      expect(frames).toHaveLength(2);
      expect(decodeLocalRequest(frames[0])).toEqual(request);
      expect(decodeLocalResponse(frames[1])).toEqual({ id: 7, code: 3, body: Buffer.from('bad') });
      expect(splitter.buffered).toBe(0);
    }
  });

  it('joins long frames into pooled shared memory, byte for byte the same, whatever the chunking', () => {
    const pool = new SharedFramePool();
    const big = Buffer.from(Array.from({ length: 40_000 }, (_, i) => i % 251));
    const requests = [1, 2, 3].map((id) => ({ id, timeoutMs: 0, path: SAY, headers: {}, message: id === 2 ? Buffer.from('small') : big }));
    const stream = Buffer.concat(requests.map(encodeLocalRequest));
    for (const size of [1, 7, 4096, 65_536, stream.length]) {
      const splitter = new FrameSplitter(1 << 20, pool);
      const frames: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) frames.push(...splitter.push(stream.subarray(i, i + size)));
      expect(frames.map((f) => decodeLocalRequest(f))).toEqual(requests);
      expect(splitter.buffered).toBe(0);
      // Long frames that came in pieces lie in the pool's shared memory; the rest are views of what arrived.
      expect(frames[0].buffer instanceof SharedArrayBuffer).toBe(size < encodeLocalRequest(requests[0]).length);
      expect(frames[1].buffer instanceof SharedArrayBuffer).toBe(false);
      for (const frame of frames) pool.give(frame);
    }
    // Given back, the memory is taken again rather than allocated.
    const taken = pool.take(40_000);
    pool.give(taken);
    expect(pool.take(30_000).buffer).toBe(taken.buffer);
  });

  it('writes a long message after its frame head without copying it, the same bytes as one frame', () => {
    const long = Buffer.alloc(SEPARATE_MESSAGE_BYTES, 7);
    const request = { id: 9, timeoutMs: 5, path: SAY, headers: { a: 'b' }, message: long };
    const parts = encodeLocalRequestParts(request);
    expect(parts).toHaveLength(2);
    expect(parts[1]).toBe(long);
    expect(Buffer.concat(parts).equals(encodeLocalRequest(request))).toBe(true);
    const responseParts = encodeLocalResponseParts(9, 0, long);
    expect(responseParts[1]).toBe(long);
    expect(Buffer.concat(responseParts).equals(encodeLocalResponse(9, 0, long))).toBe(true);
    // Short ones stay one buffer: one write, as before.
    expect(encodeLocalRequestParts({ ...request, message: Buffer.from('hi') })).toHaveLength(1);
    expect(encodeLocalResponseParts(9, 0, Buffer.from('hi'))).toHaveLength(1);
  });

  it('refuses what it cannot carry, naming why', () => {
    expect(() => new FrameSplitter(10).push(encodeLocalResponse(1, 0, Buffer.alloc(20)))).toThrow(/frame of 25 bytes \(at most 10\)/);
    expect(() => encodeLocalRequest({ id: 1, timeoutMs: 0, path: '', headers: {}, message: Buffer.alloc(0) })).toThrow(LocalCallWireError);
    expect(() => encodeLocalRequest({ id: 1, timeoutMs: 0, path: SAY, headers: { 'Upper-Case': 'x' }, message: Buffer.alloc(0) })).toThrow(/not a lower-case metadata key/);
    const cut = encodeLocalRequest({ id: 1, timeoutMs: 0, path: SAY, headers: { a: 'bcdef' }, message: Buffer.alloc(0) });
    expect(() => decodeLocalRequest(cut.subarray(4, cut.length - 2))).toThrow(/cut inside its headers/);
  });
});

describe('the sidecar socket: local calls and gRPC on one unix socket', () => {
  let server: grpc.Server;
  let local: LocalCallServer;
  let unix: NetServer;
  let path: string;
  const seen: { authorization?: string; peer?: string } = {};

  beforeAll(async () => {
    server = new grpc.Server();
    server.addService(echoService, {
      Say: (call: grpc.ServerUnaryCall<EchoRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        seen.authorization = call.metadata.get('authorization')[0]?.toString();
        seen.peer = call.getPeer();
        if (call.request.throws) throw new Error('boom');
        const reply = () => (call.request.fail ? callback({ code: grpc.status.INVALID_ARGUMENT, details: 'text: is not welcome here (100%)' }) : callback(null, { echo: call.request.text }));
        if (call.request.delayMs) setTimeout(reply, call.request.delayMs);
        else reply();
      },
    });
    await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
    const internals = grpcJsInternals(server)!;
    expect(internals.http2Servers).toHaveLength(1);
    local = new LocalCallServer(internals.handlers, 1024);
    path = tempSocket('sidecar.sock');
    unix = await listenUnixSocket(path, internals.http2Servers[0], local);
  });
  afterAll(async () => {
    unix.close();
    await local.stop(100);
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  it('answers local calls with the registered handler, many in flight, matched by id', async () => {
    const client = sidecarCaller(`unix:${path}`, 2000) as LocalCallClient;
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => client.call(SAY, body({ text: `n${i}`, delayMs: (50 - i) % 7 }))));
    expect(replies.map(text)).toEqual(Array.from({ length: 50 }, (_, i) => `n${i}`));
    expect(client.protocol).toBe('local');
    await client.call(SAY, body({ text: 'x' }), { metadata: { authorization: 'Bearer tg_test' } });
    expect(seen).toEqual({ authorization: 'Bearer tg_test', peer: 'unknown' });
    client.close();
  });

  it('serves gRPC clients on the same socket', async () => {
    const grpcClient = new (grpc.makeGenericClientConstructor(echoService, 'Echo'))(`unix:${path}`, grpc.credentials.createInsecure());
    const res = await new Promise<unknown>((resolve, reject) =>
      (grpcClient as unknown as Record<string, (...a: unknown[]) => void>).Say({ text: 'over h2' }, (err: Error | null, r: unknown) => (err ? reject(err) : resolve(r))),
    );
    expect(res).toEqual({ echo: 'over h2' });
    grpcClient.close();
  });

  it('gives the statuses gRPC gives: handler errors, unknown methods, bad messages, thrown handlers, deadlines', async () => {
    const client = sidecarCaller(`unix:${path}`, 2000);
    const failed = await rejection(client.call(SAY, body({ text: 'x', fail: true })));
    expect([failed.code, failed.details]).toEqual([grpc.status.INVALID_ARGUMENT, 'text: is not welcome here (100%)']);
    const unknown = await rejection(client.call('/test.Echo/Nope', body({ text: 'x' })));
    expect([unknown.code, unknown.details]).toEqual([grpc.status.UNIMPLEMENTED, 'The server does not implement the method /test.Echo/Nope']);
    const bad = await rejection(client.call(SAY, Buffer.from('{}')));
    expect([bad.code, bad.details]).toEqual([grpc.status.INTERNAL, 'Error deserializing request: text: is required']);
    const threw = await rejection(client.call(SAY, body({ text: 'x', throws: true })));
    expect([threw.code, threw.details]).toEqual([grpc.status.UNKNOWN, 'Server method handler threw error boom']);
    const late = await rejection(client.call(SAY, body({ text: 'x', delayMs: 300 }), { timeoutMs: 50 }));
    expect(late.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    // The connection is still good after every failure above.
    expect(text(await client.call(SAY, body({ text: 'still here' })))).toBe('still here');
    client.close();
  });

  it('stops reading the calls of a client that does not read its answers, and serves them all once it does', async () => {
    const { connect } = await import('node:net');
    const socket = connect(path);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause();
    const calls = 8000;
    const message = body({ text: 'y'.repeat(900) });
    socket.write(LOCAL_CALL_PREFACE);
    for (let id = 1; id <= calls; id++) socket.write(encodeLocalRequest({ id, timeoutMs: 0, path: SAY, headers: {}, message }));
    // ~7 MB of calls whose ~7 MB of answers nobody reads: the sidecar stops after ~4 MB of answers.
    await new Promise((r) => setTimeout(r, 300));
    expect(socket.writableLength).toBeGreaterThan(1_000_000);
    const splitter = new FrameSplitter(1 << 20);
    let answered = 0;
    let skipped = 0;
    await new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        if (skipped < LOCAL_CALL_PREFACE.length) {
          const n = Math.min(LOCAL_CALL_PREFACE.length - skipped, chunk.length);
          skipped += n;
          chunk = chunk.subarray(n);
        }
        for (const f of splitter.push(chunk)) {
          expect(decodeLocalResponse(f).code).toBe(0);
          if (++answered === calls) resolve();
        }
      });
      socket.resume();
    });
    expect(socket.writableLength).toBe(0);
    socket.destroy();
  });

  it('closes a connection that sends a frame larger than the server accepts', async () => {
    const client = sidecarCaller(`unix:${path}`, 2000);
    const err = await rejection(client.call(SAY, body({ text: 'x'.repeat(80_000) })));
    expect([err.code, err.details]).toEqual([grpc.status.UNAVAILABLE, `connection to unix:${path} closed`]);
    expect(text(await client.call(SAY, body({ text: 'a new connection' })))).toBe('a new connection');
    client.close();
  });
});

describe('LocalCallClient against other servers', () => {
  it('falls back to gRPC when the socket is a plain gRPC server, for the waiting calls and later ones', async () => {
    const server = new grpc.Server();
    server.addService(echoService, { Say: (call: grpc.ServerUnaryCall<EchoRequest, unknown>, cb: grpc.sendUnaryData<unknown>) => cb(null, { echo: call.request.text }) });
    const path = tempSocket('grpc-only.sock');
    await new Promise<number>((resolve, reject) => server.bindAsync(`unix:${path}`, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
    const client = sidecarCaller(`unix:${path}`, 2000) as LocalCallClient;
    const first = await Promise.all([client.call(SAY, body({ text: 'a' })), client.call(SAY, body({ text: 'b' }))]);
    expect(first.map(text)).toEqual(['a', 'b']);
    expect(client.protocol).toBe('grpc');
    expect(text(await client.call(SAY, body({ text: 'c' })))).toBe('c');
    client.close();
    server.forceShutdown();
  });

  it('fails calls with UNAVAILABLE when the connection breaks, and reconnects for the next call', async () => {
    const path = tempSocket('flaky.sock');
    const sockets: Socket[] = [];
    let answer = false;
    const fake = createNetServer((socket) => {
      sockets.push(socket);
      socket.write(LOCAL_CALL_PREFACE);
      const splitter = new FrameSplitter(1 << 20);
      let first = true;
      socket.on('data', (chunk) => {
        const frames = splitter.push(first ? chunk.subarray(LOCAL_CALL_PREFACE.length) : chunk);
        first = false;
        for (const f of frames) if (answer) socket.write(encodeLocalResponse(decodeLocalRequest(f).id, 0, Buffer.from('{"echo":"ok"}')));
      });
    });
    await new Promise<void>((resolve) => fake.listen(path, resolve));
    const client = sidecarCaller(`unix:${path}`, 5000) as LocalCallClient;
    const waiting = client.call(SAY, body({ text: 'x' }));
    // The sidecar's preface has come back: the call is in the local protocol, waiting for its answer.
    while (client.protocol !== 'local') await new Promise((r) => setTimeout(r, 5));
    expect(sockets).toHaveLength(1);
    sockets[0].destroy();
    const err = await rejection(waiting);
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
    answer = true;
    expect(text(await client.call(SAY, body({ text: 'x' })))).toBe('ok');
    expect(sockets).toHaveLength(2);
    client.close();
    fake.close();
  });

  it('times a call out when the sidecar never answers, and names an unreachable socket', async () => {
    const path = tempSocket('silent.sock');
    const fake = createNetServer((socket) => socket.write(LOCAL_CALL_PREFACE));
    await new Promise<void>((resolve) => fake.listen(path, resolve));
    const client = sidecarCaller(`unix:${path}`, 60);
    const started = performance.now();
    const err = await rejection(client.call(SAY, body({ text: 'x' })));
    expect(err.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(performance.now() - started).toBeLessThan(1000);
    client.close();
    fake.close();

    const nowhere = sidecarCaller('unix:/nonexistent/tollgate.sock', 1000);
    const unreachable = await rejection(nowhere.call(SAY, body({ text: 'x' })));
    expect(unreachable.code).toBe(grpc.status.UNAVAILABLE);
    expect(unreachable.details).toMatch(/^cannot reach unix:\/nonexistent\/tollgate\.sock: .*ENOENT/);
    nowhere.close();
  });
});

describe('a real sidecar on its unix socket', () => {
  const redisUrl = sharedRedisUrl(inject('redisUrl'));

  it('answers Check in the local protocol exactly as over gRPC on the same socket', async () => {
    const socket = tempSocket('sidecar.sock');
    const { sidecar, stop } = await startTestSidecar(testConfig(catalog([{ id: 'f', rate_limit: { per_second: 1000, burst: 10 } }], [{ id: 'acme' }, { id: 'gone', status: 'canceled' }]), redisUrl), { socket });
    const grpcClient = quotaClient(`unix:${socket}`);
    const local = sidecarCaller(`unix:${socket}`, 2000) as LocalCallClient;
    const check = loadQuotaProto().proto.tollgate.v1.QuotaService.service.Check;
    const viaLocal = async (request: object) => check.responseDeserialize(await local.call(check.path, check.requestSerialize(request))) as CheckResponse__Output;
    try {
      for (const tenantId of ['acme', 'gone']) {
        const a = await viaLocal({ tenantId, featureId: 'f', cost: 1 });
        const b = await grpcClient.check({ tenantId, featureId: 'f', cost: 1 });
        expect({ ...a, remaining: '' }).toEqual({ ...b, remaining: '' });
      }
      expect(local.protocol).toBe('local');
      const invalid = await rejection(viaLocal({ tenantId: '', featureId: 'f', cost: 1 }));
      const viaGrpc = await grpcClient.check({ tenantId: '', featureId: 'f', cost: 1 }).catch((e: grpc.ServiceError) => e);
      expect([invalid.code, invalid.details]).toEqual([(viaGrpc as grpc.ServiceError).code, (viaGrpc as grpc.ServiceError).details]);
      expect(invalid.code).toBe(grpc.status.INVALID_ARGUMENT);
      const metrics = await (await fetch(`http://${sidecar.httpAddress}/metrics`)).text();
      expect(metrics).toContain('tollgate_local_calls_total{code="0"} 2');
      expect(metrics).toContain('tollgate_local_calls_total{code="3"} 1');
      expect(metrics).toContain('tollgate_local_connections 1');
    } finally {
      local.close();
      await stop();
      grpcClient.close();
    }
  });
});
