import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { existsSync } from 'node:fs';

/** The package root, found from this file whether it runs from source or from dist/. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(resolve(dir, 'package.json')) && existsSync(resolve(dir, 'proto'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot locate the Tollgate package root (package.json beside proto/)');
}

export const packageRoot = findRoot();
export const protoDir = resolve(packageRoot, 'proto');
export const envoyProtoRoots = [
  'envoy-api',
  'googleapis',
  'protoc-gen-validate',
  'xds',
].map((d) => resolve(packageRoot, 'node_modules/@grpc/grpc-js-xds/deps', d));
