import type { PlanConfig, TollgateConfig } from '../../../common/config/schema.js';
import type { Logger } from '../../../common/log.js';
import type { Database } from '../adapters/database.js';

/** Told after every committed change that affects what sidecars must know about these tenants. */
export interface SnapshotSink {
  tenantsChanged(tenantIds: string[]): Promise<void>;
}

export interface LedgerContext {
  db: Database;
  config: TollgateConfig;
  plans: ReadonlyMap<string, PlanConfig>;
  clock: () => Date;
  logger: Logger;
  snapshots: SnapshotSink;
}

export function plansOf(config: TollgateConfig): Map<string, PlanConfig> {
  return new Map(config.plans.map((p) => [p.id, p]));
}
