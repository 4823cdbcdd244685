import type { CheckEntitlementRequest__Output } from '../../../proto/gen/tollgate/v1/CheckEntitlementRequest.js';
import type { EntitlementServiceHandlers } from '../../../proto/gen/tollgate/v1/EntitlementService.js';
import type { Decider } from '../ports.js';
import type { CallerAuth } from './caller-auth.js';
import { unary } from './unary.js';
import { requireId } from './validate.js';

export function entitlementServiceHandlers(decider: Decider, auth: CallerAuth): EntitlementServiceHandlers {
  return {
    CheckEntitlement: unary((req: CheckEntitlementRequest__Output, call) => {
      const caller = auth.identifyCall(call);
      const tenantId = requireId('tenant_id', req.tenantId);
      auth.requireTenant(caller, tenantId);
      const d = decider.checkEntitlement(tenantId, requireId('feature_id', req.featureId));
      return { allowed: d.allowed, reason: d.reason, planId: d.planId, snapshotVersion: d.snapshotVersion };
    }),
  };
}
