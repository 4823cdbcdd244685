import { parseConfig } from '../../common/config/load.js';
import type { TollgateConfig } from '../../common/config/schema.js';
import type { FeatureEntitlement } from '../../common/snapshot.js';
import { emptyDecision, type Decision } from '../../sidecar/src/domain/decision.js';

export function edgeConfig(yaml: string): TollgateConfig {
  return parseConfig(yaml, 'test.yaml');
}

export function decision(overrides: Partial<Decision>): Decision {
  return { ...emptyDecision(true, 'OK'), ...overrides };
}

export const rateFeature: FeatureEntitlement = {
  rate_limit: { tokens: 10, interval_us: 1_000_000, burst: 20 },
  on_store_failure: 'open',
  enforce_on_report: false,
  shadow: false,
};

export const quotaFeature: FeatureEntitlement = {
  quota: { limit: 1000, period: 'month', enforcement: 'hard' },
  on_store_failure: 'open',
  enforce_on_report: false,
  shadow: false,
};

export function headerMap(entries: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(entries));
}
