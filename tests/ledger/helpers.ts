import type { HourlyUsageRow, UsageReader } from '../../common/clickhouse/usage-reader.js';
import { parseConfig } from '../../common/config/load.js';
import type { TollgateConfig } from '../../common/config/schema.js';
import { createLogger } from '../../common/log.js';
import { openDatabase, type Database } from '../../ledger-service/src/adapters/database.js';
import { applyMigrations } from '../../ledger-service/src/adapters/migrations.js';
import { plansOf, type LedgerContext, type SnapshotSink } from '../../ledger-service/src/app/context.js';
import { createDatabase } from '../harness/postgres.js';
import { money } from '../../ledger-service/src/domain/money.js';
import type { StoredTransaction } from '../../ledger-service/src/domain/transaction.js';

/** A plan with one feature per usage price type, a monthly fee and a minimum commitment. */
export const CONFIG_YAML = `
plans:
  - id: pro
    currency: USD
    features:
      - id: api_calls
        rate_limit: { per_second: 100 }
      - id: tokens
      - id: storage_gb
      - id: seats
      - id: egress_gb
      - id: unpriced
    prices:
      - type: graduated
        feature: api_calls
        tiers:
          - { up_to: 1000, unit_price: "0" }
          - { up_to: 10000, unit_price: "0.002" }
          - { unit_price: "0.001" }
      - type: volume
        feature: tokens
        tiers:
          - { up_to: 100, unit_price: "0.03" }
          - { unit_price: "0.02", flat_price: "1" }
      - { type: package, feature: storage_gb, package_size: 10, package_price: "5.00" }
      - { type: per_unit, feature: seats, unit_price: "0.3333" }
      - { type: overage, feature: egress_gb, included: 100, unit_price: "0.09" }
      - { type: flat, amount: "10.00", interval: month, description: "Pro plan" }
    minimum_commitment: "50.00"
  - id: basic
    currency: USD
    features:
      - id: api_calls
    prices:
      - { type: per_unit, feature: api_calls, unit_price: "0.01" }
`;

export function testConfig(yaml = CONFIG_YAML, extra: Partial<TollgateConfig> = {}): TollgateConfig {
  return { ...parseConfig(yaml, 'test.yaml'), ...extra };
}

export class RecordingSink implements SnapshotSink {
  readonly changed: string[] = [];
  async tenantsChanged(tenantIds: string[]): Promise<void> {
    this.changed.push(...tenantIds);
  }
}

export interface TestLedger {
  ctx: LedgerContext;
  /** Owner (migrations) connection: can bypass nothing the triggers refuse, but has every privilege. */
  owner: Database;
  url: string;
  clock: { now: Date };
  sink: RecordingSink;
  close(): Promise<void>;
}

/** A fresh, migrated database on the shared server and a ledger context acting as the service role. */
export async function openTestLedger(serverUrl: string, config = testConfig(), existingUrl?: string): Promise<TestLedger> {
  const url = existingUrl ?? (await createDatabase(serverUrl, 'ledger'));
  const owner = await openDatabase({ url });
  await applyMigrations(owner, config.ledger.database.service_role);
  const db = await openDatabase({ url }, { role: config.ledger.database.service_role, poolSize: 4 });
  const clock = { now: new Date('2026-03-20T12:00:00Z') };
  const sink = new RecordingSink();
  const ctx: LedgerContext = { db, config, plans: plansOf(config), clock: () => clock.now, logger: createLogger('ledger-test', 'silent'), snapshots: sink };
  return {
    ctx,
    owner,
    url,
    clock,
    sink,
    close: async () => {
      await db.close();
      await owner.close();
    },
  };
}

/**
 * A test double of the ClickHouse usage reader over a fixed array, for rating logic that needs exact control of the
 * hourly rows (the Postgres side stays real; clickhouse-rating.test.ts rates from a real ClickHouse).
 */
export function arrayUsageReader(rows: HourlyUsageRow[]): UsageReader & { rows: HourlyUsageRow[] } {
  const hourly = async ({ from, to, tenantId, featureId }: { from: Date; to: Date; tenantId?: string; featureId?: string }) =>
    rows
      .filter((r) => new Date(r.hourStart) >= from && new Date(r.hourStart) < to && (!tenantId || r.tenantId === tenantId) && (!featureId || r.featureId === featureId))
      .sort((a, b) => (a.tenantId + a.featureId + a.hourStart < b.tenantId + b.featureId + b.hourStart ? -1 : 1));
  return {
    rows,
    hourly,
    rollup: hourly,
    async total({ tenantId, featureId, from, to }) {
      const matching = await hourly({ from, to, tenantId, featureId });
      return { quantity: matching.reduce((s, r) => s.add(r.quantity), money(0)).toFixed(), events: matching.reduce((n, r) => n + r.events, 0) };
    },
    async close() {},
  };
}

export function usageRow(tenantId: string, featureId: string, hourStart: string, quantity: string): HourlyUsageRow {
  return { tenantId, featureId, hourStart: new Date(hourStart).toISOString(), quantity, events: 1 };
}

/** One rated hour as the ledger holds it: a usage line of a usage transaction. */
export interface StoredUsageLine {
  kind: string;
  transactionKey: string;
  tenantId: string | null;
  featureId: string;
  hour: string;
  revision: number;
  quantity: string;
  amount: string;
}

/** The usage lines of `transactions`, in ledger order. */
export function usageLinesOf(transactions: StoredTransaction[]): StoredUsageLine[] {
  return transactions.flatMap((t) =>
    t.postings.flatMap((p) =>
      p.usage
        ? [{ kind: t.kind, transactionKey: t.idempotencyKey, tenantId: t.tenantId, featureId: p.usage.featureId, hour: p.usage.windowStart.toISOString(), revision: p.usage.revision, quantity: p.usage.quantity, amount: p.amount }]
        : [],
    ),
  );
}
