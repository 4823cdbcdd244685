import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { toServiceError } from '../../../common/grpc-errors.js';

/** Adapts an async handler to grpc-js: results go to the callback, thrown errors become gRPC statuses. */
export function unary<Req, Res>(handler: (request: Req, call: ServerUnaryCall<Req, Res>) => Res | Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    let result: Res | Promise<Res>;
    try {
      result = handler(call.request, call);
    } catch (err) {
      callback(toServiceError(err));
      return;
    }
    if (result instanceof Promise) result.then((r) => callback(null, r), (err) => callback(toServiceError(err)));
    else callback(null, result);
  };
}
