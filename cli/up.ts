import { resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { createLogger } from '../common/log.js';
import { LocalSnapshotBus } from '../common/snapshot-bus.js';
import { startGateway } from '../gateway/src/server.js';
import { startLedgerService } from '../ledger-service/src/service.js';
import { startSidecar } from '../sidecar/src/server.js';
import { configFrom, parseCommandArgs } from './args.js';

/**
 * `tollgate up [--config FILE]`: the sidecar, the ledger service and (when edge routes have upstreams) the gateway in
 * one process. With no server URLs configured everything is embedded: limits in memory, usage in chdb, the ledger
 * in PGlite, and snapshots go from the ledger to the sidecar and gateway in-process instead of through Redis.
 */
export async function runUpCommand(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs('up', argv, {
    config: { type: 'string' },
    grpc: { type: 'string' },
    socket: { type: 'string' },
    http: { type: 'string' },
    listen: { type: 'string' },
  });
  const loaded = configFrom(values.config);
  mkdirSync(loaded.data_dir, { recursive: true });
  const socket = values.socket ?? loaded.sidecar.socket ?? resolve(loaded.data_dir, 'sidecar.sock');
  const config = { ...loaded, sidecar: { ...loaded.sidecar, socket } };
  const logger = createLogger('up');
  const bus = config.redis.url ? undefined : new LocalSnapshotBus();

  const sidecar = await startSidecar(config, { grpc: values.grpc, socket, http: values.http, logger: logger.child({ component: 'sidecar' }), snapshotBus: bus });
  const ledger = await startLedgerService(config, { logger: logger.child({ component: 'ledger' }), snapshotSink: bus?.sink });
  const withUpstreams = config.edge.routes.some((r) => r.upstream !== undefined);
  const gateway = withUpstreams
    ? await startGateway(config, { listen: values.listen, sidecar: `unix:${socket}`, logger: logger.child({ component: 'gateway' }), snapshotBus: bus })
    : undefined;

  logger.info(
    {
      sidecar: { grpc: sidecar.grpcAddress, socket, http: sidecar.httpAddress },
      ledger: { grpc: ledger.grpcPort, http: ledger.httpPort },
      gateway: gateway?.url ?? 'off (no edge.routes with an upstream)',
      stores: {
        redis: config.redis.url ?? 'none: limits in this process, snapshots in-process',
        clickhouse: config.usage.clickhouse.url ?? 'embedded chdb',
        postgres: process.env.DATABASE_URL ?? config.ledger.database.url ?? 'embedded PGlite',
      },
    },
    'tollgate is up',
  );

  await new Promise<void>((done) => {
    process.once('SIGTERM', () => done());
    process.once('SIGINT', () => done());
  });
  logger.info('shutting down');
  await gateway?.stop();
  await sidecar.stop();
  await ledger.stop();
  process.exit(0);
}
