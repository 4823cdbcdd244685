import { rmSync } from 'node:fs';
import type { Http2Server } from 'node:http2';
import { createServer, type Server, type Socket } from 'node:net';
import { LOCAL_CALL_PREFACE } from '../../../common/local-call-wire.js';
import type { LocalCallServer } from './local-calls.js';

/**
 * The sidecar's unix socket, speaking two protocols: a connection that opens with the local call preface
 * (common/local-call-wire.ts) goes to `local`, any other (gRPC's HTTP/2 preface) to `http2` — grpc-js's own HTTP/2
 * server, so gRPC calls on the socket are served exactly as on TCP, fast path included.
 */
export function listenUnixSocket(path: string, http2: Http2Server, local: LocalCallServer): Promise<Server> {
  rmSync(path, { force: true });
  const server = createServer((socket) => sniff(socket, http2, local));
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`cannot listen on unix:${path}: ${err.message}`)));
    server.listen(path, () => resolve(server));
  });
}

function sniff(socket: Socket, http2: Http2Server, local: LocalCallServer): void {
  let seen: Buffer = Buffer.alloc(0);
  const onError = () => socket.destroy();
  const onData = (chunk: Buffer) => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, LOCAL_CALL_PREFACE.length);
    const mayBeLocal = seen.subarray(0, n).equals(LOCAL_CALL_PREFACE.subarray(0, n));
    if (mayBeLocal && seen.length < LOCAL_CALL_PREFACE.length) return;
    socket.off('data', onData);
    socket.off('error', onError);
    if (mayBeLocal) {
      local.accept(socket, seen.subarray(LOCAL_CALL_PREFACE.length));
      return;
    }
    // node:http2 takes a socket with bytes already read if they are put back first.
    socket.pause();
    socket.unshift(seen);
    http2.emit('connection', socket);
  };
  socket.on('data', onData);
  socket.on('error', onError);
}
