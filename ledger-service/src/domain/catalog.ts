import type { PlanVersionConfig, PriceConfig, UsagePriceConfig } from '../../../common/config/ledger-schema.js';
import type { PlanConfig } from '../../../common/config/schema.js';

export interface PlanVersion {
  planId: string;
  currency: string;
  version: number;
  /** Undefined: in force since the beginning of time. */
  effectiveFrom?: Date;
  prices: PriceConfig[];
  minimumCommitment?: string;
}

function toVersion(plan: PlanConfig, v: PlanVersionConfig): PlanVersion {
  return {
    planId: plan.id,
    currency: plan.currency,
    version: v.version,
    effectiveFrom: v.effective_from ? new Date(v.effective_from) : undefined,
    prices: v.prices,
    minimumCommitment: v.minimum_commitment,
  };
}

const versionsOf = new WeakMap<PlanConfig, PlanVersion[]>();

/**
 * Every version of a plan, oldest first (the config validated that versions and dates increase). Computed once per
 * plan object (rating asks for every hour it prices); callers must not modify the result.
 */
export function planVersions(plan: PlanConfig): PlanVersion[] {
  let versions = versionsOf.get(plan);
  if (!versions) {
    versions = [...plan.previous_versions.map((v) => toVersion(plan, v)), toVersion(plan, plan)];
    versionsOf.set(plan, versions);
  }
  return versions;
}

/** The version in force at `at`, or undefined when `at` precedes the first version. */
export function planVersionAt(plan: PlanConfig, at: Date): PlanVersion | undefined {
  let found: PlanVersion | undefined;
  for (const v of planVersions(plan)) {
    if (!v.effectiveFrom || v.effectiveFrom.getTime() <= at.getTime()) found = v;
  }
  return found;
}

export function usagePriceFor(version: PlanVersion | undefined, featureId: string): UsagePriceConfig | undefined {
  return version?.prices.find((p): p is UsagePriceConfig => p.type !== 'flat' && p.feature === featureId);
}

export function flatPrices(version: PlanVersion | undefined): Array<Extract<PriceConfig, { type: 'flat' }>> {
  return (version?.prices ?? []).filter((p): p is Extract<PriceConfig, { type: 'flat' }> => p.type === 'flat');
}
