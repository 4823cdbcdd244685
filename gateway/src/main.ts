import { configFrom, parseCommandArgs, UsageError } from '../../cli/args.js';
import { createLogger } from '../../common/log.js';
import { startGateway } from './server.js';

/** `tollgate gateway --config FILE [--listen HOST:PORT] [--sidecar TARGET]` */
export async function runGatewayCommand(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs('gateway', argv, {
    config: { type: 'string' },
    listen: { type: 'string' },
    sidecar: { type: 'string' },
  });
  if (!values.config) throw new UsageError('gateway: --config FILE is required (its edge.routes and edge.upstreams say what to proxy)');
  if (values.listen !== undefined && !/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(values.listen)) {
    throw new UsageError(`gateway: --listen must be HOST:PORT, got "${values.listen}"`);
  }
  const config = configFrom(values.config);
  const logger = createLogger('gateway');
  const gateway = await startGateway(config, { listen: values.listen, sidecar: values.sidecar, logger });
  process.stdout.write(`tollgate gateway on ${gateway.url}\n`);
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'stopping: draining in-flight requests');
    gateway.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
