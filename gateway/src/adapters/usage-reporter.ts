import * as grpc from '@grpc/grpc-js';
import type { Counter } from 'prom-client';
import type { Logger } from '../../../common/log.js';
import { loadUsageProto } from '../../../common/proto.js';
import { ulidFactory } from '../../../common/ulid.js';
import type { UsageEvent } from '../../../proto/gen/tollgate/v1/UsageEvent.js';
import type { UsageServiceClient } from '../../../proto/gen/tollgate/v1/UsageService.js';

export interface UsageRecord {
  tenantId: string;
  featureId: string;
  /** Whole units, as a decimal string on the wire. */
  quantity: number;
  attributes: Record<string, string>;
}

/**
 * Reports allowed requests' usage to the sidecar's UsageService in batches (one ReportBatch per `flushMs` or
 * `maxBatch` events), off the request path. Each event gets its ULID here, so a retried batch cannot double-count.
 * A sidecar without UsageService (UNIMPLEMENTED) is tolerated: a warning a minute and a metric, never a failed request.
 */
export class UsageReporter {
  private readonly client: UsageServiceClient;
  private queue: UsageEvent[] = [];
  private timer?: NodeJS.Timeout;
  private inFlight = new Set<Promise<void>>();
  private lastWarning = 0;
  private readonly newEventId = ulidFactory();

  constructor(
    target: string,
    private readonly serviceId: string,
    private readonly logger: Logger,
    private readonly failures: Counter<'code'>,
    private readonly reported: Counter,
    private readonly flushMs = 20,
    private readonly maxBatch = 500,
  ) {
    const { proto } = loadUsageProto();
    this.client = new proto.tollgate.v1.UsageService(target, grpc.credentials.createInsecure());
  }

  add(record: UsageRecord, now: Date): void {
    this.queue.push({
      eventId: this.newEventId(now.getTime()),
      tenantId: record.tenantId,
      serviceId: this.serviceId,
      featureId: record.featureId,
      quantity: String(record.quantity),
      timestamp: now.toISOString(),
      attributes: record.attributes,
    });
    if (this.queue.length >= this.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  /** Sends what is queued and waits for every batch in flight. */
  async drain(): Promise<void> {
    this.flush();
    await Promise.all([...this.inFlight]);
  }

  close(): void {
    clearTimeout(this.timer);
    this.client.close();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const events = this.queue;
    this.queue = [];
    const sent = this.send(events).finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }

  private send(events: UsageEvent[]): Promise<void> {
    return new Promise((resolve) => {
      this.client.reportBatch({ events }, { deadline: new Date(Date.now() + 5_000) }, (err, res) => {
        if (err) {
          this.failures.inc({ code: grpc.status[err.code] ?? String(err.code) }, events.length);
          this.warn(err.code === grpc.status.UNIMPLEMENTED ? 'the sidecar does not serve UsageService yet; usage is not reported' : 'usage report failed', err);
        } else {
          this.reported.inc(res!.accepted);
          if (res!.rejected > 0) {
            this.failures.inc({ code: 'REJECTED' }, res!.rejected);
            const first = res!.results.find((r) => !r.accepted);
            this.warn('the sidecar rejected usage events', first?.error);
          }
        }
        resolve();
      });
    });
  }

  private warn(message: string, detail: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < 60_000) return;
    this.lastWarning = now;
    this.logger.warn({ detail }, message);
  }
}
