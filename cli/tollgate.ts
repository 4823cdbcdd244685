#!/usr/bin/env node
import { ConfigError } from '../common/config/load.js';
import { applyHeapGrowth, heapGrowingPercent } from '../common/heap-growth.js';
import { UsageError } from './args.js';

type Command = (argv: string[]) => Promise<void>;

/**
 * Subcommands are imported on demand so `tollgate sidecar` never loads the ledger's dependencies. Servers (long-running
 * commands) get the heap tuning of common/heap-growth.ts.
 */
const commands: Record<string, { summary: string; server?: true; load: () => Promise<Command> }> = {
  up: { summary: 'run everything in one process (sidecar, ledger, gateway) on embedded stores unless URLs are set', server: true, load: async () => (await import('./up.js')).runUpCommand },
  sidecar: { summary: 'run the per-host decision and usage sidecar', server: true, load: async () => (await import('../sidecar/src/main.js')).runSidecarCommand },
  catalog: { summary: 'catalog publish --config FILE: publish a file\'s plans and tenants to Redis', load: async () => (await import('./catalog.js')).runCatalogCommand },
  migrate: { summary: 'apply ClickHouse and Postgres migrations', load: async () => (await import('./migrate.js')).runMigrateCommand },
  ledger: { summary: 'run the ledger service (ledger verify: check the hash chain)', server: true, load: async () => (await import('../ledger-service/src/main.js')).runLedgerCommand },
  keys: { summary: 'keys create --tenant T: issue an API key', load: async () => (await import('../ledger-service/src/main.js')).runKeysCommand },
  gateway: { summary: 'run the edge HTTP gateway', server: true, load: async () => (await import('../gateway/src/main.js')).runGatewayCommand },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: tollgate <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`tollgate: unknown command "${name}"\n\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  if (command.server) applyHeapGrowth(serverHeapGrowth());
  await (await command.load())(rest);
}

function serverHeapGrowth(): number {
  try {
    return heapGrowingPercent();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError || (err as { name?: string })?.name === 'UsageError') {
    process.stderr.write(`tollgate: ${(err as Error).message}\n`);
    process.exit(2);
  }
  process.stderr.write(`tollgate: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
