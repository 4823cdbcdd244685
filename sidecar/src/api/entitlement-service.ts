import type { CheckEntitlementRequest__Output } from '../../../proto/gen/tollgate/v1/CheckEntitlementRequest.js';
import type { EntitlementServiceHandlers } from '../../../proto/gen/tollgate/v1/EntitlementService.js';
import type { Decider } from '../ports.js';
import { unary } from './unary.js';
import { requireId } from './validate.js';

export function entitlementServiceHandlers(decider: Decider): EntitlementServiceHandlers {
  return {
    CheckEntitlement: unary((req: CheckEntitlementRequest__Output) => {
      const d = decider.checkEntitlement(requireId('tenant_id', req.tenantId), requireId('feature_id', req.featureId));
      return { allowed: d.allowed, reason: d.reason, planId: d.planId, snapshotVersion: d.snapshotVersion };
    }),
  };
}
