import type { CheckResponse } from '../../proto/gen/tollgate/v1/CheckResponse.js';

/** The one answer the no-op servers give to every Check: allowed, with plausible numbers in every field. */
export const noopDecision: CheckResponse = {
  allowed: true,
  reason: 'OK',
  limit: 1000,
  remaining: 999,
  resetAfterMs: 1,
  retryAfterMs: 0,
  overage: false,
  degraded: false,
  snapshotVersion: 1,
};
