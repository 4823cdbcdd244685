import { stringify } from 'yaml';

/**
 * The catalog the sidecar runs with during the benchmark: 100 tenants on one plan with
 * - `check`: the key h2load hammers; its limit is far above any rate reached, so every decision is allowed and
 *   the hot key is served from leases;
 * - `f0`…`f9`: with the 100 tenants, the 1,000 keys of the batch comparison, limits far above the load too;
 * - `hot`: a hot key driven well above its rate, to measure over-admission.
 */
export const benchTenants = Array.from({ length: 100 }, (_, i) => `t${String(i).padStart(3, '0')}`);
export const batchFeatures = Array.from({ length: 10 }, (_, i) => `f${i}`);
export const hotKeyLimit = { perSecond: 100, burst: 50 } as const;
export const leaseSettings = { enabled: true, hot_after: 8, max_tokens: 64, ttl_ms: 1000 } as const;

const unlimited = { per_second: 1_000_000_000, burst: 1_000_000_000 };

export function sidecarConfigYaml(redisUrl: string, dataDir: string): string {
  return stringify({
    mode: 'oss',
    data_dir: dataDir,
    redis: { url: redisUrl },
    sidecar: { leases: leaseSettings, coalesce: true },
    plans: [
      {
        id: 'bench',
        features: [
          { id: 'check', rate_limit: unlimited },
          ...batchFeatures.map((id) => ({ id, rate_limit: unlimited })),
          { id: 'hot', rate_limit: { per_second: hotKeyLimit.perSecond, burst: hotKeyLimit.burst } },
        ],
      },
    ],
    tenants: benchTenants.map((id) => ({ id, plan: 'bench', status: 'active' })),
  });
}
