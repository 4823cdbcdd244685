import { Writer } from '../../../common/protowire.js';

/** One usage event as a reporter sends it (the gateway, the ingest bench): the fields of tollgate.v1.UsageEvent it sets. */
export interface ReportedUsageEvent {
  eventId: string;
  tenantId: string;
  serviceId: string;
  featureId: string;
  /** Exact decimal text. */
  quantity: string;
  /** RFC 3339 UTC. */
  timestamp: string;
  attributes: Record<string, string>;
}

const EVENTS = (1 << 3) | 2;
const EVENT_ID = (1 << 3) | 2;
const TENANT_ID = (2 << 3) | 2;
const SERVICE_ID = (3 << 3) | 2;
const FEATURE_ID = (4 << 3) | 2;
const QUANTITY = (5 << 3) | 2;
const TIMESTAMP = (6 << 3) | 2;
const ATTRIBUTES = (7 << 3) | 2;
const MAP_KEY = (1 << 3) | 2;
const MAP_VALUE = (2 << 3) | 2;

/**
 * A ReportBatchRequest written one event at a time, as requests are proxied, so that a flush hands over bytes that
 * are ready. Building UsageEvent objects and serialising them with protobufjs at flush time cost ~10 µs an event here,
 * all of it in one go on the event loop every flush, in front of the requests in flight.
 */
export class ReportBatchWriter {
  private readonly writer = new Writer(16 * 1024);
  private events = 0;

  get size(): number {
    return this.events;
  }

  add(event: ReportedUsageEvent): void {
    const w = this.writer;
    w.nested(EVENTS, () => {
      w.string(EVENT_ID, event.eventId);
      w.string(TENANT_ID, event.tenantId);
      w.string(SERVICE_ID, event.serviceId);
      w.string(FEATURE_ID, event.featureId);
      w.string(QUANTITY, event.quantity);
      w.string(TIMESTAMP, event.timestamp);
      for (const key in event.attributes) {
        const value = event.attributes[key];
        w.nested(ATTRIBUTES, () => {
          w.string(MAP_KEY, key);
          w.string(MAP_VALUE, value);
        });
      }
    });
    this.events++;
  }

  /** The request's bytes (a copy), and an empty batch to write the next one. */
  take(): Buffer {
    const bytes = Buffer.from(this.writer.finish());
    this.writer.pos = 0;
    this.events = 0;
    return bytes;
  }
}
