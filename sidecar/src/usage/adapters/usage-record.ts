/**
 * The payload of one spool record: the TabSeparated rows of one acknowledged append, preceded by a summary of what
 * they touch, so the shipper and the rollup never parse rows.
 *
 *   payload := u32le summary_length · summary (JSON) · rows (TabSeparated, USAGE_ROW_COLUMNS order)
 */
export interface RecordSummary {
  /** [tenant, feature, hour start (epoch ms)] of the originals. */
  hours: Array<[string, string, number]>;
  /**
   * [tenant, feature, minute start (epoch ms)] of the originals, so the rollup recomputes only those minutes. Absent
   * from records written before 2026-11-22: the rollup then recomputes each of their hours whole.
   */
  minutes?: Array<[string, string, number]>;
  /** [tenant, feature, corrected event id] of the corrections. */
  corrections: Array<[string, string, string]>;
}

export function encodeUsageRecord(rows: string, summary: RecordSummary): Buffer {
  const summaryText = JSON.stringify(summary);
  // UTF-8 takes at most 3 bytes per UTF-16 unit: write once into a buffer that surely fits, then trim.
  const payload = Buffer.allocUnsafe(4 + 3 * (summaryText.length + rows.length));
  const summaryBytes = payload.write(summaryText, 4, 'utf8');
  payload.writeUInt32LE(summaryBytes, 0);
  const rowBytes = payload.write(rows, 4 + summaryBytes, 'utf8');
  return payload.subarray(0, 4 + summaryBytes + rowBytes);
}

/** The same payload as parts: the length-prefixed summary, then the rows as they are (not copied). */
export function usageRecordParts(rows: Buffer, summary: RecordSummary): Buffer[] {
  const summaryText = JSON.stringify(summary);
  const head = Buffer.allocUnsafe(4 + 3 * summaryText.length);
  const summaryBytes = head.write(summaryText, 4, 'utf8');
  head.writeUInt32LE(summaryBytes, 0);
  return [head.subarray(0, 4 + summaryBytes), rows];
}

/** A payload as one buffer, or as the parts it was appended in (usageRecordParts's are not joined). */
export function decodeUsageRecord(parts: Buffer | readonly Buffer[]): { rows: Buffer; summary: RecordSummary } {
  if (!Buffer.isBuffer(parts)) {
    const head = parts[0];
    if (parts.length === 2 && head.length >= 4 && head.readUInt32LE(0) === head.length - 4) {
      return { summary: JSON.parse(head.toString('utf8', 4)) as RecordSummary, rows: parts[1] };
    }
    return decodeUsageRecord(parts.length === 1 ? parts[0] : Buffer.concat(parts));
  }
  const payload = parts;
  const summaryBytes = payload.readUInt32LE(0);
  return {
    summary: JSON.parse(payload.toString('utf8', 4, 4 + summaryBytes)) as RecordSummary,
    rows: payload.subarray(4 + summaryBytes),
  };
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** Collects a summary while rows are added. */
export class SummaryBuilder {
  private readonly hours = new Map<string, [string, string, number]>();
  private readonly minutes = new Map<string, [string, string, number]>();
  private readonly corrections: Array<[string, string, string]> = [];

  add(tenantId: string, featureId: string, eventTimeMs: number, correctsEventId: string): void {
    if (correctsEventId) {
      this.corrections.push([tenantId, featureId, correctsEventId]);
      return;
    }
    const minute = eventTimeMs - (eventTimeMs % MINUTE_MS);
    const minuteKey = `${tenantId}\t${featureId}\t${minute}`;
    if (this.minutes.has(minuteKey)) return;
    this.minutes.set(minuteKey, [tenantId, featureId, minute]);
    const hour = eventTimeMs - (eventTimeMs % HOUR_MS);
    const key = `${tenantId}\t${featureId}\t${hour}`;
    if (!this.hours.has(key)) this.hours.set(key, [tenantId, featureId, hour]);
  }

  build(): RecordSummary {
    return { hours: [...this.hours.values()], minutes: [...this.minutes.values()], corrections: this.corrections };
  }
}
