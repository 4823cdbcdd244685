// k6 run -e GATEWAY=http://127.0.0.1:8080 -e KEYS_FILE=/path/keys.json loadtest/k6/gateway.ts
// KEYS_FILE: a JSON array of API keys, index i belonging to tenant lt-tenant-i (the driver's --serve writes one).
import exec from 'k6/execution';
import http from 'k6/http';
import { scenarios, tenantIndex, type ScenarioName } from '../workloads.ts';
import { denied, errors, optionsFor, summaryFor } from './common.ts';

const gateway = __ENV.GATEWAY ?? 'http://127.0.0.1:8080';
const keys: string[] = JSON.parse(open(__ENV.KEYS_FILE ?? './keys.json'));

export const options = optionsFor('gateway', 'http_req_duration');
export const handleSummary = summaryFor('gateway', 'http_req_duration');

// Refusals are answers, not failures.
http.setResponseCallback(http.expectedStatuses(200, 409, 429));

export default function (): void {
  const tenant = tenantIndex(scenarios[exec.scenario.name as ScenarioName], Math.random());
  const res = http.get(`${gateway}/api/items`, { headers: { authorization: `Bearer ${keys[tenant]}` } });
  errors.add(res.status !== 200 && res.status !== 409 && res.status !== 429);
  if (res.status === 409 || res.status === 429) denied.add(1);
}
