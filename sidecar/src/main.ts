import { UsageError } from '../../cli/args.js';

export async function runSidecarCommand(_argv: string[]): Promise<void> {
  throw new UsageError('sidecar: not built yet');
}
