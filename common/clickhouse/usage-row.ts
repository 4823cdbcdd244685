import { epochMsDateTimeText, tsvField, tsvStringArray } from './sql-text.js';
import { USAGE_EVENTS_COLUMNS } from './migrations.js';

export type CorrectionKind = '' | 'void' | 'amend';

/** A validated usage event as stored: one row of usage_events. */
export interface UsageRow {
  eventId: string;
  tenantId: string;
  serviceId: string;
  featureId: string;
  /** Canonical decimal text (see parseQuantity). */
  quantity: string;
  eventTimeMs: number;
  attributes: Record<string, string>;
  correction: CorrectionKind;
  correctsEventId: string;
  receivedAtMs: number;
}

export const USAGE_ROW_COLUMNS: readonly string[] = USAGE_EVENTS_COLUMNS;

/**
 * The row as one line of TabSeparated input for USAGE_ROW_COLUMNS, "\n" included. Arrays go in their quoted text
 * form, which TabSeparated takes as is (no second escaping).
 */
export function usageRowTsv(row: UsageRow): string {
  const keys = Object.keys(row.attributes);
  const attributes = keys.length === 0 ? '[]\t[]' : `${tsvStringArray(keys)}\t${tsvStringArray(keys.map((k) => row.attributes[k]))}`;
  return `${tsvField(row.tenantId)}\t${tsvField(row.featureId)}\t${epochMsDateTimeText(row.eventTimeMs)}\t${row.eventTimeMs % 1000}\t${tsvField(row.eventId)}\t${tsvField(row.serviceId)}\t${row.quantity}\t${attributes}\t${row.correction}\t${tsvField(row.correctsEventId)}\t${epochMsDateTimeText(row.receivedAtMs)}\n`;
}
