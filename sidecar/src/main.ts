import { configFrom, parseCommandArgs } from '../../cli/args.js';
import { createLogger } from '../../common/log.js';
import { startSidecar } from './server.js';

/** `tollgate sidecar --config FILE --grpc HOST:PORT --socket PATH --http HOST:PORT` */
export async function runSidecarCommand(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs('sidecar', argv, {
    config: { type: 'string' },
    grpc: { type: 'string' },
    socket: { type: 'string' },
    http: { type: 'string' },
  });
  const config = configFrom(values.config);
  const logger = createLogger('sidecar');
  const sidecar = await startSidecar(config, { grpc: values.grpc, socket: values.socket, http: values.http, logger });
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, 'shutting down: draining in-flight calls');
    sidecar.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err: String(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
