import { sidecarCaller, type UnaryCaller } from '../../common/local-call-client.js';
import { loadDefinition, tollgateProtoFile } from '../../common/proto.js';
import type { ReportBatchResponse__Output } from '../../proto/gen/tollgate/v1/ReportBatchResponse.js';
import type { GetUsageResponse__Output } from '../../proto/gen/tollgate/v1/GetUsageResponse.js';
import type { BenchEvent } from './events.js';

interface MethodCodec {
  path: string;
  requestSerialize(value: unknown): Buffer;
  responseDeserialize(bytes: Buffer): unknown;
}

/** ReportBatchRequests of `batchSize` events each, encoded with the generic codec. */
export function encodeReportBatches(events: BenchEvent[], batchSize: number): Buffer[] {
  const definition = loadDefinition([tollgateProtoFile('usage.proto')]);
  const reportBatch = (definition['tollgate.v1.UsageService'] as unknown as Record<string, MethodCodec>).ReportBatch;
  const batches: Buffer[] = [];
  for (let i = 0; i < events.length; i += batchSize) batches.push(reportBatch.requestSerialize({ events: events.slice(i, i + batchSize) }));
  return batches;
}

/**
 * The in-repo load driver: ReportBatch requests are serialized before the clock starts, and sent on plain node:http2
 * (common/grpc-h2-client.ts) rather than a grpc-js client, so the driver spends as little as it can of the two cores
 * it shares with the sidecar and ClickHouse, and the measurement is of the sidecar.
 */
export class IngestDriver {
  private readonly client: UnaryCaller;
  private readonly reportBatch: MethodCodec;
  private readonly getUsage: MethodCodec;

  /** `unix:PATH` targets use the local call protocol (as the gateway does); `HOST:PORT` targets gRPC. */
  constructor(address: string) {
    const definition = loadDefinition([tollgateProtoFile('usage.proto')]);
    const service = definition['tollgate.v1.UsageService'] as unknown as Record<string, MethodCodec>;
    this.reportBatch = service.ReportBatch;
    this.getUsage = service.GetUsage;
    this.client = sidecarCaller(address, 120_000);
  }

  private async call<T>(method: MethodCodec, body: Buffer): Promise<T> {
    return method.responseDeserialize(await this.client.call(method.path, body)) as T;
  }

  /** Sends the batches with `concurrency` calls in flight; returns each call's acknowledgement latency (ms). */
  async send(batches: Buffer[], concurrency: number): Promise<{ latenciesMs: number[]; accepted: number; rejected: number }> {
    const counts: MethodCodec = { ...this.reportBatch, responseDeserialize: acceptedAndRejected };
    const latenciesMs: number[] = [];
    let accepted = 0;
    let rejected = 0;
    let next = 0;
    const lane = async () => {
      while (next < batches.length) {
        const body = batches[next++];
        const started = process.hrtime.bigint();
        const response = await this.call<Pick<ReportBatchResponse__Output, 'accepted' | 'rejected'>>(counts, body);
        latenciesMs.push(Number(process.hrtime.bigint() - started) / 1e6);
        accepted += response.accepted;
        rejected += response.rejected;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return { latenciesMs, accepted, rejected };
  }

  usage(tenantId: string, featureId: string, start: string, end: string): Promise<GetUsageResponse__Output> {
    return this.call(this.getUsage, this.getUsage.requestSerialize({ tenantId, featureId, start, end }));
  }

  close(): void {
    this.client.close();
  }
}

/**
 * Reads only ReportBatchResponse.accepted (field 2) and .rejected (field 3), skipping the per-event results, so the
 * driver's CPU goes to sending load rather than to parsing a thousand results per call.
 */
function acceptedAndRejected(bytes: Buffer): { accepted: number; rejected: number } {
  let pos = 0;
  const varint = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[pos++];
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
    }
  };
  const out = { accepted: 0, rejected: 0 };
  while (pos < bytes.length) {
    const tag = varint();
    if (tag === 0x0a) {
      const length = varint();
      pos += length;
    }
    else if (tag === 0x10) out.accepted = varint();
    else if (tag === 0x18) out.rejected = varint();
    else throw new Error(`unexpected field tag ${tag} in ReportBatchResponse`);
  }
  return out;
}
