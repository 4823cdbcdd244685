import { SidecarClient } from '../../gateway/src/adapters/sidecar-client.js';
import { percentileOfSorted } from '../check/stats.js';

export interface QuestionLatency {
  p50Ms: number;
  p99Ms: number;
}

/**
 * The gateway's question (Check) asked of the running sidecar one at a time, from this process, with the gateway's
 * own client: once over gRPC on HTTP/2 and once in the sidecar's local call protocol, on the same unix socket. The
 * hop's cost without queueing, for each transport.
 */
export async function questionLatency(socketPath: string, tenantId: string, featureId: string, calls: number): Promise<Record<'grpc' | 'local', QuestionLatency>> {
  const out = {} as Record<'grpc' | 'local', QuestionLatency>;
  for (const protocol of ['grpc', 'local'] as const) {
    const client = new SidecarClient(`unix:${socketPath}`, 1000, 1000, protocol);
    try {
      for (let i = 0; i < 200; i++) await client.check(tenantId, featureId, 1);
      const ms: number[] = [];
      for (let i = 0; i < calls; i++) {
        const started = performance.now();
        await client.check(tenantId, featureId, 1);
        ms.push(performance.now() - started);
      }
      ms.sort((a, b) => a - b);
      out[protocol] = { p50Ms: percentileOfSorted(ms, 50), p99Ms: percentileOfSorted(ms, 99) };
    } finally {
      client.close();
    }
  }
  return out;
}
