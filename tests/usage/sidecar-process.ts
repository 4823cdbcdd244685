/**
 * A sidecar with only the usage module, in a process of its own, so a test can SIGKILL it mid-stream.
 * argv[2]: a JSON file holding a parsed TollgateConfig. Prints {"grpc": ..., "http": ...} once listening.
 */
import { readFileSync } from 'node:fs';
import { createLogger } from '../../common/log.js';
import { startSidecar } from '../../sidecar/src/server.js';
import { usageModule } from '../../sidecar/src/usage/module.js';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const sidecar = await startSidecar(config, { grpc: '127.0.0.1:0', http: '127.0.0.1:0', logger: createLogger('usage-child', process.env.TEST_LOG_LEVEL ?? 'warn'), modules: [usageModule()] });
process.stdout.write(`${JSON.stringify({ grpc: sidecar.grpcAddress, http: sidecar.httpAddress })}\n`);
process.on('SIGTERM', () => void sidecar.stop().then(() => process.exit(0)));
