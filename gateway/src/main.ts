import { UsageError } from '../../cli/args.js';

export async function runGatewayCommand(_argv: string[]): Promise<void> {
  throw new UsageError('gateway: not built yet');
}
