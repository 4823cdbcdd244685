import { batchFeatures, benchTenants } from './bench-catalog.js';
import { seededRandom } from './stats.js';

export interface Key {
  tenantId: string;
  featureId: string;
}

export type Distribution = 'uniform' | 'zipf';

/** YCSB's default skew: the hottest of 1,000 keys gets ~13 % of traffic, the top 10 ~39 %. */
const zipfExponent = 0.99;

/**
 * A fixed-seed sequence over the 1,000 tenant×feature keys of the benchmark catalog, so that both contenders see
 * exactly the same keys in the same order. For zipf, ranks are assigned to keys in a shuffled order, so the hot keys
 * are spread over tenants and features.
 */
export function keySequence(distribution: Distribution, length: number): Key[] {
  const keys = benchTenants.flatMap((tenantId) => batchFeatures.map((featureId) => ({ tenantId, featureId })));
  const random = seededRandom(distribution === 'uniform' ? 20261121 : 20261122);
  if (distribution === 'uniform') return Array.from({ length }, () => keys[Math.floor(random() * keys.length)]);

  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  const cumulative = new Float64Array(keys.length);
  let total = 0;
  for (let rank = 0; rank < keys.length; rank++) cumulative[rank] = total += 1 / Math.pow(rank + 1, zipfExponent);
  return Array.from({ length }, () => {
    const target = random() * total;
    let lo = 0;
    let hi = keys.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return keys[lo];
  });
}
