import { RedisKeys } from '../common/keys.js';
import { connectRedisPatient } from '../common/redis.js';
import { catalogSnapshots } from '../common/snapshot.js';
import { publishSnapshots } from '../common/snapshot-store.js';
import { configFrom, parseCommandArgs, UsageError } from './args.js';

/** `tollgate catalog publish --config FILE`: the file's tenants become Redis snapshots that outrank the file. */
export async function runCatalogCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs('catalog', argv, { config: { type: 'string' } });
  if (positionals[0] !== 'publish') throw new UsageError('catalog: the only subcommand is "publish" (tollgate catalog publish --config FILE)');
  if (!values.config) throw new UsageError('catalog publish: --config FILE is required');
  const config = configFrom(values.config);
  const redis = connectRedisPatient(config.redis.url);
  try {
    const snapshots = catalogSnapshots(config, Date.now(), new Date());
    await publishSnapshots(redis, new RedisKeys(config.redis.key_prefix), snapshots);
    process.stdout.write(`published ${snapshots.length} tenant snapshot(s) from ${values.config}\n`);
  } finally {
    redis.disconnect();
  }
}
