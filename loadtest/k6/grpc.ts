// k6 run -e TARGET=check|check_batch|report_batch -e SIDECAR=127.0.0.1:50051 loadtest/k6/grpc.ts
import exec from 'k6/execution';
import grpc from 'k6/net/grpc';
import { BATCH_SIZE, FEATURE, scenarios, tenantId, tenantIndex, type ScenarioName, type TargetName } from '../workloads.ts';
import { denied, errors, optionsFor, summaryFor } from './common.ts';

const target = (__ENV.TARGET ?? 'check') as TargetName;
if (!['check', 'check_batch', 'report_batch'].includes(target)) throw new Error(`TARGET must be check, check_batch or report_batch, got "${target}"`);
const sidecar = __ENV.SIDECAR ?? '127.0.0.1:50051';

const client = new grpc.Client();
client.load(['../../proto'], 'tollgate/v1/quota.proto', 'tollgate/v1/usage.proto');

export const options = optionsFor(target, 'grpc_req_duration');
export const handleSummary = summaryFor(target, 'grpc_req_duration');

let connected = false;

function pickTenant(): string {
  return tenantId(tenantIndex(scenarios[exec.scenario.name as ScenarioName], Math.random()));
}

interface CheckMessage {
  allowed?: boolean;
}

export default function (): void {
  if (!connected) {
    client.connect(sidecar, { plaintext: true, timeout: '5s' });
    connected = true;
  }
  if (target === 'check') {
    const res = client.invoke('tollgate.v1.QuotaService/Check', { tenant_id: pickTenant(), feature_id: FEATURE, cost: 1 });
    const ok = res.status === grpc.StatusOK;
    errors.add(!ok);
    if (ok && !(res.message as CheckMessage).allowed) denied.add(1);
  } else if (target === 'check_batch') {
    const items = Array.from({ length: BATCH_SIZE }, () => ({ tenant_id: pickTenant(), feature_id: FEATURE, cost: 1 }));
    const res = client.invoke('tollgate.v1.QuotaService/CheckBatch', { items });
    const ok = res.status === grpc.StatusOK;
    errors.add(!ok);
    if (ok) {
      const results = (res.message as { results: Array<{ decision?: CheckMessage }> }).results;
      denied.add(results.filter((r) => r.decision && !r.decision.allowed).length);
    }
  } else {
    const now = new Date().toISOString();
    const events = Array.from({ length: BATCH_SIZE }, () => ({ tenant_id: pickTenant(), service_id: 'loadtest', feature_id: FEATURE, quantity: '1', timestamp: now }));
    const res = client.invoke('tollgate.v1.UsageService/ReportBatch', { events });
    const ok = res.status === grpc.StatusOK;
    errors.add(!ok);
    if (ok) denied.add((res.message as { rejected?: number }).rejected ?? 0);
  }
}

export function teardown(): void {
  client.close();
}
