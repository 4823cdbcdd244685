import * as grpc from '@grpc/grpc-js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GrpcCallError, GrpcH2Client } from '../../common/grpc-h2-client.js';

/** The client against a real grpc-js server (not the sidecar's fast path): the two must agree on the protocol. */
const json = {
  requestSerialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
  requestDeserialize: (b: Buffer) => JSON.parse(b.toString()) as { text: string; delayMs?: number; fail?: boolean },
  responseSerialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
  responseDeserialize: (b: Buffer) => JSON.parse(b.toString()) as unknown,
};
const service: grpc.ServiceDefinition = {
  Say: { path: '/test.Echo/Say', requestStream: false, responseStream: false, originalName: 'say', ...json },
};

async function startServer(address: string): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(service, {
    Say: (call: grpc.ServerUnaryCall<{ text: string; delayMs?: number; fail?: boolean }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const reply = () => {
        if (!call.request.fail) return callback(null, { echo: call.request.text, auth: call.metadata.get('authorization')[0] ?? null });
        const metadata = new grpc.Metadata();
        metadata.set('tollgate-field', 'text');
        callback({ code: grpc.status.PERMISSION_DENIED, details: 'not you: 100% sure', metadata });
      };
      if (call.request.delayMs) setTimeout(reply, call.request.delayMs);
      else reply();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { server, port };
}

const message = (v: unknown) => Buffer.from(JSON.stringify(v));
const parse = (b: Buffer) => JSON.parse(b.toString()) as unknown;

describe('GrpcH2Client', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanup.splice(0)) c();
  });
  const started = async (address = '127.0.0.1:0') => {
    const s = await startServer(address);
    cleanup.push(() => s.server.forceShutdown());
    return s;
  };
  const client = (target: string, timeoutMs = 2000) => {
    const c = new GrpcH2Client(target, timeoutMs);
    cleanup.push(() => c.close());
    return c;
  };

  it('calls a grpc-js server over TCP and a unix socket, metadata included', async () => {
    const { port } = await started();
    expect(parse(await client(`127.0.0.1:${port}`).call('/test.Echo/Say', message({ text: 'tcp' }), { metadata: { authorization: 'Bearer t' } }))).toEqual({ echo: 'tcp', auth: 'Bearer t' });
    const socket = join(mkdtempSync(join(tmpdir(), 'h2-client-')), 'grpc.sock');
    await started(`unix:${socket}`);
    expect(parse(await client(`unix:${socket}`).call('/test.Echo/Say', message({ text: 'unix' })))).toEqual({ echo: 'unix', auth: null });
  });

  it('turns a status into an error with code, details and the server\'s metadata', async () => {
    const { port } = await started();
    const err = (await client(`127.0.0.1:${port}`).call('/test.Echo/Say', message({ text: 'x', fail: true })).catch((e: unknown) => e)) as GrpcCallError;
    expect(err).toBeInstanceOf(GrpcCallError);
    expect(err.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(err.details).toBe('not you: 100% sure');
    expect(err.metadata.get('tollgate-field')).toEqual(['text']);
    expect(err.metadata.get('grpc-status')).toEqual([]);
    const unimplemented = (await client(`127.0.0.1:${port}`).call('/test.Echo/Nope', message({})).catch((e: unknown) => e)) as GrpcCallError;
    expect(unimplemented.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  it('cancels a call that outlives its bound with DEADLINE_EXCEEDED', async () => {
    const { port } = await started();
    const started_ = performance.now();
    const err = (await client(`127.0.0.1:${port}`, 50).call('/test.Echo/Say', message({ text: 'slow', delayMs: 1000 })).catch((e: unknown) => e)) as GrpcCallError;
    expect(err.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(performance.now() - started_).toBeLessThan(500);
    const patient = await client(`127.0.0.1:${port}`, 50).call('/test.Echo/Say', message({ text: 'slow', delayMs: 150 }), { timeoutMs: 2000 });
    expect(parse(patient)).toMatchObject({ echo: 'slow' });
  });

  it('answers UNAVAILABLE when nothing listens, and reconnects once the server is back', async () => {
    const { server, port } = await started();
    const c = client(`127.0.0.1:${port}`);
    expect(parse(await c.call('/test.Echo/Say', message({ text: 'one' })))).toMatchObject({ echo: 'one' });
    server.forceShutdown();
    const down = (await c.call('/test.Echo/Say', message({ text: 'two' })).catch((e: unknown) => e)) as GrpcCallError;
    expect(down.code).toBe(grpc.status.UNAVAILABLE);
    await started(`127.0.0.1:${port}`);
    expect(parse(await c.call('/test.Echo/Say', message({ text: 'three' })))).toMatchObject({ echo: 'three' });
  });

  it('refuses calls after close', async () => {
    const c = client('127.0.0.1:1');
    c.close();
    expect(((await c.call('/test.Echo/Say', message({})).catch((e: unknown) => e)) as GrpcCallError).code).toBe(grpc.status.UNAVAILABLE);
  });
});
