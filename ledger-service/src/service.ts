import * as grpc from '@grpc/grpc-js';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TollgateConfig } from '../../common/config/schema.js';
import { listSubscriptions } from './adapters/tenant-store.js';
import { finalizeDueInvoices } from './app/invoices.js';
import { rateUsage } from './app/rating.js';
import { endTrials, importConfiguredTenants } from './app/tenants.js';
import { operatorTokenCheck } from './api/auth.js';
import { addLedgerService } from './api/grpc-service.js';
import { createAdminHttpServer } from './api/http-admin.js';
import { openLedgerRuntime, type LedgerRuntime, type RuntimeOptions } from './runtime.js';
import { ensureOperatorToken } from './settings.js';

export interface LedgerServiceHandle {
  runtime: LedgerRuntime;
  grpcPort: number;
  httpPort: number;
  /** One pass as the timer runs it: ended trials become active, rating, finalization of ended periods (auto_finalize). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export interface LedgerServiceOptions extends RuntimeOptions {
  grpc?: string;
  http?: string;
  /** Run the rating/finalization timer (default: ledger.rating.enabled). */
  timers?: boolean;
}

function splitHostPort(value: string): [string, number] {
  const i = value.lastIndexOf(':');
  return [value.slice(0, i).replace(/^\[|\]$/g, ''), Number(value.slice(i + 1))];
}

/** Starts the ledger: migrations, config tenants, gRPC LedgerService, HTTP admin, rating and republish timers. */
export async function startLedgerService(config: TollgateConfig, options: LedgerServiceOptions = {}): Promise<LedgerServiceHandle> {
  const { token, generatedIn } = ensureOperatorToken(config);
  const authorized = operatorTokenCheck(token);
  const runtime = await openLedgerRuntime(config, options);
  const { ctx } = runtime;
  const logger = ctx.logger;
  if (generatedIn) logger.warn({ file: generatedIn }, 'no operator token configured: generated one (set ledger.operator_token or TOLLGATE_OPERATOR_TOKEN to choose it)');
  await importConfiguredTenants(ctx);
  await runtime.publisher.republishAll().catch((err) => logger.warn({ err: (err as Error).message }, 'initial snapshot publish failed'));
  runtime.publisher.startRepublishing(config.ledger.snapshot_republish_ms);

  const deps = { ctx, usage: runtime.usage };
  const grpcServer = new grpc.Server();
  addLedgerService(grpcServer, deps, authorized, logger);
  const grpcPort = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync(options.grpc ?? config.ledger.grpc, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );
  const http: HttpServer = createAdminHttpServer(deps, authorized, logger);
  const [host, port] = splitHostPort(options.http ?? config.ledger.http);
  await new Promise<void>((resolve, reject) => http.once('error', reject).listen(port, host, () => resolve()));
  const httpPort = (http.address() as AddressInfo).port;

  let running: Promise<void> | undefined;
  const tick = () =>
    (running ??= (async () => {
      try {
        await endTrials(ctx);
        await rateUsage(ctx, await runtime.usage());
        if (config.ledger.auto_finalize) await finalizeDueInvoices(ctx, await listSubscriptions(ctx.db));
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'rating pass failed; retrying at the next interval');
      } finally {
        running = undefined;
      }
    })());
  const timer = options.timers ?? config.ledger.rating.enabled ? setInterval(() => void tick(), config.ledger.rating.interval_ms) : undefined;
  logger.info({ grpc: grpcPort, http: httpPort }, 'ledger service listening');

  return {
    runtime,
    grpcPort,
    httpPort,
    tick,
    stop: async () => {
      clearInterval(timer);
      await running;
      await new Promise<void>((resolve) => grpcServer.tryShutdown(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await runtime.close();
    },
  };
}
