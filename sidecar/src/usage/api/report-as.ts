import type { Caller, CallerAuth } from '../../api/caller-auth.js';
import { Code, type EventError, type UsageEventInput } from '../domain/validate-event.js';
import type { ReportOutcome, UsageIngest } from '../ingest.js';

/** The per-event refusal when `caller` may not report usage for `tenantId`. */
export function tenantDeniedError(auth: CallerAuth, caller: Caller, tenantId: string): EventError | undefined {
  const denied = auth.tenantDenied(caller, tenantId);
  return denied ? { code: Code.PERMISSION_DENIED, reason: 'PERMISSION_DENIED', field: 'tenant_id', message: denied.details } : undefined;
}

/**
 * Reports events on behalf of `caller`: a caller holding a tenant's API key may report only that tenant's usage;
 * every other event gets its own PERMISSION_DENIED outcome, and the rest are ingested as usual.
 */
export async function reportAs(ingest: UsageIngest, auth: CallerAuth, caller: Caller, events: UsageEventInput[]): Promise<ReportOutcome[]> {
  if (caller.kind !== 'tenant') return ingest.report(events);
  const outcomes: ReportOutcome[] = new Array(events.length);
  const allowed: UsageEventInput[] = [];
  const positions: number[] = [];
  events.forEach((event, i) => {
    const denied = tenantDeniedError(auth, caller, event.tenantId ?? '');
    if (denied) {
      outcomes[i] = { eventId: event.eventId ?? '', accepted: false, error: denied };
    } else {
      allowed.push(event);
      positions.push(i);
    }
  });
  const reported = allowed.length > 0 ? await ingest.report(allowed) : [];
  reported.forEach((outcome, j) => (outcomes[positions[j]] = outcome));
  return outcomes;
}
