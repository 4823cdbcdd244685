import { loadQuotaProto } from '../../dist/common/proto.js';
const { definition } = loadQuotaProto();
const m = definition['tollgate.v1.QuotaService'].CheckBatch;
const decision = { allowed: true, reason: 'OK', limit: '1000000000', remaining: '999999000', resetAfterMs: '1', retryAfterMs: '0', overage: false, degraded: false, quotaLimit: '0', quotaRemaining: '0', snapshotVersion: '1' };
const resp = { results: Array.from({ length: 100 }, () => ({ decision })) };
const req = { items: Array.from({ length: 100 }, (_, i) => ({ tenantId: 't' + String(i % 100).padStart(3, '0'), featureId: 'f' + (i % 10), cost: 1 })) };
const bytes = m.responseSerialize(resp); const reqBytes = m.requestSerialize(req);
console.log('resp bytes', bytes.length, 'req bytes', reqBytes.length);
for (const [name, fn] of [['resp decode', () => m.responseDeserialize(bytes)], ['resp encode', () => m.responseSerialize(resp)], ['req encode', () => m.requestSerialize(req)], ['req decode', () => m.requestDeserialize(reqBytes)]]) {
  for (let i = 0; i < 200; i++) fn();
  const t = performance.now(); let n = 0; while (performance.now() - t < 500) { fn(); n++; }
  console.log(name, ((performance.now() - t) * 1000 / n).toFixed(1), 'µs/call');
}
