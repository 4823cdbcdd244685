import * as grpc from '@grpc/grpc-js';
import { toServiceError } from '../../../common/grpc-errors.js';
import type { Logger } from '../../../common/log.js';
import { loadLedgerProto } from '../../../common/proto.js';
import { toGrpcError } from './errors.js';
import { operations, type LedgerApiDeps, type RpcName } from './operations.js';

/** Adds tollgate.v1.LedgerService to `server`; every call must carry the operator token. */
export function addLedgerService(server: grpc.Server, deps: LedgerApiDeps, authorized: (authorization: string | undefined) => boolean, logger: Logger): void {
  const service = loadLedgerProto().proto.tollgate.v1.LedgerService.service;
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const name of Object.keys(operations) as RpcName[]) {
    const operation = operations[name] as (deps: LedgerApiDeps, request: unknown) => Promise<unknown>;
    implementation[name] = ((call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const header = call.metadata.get('authorization')[0];
      if (!authorized(typeof header === 'string' ? header : undefined)) {
        callback({ code: grpc.status.UNAUTHENTICATED, details: 'authorization: a valid operator token is required (Bearer …)' });
        return;
      }
      operation(deps, call.request).then(
        (response) => callback(null, response),
        (err: unknown) => {
          const mapped = toGrpcError(err);
          if (mapped === err) logger.error({ err, rpc: name }, 'ledger rpc failed');
          callback(toServiceError(mapped));
        },
      );
    }) as grpc.handleUnaryCall<unknown, unknown>;
  }
  server.addService(service, implementation);
}
