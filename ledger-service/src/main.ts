import { UsageError } from '../../cli/args.js';

export async function runLedgerCommand(_argv: string[]): Promise<void> {
  throw new UsageError('ledger: not built yet');
}

export async function runKeysCommand(_argv: string[]): Promise<void> {
  throw new UsageError('keys: not built yet');
}
