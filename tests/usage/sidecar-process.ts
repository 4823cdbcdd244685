/**
 * A sidecar with only the usage module, in a process of its own, so a test can SIGKILL it mid-stream.
 * argv[2]: a JSON file holding a parsed TollgateConfig. argv[3], optional: the URL of a compiled tree (`dist/`) to run
 * instead of these TypeScript sources — the build as deployed, where ReportBatch is scanned on a worker thread.
 * Prints {"grpc": ..., "http": ..., "scanWorker": bool} once listening.
 */
import { readFileSync } from 'node:fs';
import type * as Log from '../../common/log.js';
import type * as Server from '../../sidecar/src/server.js';
import type * as ScanWorker from '../../sidecar/src/usage/api/scan-worker.js';
import type * as Usage from '../../sidecar/src/usage/module.js';

const root = process.argv[3] ?? new URL('../../', import.meta.url).href;
const load = <T>(path: string) => import(new URL(path, root).href) as Promise<T>;
const { createLogger } = await load<typeof Log>('common/log.js');
const { startSidecar } = await load<typeof Server>('sidecar/src/server.js');
const { usageModule } = await load<typeof Usage>('sidecar/src/usage/module.js');
const { scanWorkerFile } = await load<typeof ScanWorker>('sidecar/src/usage/api/scan-worker.js');

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const sidecar = await startSidecar(config, { grpc: '127.0.0.1:0', http: '127.0.0.1:0', logger: createLogger('usage-child', process.env.TEST_LOG_LEVEL ?? 'warn'), modules: [usageModule()] });
process.stdout.write(`${JSON.stringify({ grpc: sidecar.grpcAddress, http: sidecar.httpAddress, scanWorker: scanWorkerFile() !== undefined })}\n`);
process.on('SIGTERM', () => void sidecar.stop().then(() => process.exit(0)));
