import { status } from '@grpc/grpc-js';
import type { Counter } from 'prom-client';
import { GrpcCallError } from '../../../common/grpc-h2-client.js';
import type { Logger } from '../../../common/log.js';
import { ulidFactory } from '../../../common/ulid.js';
import type { ReportBatchResponse__Output } from '../../../proto/gen/tollgate/v1/ReportBatchResponse.js';
import { ReportBatchWriter } from './report-batch-writer.js';

/** Where batches go: the sidecar's UsageService.ReportBatch (SidecarClient.reportUsage), as encoded requests. */
export interface UsageSink {
  reportUsage(request: Buffer): Promise<ReportBatchResponse__Output>;
}

export interface UsageRecord {
  tenantId: string;
  featureId: string;
  /** Whole units, as a decimal string on the wire. */
  quantity: number;
  attributes: Record<string, string>;
}

/**
 * Reports allowed requests' usage to the sidecar's UsageService in batches (one ReportBatch per `flushMs` or
 * `maxBatch` events), off the request path. Each event gets its ULID here, so a retried batch cannot double-count,
 * and is encoded as it is added (ReportBatchWriter), so a flush only hands bytes over.
 * A sidecar without UsageService (UNIMPLEMENTED) is tolerated: a warning a minute and a metric, never a failed request.
 */
export class UsageReporter {
  private batch = new ReportBatchWriter();
  private timer?: NodeJS.Timeout;
  private inFlight = new Set<Promise<void>>();
  private lastWarning = 0;
  private readonly newEventId = ulidFactory();

  constructor(
    private readonly sink: UsageSink,
    private readonly serviceId: string,
    private readonly logger: Logger,
    private readonly failures: Counter<'code'>,
    private readonly reported: Counter,
    private readonly flushMs = 20,
    private readonly maxBatch = 500,
  ) {}

  add(record: UsageRecord, now: Date): void {
    this.batch.add({
      eventId: this.newEventId(now.getTime()),
      tenantId: record.tenantId,
      serviceId: this.serviceId,
      featureId: record.featureId,
      quantity: String(record.quantity),
      timestamp: now.toISOString(),
      attributes: record.attributes,
    });
    if (this.batch.size >= this.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  /** Sends what is queued and waits for every batch in flight. */
  async drain(): Promise<void> {
    this.flush();
    await Promise.all([...this.inFlight]);
  }

  close(): void {
    clearTimeout(this.timer);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.batch.size;
    if (events === 0) return;
    const sent = this.send(this.batch.take(), events).finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }

  private async send(request: Buffer, events: number): Promise<void> {
    let res: ReportBatchResponse__Output;
    try {
      res = await this.sink.reportUsage(request);
    } catch (err) {
      const code = err instanceof GrpcCallError ? err.code : status.UNKNOWN;
      this.failures.inc({ code: status[code] ?? String(code) }, events);
      this.warn(code === status.UNIMPLEMENTED ? 'the sidecar does not serve UsageService yet; usage is not reported' : 'usage report failed', err);
      return;
    }
    this.reported.inc(res.accepted);
    if (res.rejected > 0) {
      this.failures.inc({ code: 'REJECTED' }, res.rejected);
      const first = res.results.find((r) => !r.accepted);
      this.warn('the sidecar rejected usage events', first?.error);
    }
  }

  private warn(message: string, detail: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < 60_000) return;
    this.lastWarning = now;
    this.logger.warn({ detail }, message);
  }
}
