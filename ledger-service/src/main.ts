import { configFrom, parseCommandArgs, UsageError } from '../../cli/args.js';
import { createLogger } from '../../common/log.js';
import { openDatabase } from './adapters/database.js';
import { createApiKey, revokeApiKey, tenantApiKeys } from './app/api-keys.js';
import { verifyLedger } from './app/verify.js';
import { openLedgerRuntime, type LedgerRuntime } from './runtime.js';
import { LedgerError } from './app/errors.js';
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

/** `tollgate keys create --tenant T [--name N] [--env live|test]`, `keys list --tenant T`, `keys revoke --tenant T --key ID`. */
export async function runKeysCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs('keys', argv, {
    config: { type: 'string' },
    tenant: { type: 'string' },
    name: { type: 'string' },
    env: { type: 'string' },
    key: { type: 'string' },
  });
  const sub = positionals[0];
  if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') throw new UsageError('keys: subcommands are create, list, revoke (e.g. tollgate keys create --tenant T)');
  if (!values.tenant) throw new UsageError(`keys ${sub}: --tenant T is required`);
  if (sub === 'revoke' && !values.key) throw new UsageError('keys revoke: --key KEY_ID is required');
  const runtime = await openLedgerRuntime(configFrom(values.config), { logger: createLogger('keys', process.env.LOG_LEVEL ?? 'warn') });
  try {
    await keysSubcommand(runtime, sub, values);
  } catch (err) {
    if (err instanceof LedgerError) throw new UsageError(`keys ${sub}: ${err.message}`);
    throw err;
  } finally {
    await runtime.close();
  }
}

async function keysSubcommand(
  runtime: LedgerRuntime,
  sub: 'create' | 'list' | 'revoke',
  values: { tenant?: string; name?: string; env?: string; key?: string },
): Promise<void> {
  const tenantId = values.tenant!;
  if (sub === 'create') {
    const issued = await createApiKey(runtime.ctx, { tenantId, name: values.name, environment: values.env });
    process.stdout.write(`${issued.key}\n`);
    process.stderr.write(`key id ${issued.apiKey.id} for tenant ${tenantId}; the key is shown once and only its SHA-256 is stored\n`);
  } else if (sub === 'list') {
    for (const k of await tenantApiKeys(runtime.ctx, tenantId)) {
      process.stdout.write(`${k.id}\t${k.environment}\t${k.createdAt.toISOString()}\t${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active'}\t${k.name}\n`);
    }
  } else {
    const k = await revokeApiKey(runtime.ctx, tenantId, values.key!);
    process.stdout.write(`revoked ${k.id} of tenant ${k.tenantId} at ${k.revokedAt!.toISOString()}\n`);
  }
}
