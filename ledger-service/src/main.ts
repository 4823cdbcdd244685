import { configFrom, parseCommandArgs, UsageError } from '../../cli/args.js';
import { openDatabase } from './adapters/database.js';
import { verifyLedger } from './app/verify.js';
import { startLedgerService } from './service.js';
import { databaseTarget } from './settings.js';

/**
 * `tollgate ledger --config FILE [--grpc HOST:PORT] [--http HOST:PORT]` runs the service;
 * `tollgate ledger verify [--config FILE]` recomputes the hash chain and names the first altered transaction.
 */
export async function runLedgerCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs('ledger', argv, {
    config: { type: 'string' },
    grpc: { type: 'string' },
    http: { type: 'string' },
  });
  const config = configFrom(values.config);
  if (positionals[0] === 'verify') {
    const db = await openDatabase(databaseTarget(config), { role: config.ledger.database.service_role });
    try {
      const report = await verifyLedger(db);
      if (report.ok) {
        process.stdout.write(`ledger verified: ${report.transactions} transaction(s), hash chain intact\n`);
      } else {
        const b = report.firstBreak!;
        process.stdout.write(`ledger ALTERED: first broken transaction seq ${b.seq} (id ${b.id}, key "${b.idempotencyKey}"): ${b.problem}\n`);
        process.exitCode = 1;
      }
    } finally {
      await db.close();
    }
    return;
  }
  if (positionals.length > 0) throw new UsageError(`ledger: unknown subcommand "${positionals[0]}" (run the service, or "ledger verify")`);
  const service = await startLedgerService(config, { grpc: values.grpc, http: values.http });
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await service.stop();
}

export { runKeysCommand } from './keys-command.js';
