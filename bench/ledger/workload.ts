import type { HourlyUsageRow, UsageReader } from '../../common/clickhouse/usage-reader.js';
import { parseConfig } from '../../common/config/load.js';
import type { TollgateConfig } from '../../common/config/schema.js';

export const ANCHOR = new Date('2026-03-01T00:00:00Z');
/** Rating runs "at" this time: every hour of the generated usage is closed. */
export const NOW = new Date('2026-03-25T12:00:00Z');
export const FEATURES = ['api_calls', 'tokens', 'storage_gb', 'seats', 'egress_gb'];

/** One plan with a price of every usage type, so rating does the real pricing work. */
export function benchConfig(): TollgateConfig {
  return parseConfig(
    `
plans:
  - id: bench
    currency: USD
    features: [${FEATURES.map((f) => `{ id: ${f} }`).join(', ')}]
    prices:
      - { type: graduated, feature: api_calls, tiers: [{ up_to: 1000, unit_price: "0" }, { up_to: 100000, unit_price: "0.002" }, { unit_price: "0.001" }] }
      - { type: volume, feature: tokens, tiers: [{ up_to: 100000, unit_price: "0.00003" }, { unit_price: "0.00002" }] }
      - { type: package, feature: storage_gb, package_size: 10, package_price: "5.00" }
      - { type: per_unit, feature: seats, unit_price: "0.3333" }
      - { type: overage, feature: egress_gb, included: 100, unit_price: "0.09" }
      - { type: flat, amount: "49.00", interval: month }
    minimum_commitment: "100.00"
ledger:
  operator_token: bench-operator-token-0123456789
`,
    'bench',
  );
}

/** `n` hourly aggregates: `tenants` tenants × 5 features × n / (5 × tenants) consecutive hours from the anchor. */
export function hourlyAggregates(n: number, tenants: number): HourlyUsageRow[] {
  const hours = Math.ceil(n / (FEATURES.length * tenants));
  const rows: HourlyUsageRow[] = [];
  for (let t = 0; t < tenants && rows.length < n; t++) {
    const tenantId = `t${String(t).padStart(4, '0')}`;
    for (const featureId of FEATURES) {
      for (let h = 0; h < hours && rows.length < n; h++) {
        const quantity = featureId === 'egress_gb' ? `${1 + ((h * 37) % 11)}.${(h * 13) % 100}` : String(1 + ((h * 7919 + t) % 997));
        rows.push({ tenantId, featureId, hourStart: new Date(ANCHOR.getTime() + h * 3_600_000).toISOString(), quantity, events: 1 });
      }
    }
  }
  return rows;
}

export function tenantIds(rows: HourlyUsageRow[]): string[] {
  return [...new Set(rows.map((r) => r.tenantId))];
}

/** The aggregates as the usage store would return them; isolates the ledger's share of rating. */
export function memoryReader(rows: HourlyUsageRow[]): UsageReader {
  const hourly = async ({ from, to, tenantId }: { from: Date; to: Date; tenantId?: string }) => {
    const [lower, upper] = [from.toISOString(), to.toISOString()];
    return rows.filter((r) => (!tenantId || r.tenantId === tenantId) && r.hourStart >= lower && r.hourStart < upper);
  };
  return {
    hourly,
    rollup: hourly,
    total: async () => ({ quantity: '0', events: 0 }),
    close: async () => undefined,
  };
}
