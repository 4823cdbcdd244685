import { sqlString } from './sql-text.js';

/**
 * The one definition of "what counts", shared by GetUsage, the ledger's hourly reader and the dashboard rollup.
 *
 * Rows are grouped by subject: an event's own id, or for a correction the id it corrects. Within a subject:
 *  - the original counts once however often it was stored (first received wins if a client reused an id);
 *  - the correction with the greatest event_id (ULIDs sort by time) decides: void → it no longer counts,
 *    amend → it counts with the amendment's quantity;
 *  - a correction without its original (yet) counts for nothing.
 * The original's timestamp places the subject in time. Corrections are matched from `fromMs` on with no upper bound,
 * because a correction is reported at or after the event it corrects.
 */
export interface UsageScope {
  fromMs: number;
  toMs: number;
  tenantId?: string;
  featureId?: string;
}

const EVENT_MS = '(toUInt64(event_time) * 1000 + event_ms)';

function scopeFilter(scope: UsageScope): string {
  const fromSeconds = Math.floor(scope.fromMs / 1000);
  const toSeconds = Math.ceil(scope.toMs / 1000);
  // Bounds on the sort key's event_time first, so ClickHouse reads only the needed granules. A bound on a whole second
  // (an hour, a day, a month: what GetUsage, rating and invoices ask) is exact on event_time alone, since event_ms is
  // 0-999; only a bound inside a second needs the milliseconds, which cost a computed column per row (~20 % of a total).
  const from = scope.fromMs % 1000 === 0 ? `event_time >= toDateTime(${fromSeconds})` : `event_time >= toDateTime(${fromSeconds}) AND ${EVENT_MS} >= ${scope.fromMs}`;
  const to = scope.toMs % 1000 === 0 ? `event_time < toDateTime(${toSeconds})` : `event_time <= toDateTime(${toSeconds}) AND ${EVENT_MS} < ${scope.toMs}`;
  const parts = [from, `(correction != '' OR (${to}))`];
  if (scope.tenantId !== undefined) parts.unshift(`tenant_id = ${sqlString(scope.tenantId)}`);
  if (scope.featureId !== undefined) parts.splice(1, 0, `feature_id = ${sqlString(scope.featureId)}`);
  return parts.join(' AND ');
}

/** One row per subject that counts: tenant_id, feature_id, bucket start (`bucket_start`, epoch seconds), counted quantity. */
export function countedSubjectsSql(database: string, scope: UsageScope, bucket: 'hour' | 'minute' = 'hour'): string {
  const startOf = bucket === 'hour' ? 'toStartOfHour' : 'toStartOfMinute';
  return `SELECT
      tenant_id,
      feature_id,
      toUInt32(${startOf}(argMinIf(event_time, received_at, correction = ''))) AS bucket_start,
      if(countIf(correction != '') > 0, argMaxIf(quantity, event_id, correction != ''), argMinIf(quantity, received_at, correction = '')) AS counted_quantity
    FROM ${database}.usage_events
    WHERE ${scopeFilter(scope)}
    GROUP BY tenant_id, feature_id, if(correction = '', event_id, corrects_event_id)
    HAVING countIf(correction = '') > 0 AND NOT (countIf(correction != '') > 0 AND argMaxIf(correction, event_id, correction != '') = 'void')`;
}

/** Columns: quantity, events. */
export function totalSql(database: string, scope: UsageScope): string {
  return `SELECT sum(counted_quantity), count() FROM (${countedSubjectsSql(database, scope)})`;
}

/**
 * Columns: corrections in the scope (those totalSql would look at), originals, distinct hashes of original event ids,
 * and the originals' summed quantity. In one pass, and without an aggregate state per event: when there is no
 * correction and as many distinct id hashes as originals, every id is distinct, and that sum and count are the total
 * (each event once, none corrected); otherwise a deduplicating query decides. Hashes can only make the distinct count
 * smaller (two ids, one hash), never larger, so a collision costs the deduplicating query, never a wrong total. A set
 * of ids costs ClickHouse about half of grouping them with their quantities (GetUsage over 50,000 events: ~10 against
 * ~25 ms), and a set of their 64-bit hashes about three quarters of a set of the ids: uniqExact keeps a 128-bit hash
 * per string (ten such totals over 500,000 events: ~115 against ~150 ms of ClickHouse CPU, 18.16).
 */
export function plainTotalSql(database: string, scope: UsageScope): string {
  return `SELECT countIf(correction != ''), countIf(correction = ''), uniqExactIf(cityHash64(event_id), correction = ''), sumIf(quantity, correction = '')
    FROM ${database}.usage_events
    WHERE ${scopeFilter(scope)}`;
}

/**
 * totalSql for a scope without corrections (plainTotalSql's first column 0), where it reduces to: each event id once,
 * first received wins. About half the cost of the general query (one aggregate per subject instead of six), which
 * matters because every GetUsage runs it over the whole range.
 */
export function originalsTotalSql(database: string, scope: UsageScope): string {
  return `SELECT sum(counted_quantity), count() FROM (
    SELECT argMin(quantity, received_at) AS counted_quantity
    FROM ${database}.usage_events
    WHERE ${scopeFilter(scope)} AND correction = ''
    GROUP BY tenant_id, feature_id, event_id)`;
}

/** Columns: tenant_id, feature_id, hour (epoch seconds), quantity, events; ordered by tenant, feature, hour. */
export function hourlySql(database: string, scope: UsageScope): string {
  return bucketedSql(database, scope, 'hour');
}

/** Columns: tenant_id, feature_id, minute (epoch seconds), quantity, events; ordered by tenant, feature, minute. */
export function minutelySql(database: string, scope: UsageScope): string {
  return bucketedSql(database, scope, 'minute');
}

function bucketedSql(database: string, scope: UsageScope, bucket: 'hour' | 'minute'): string {
  return `SELECT tenant_id, feature_id, bucket_start, sum(counted_quantity), count()
    FROM (${countedSubjectsSql(database, scope, bucket)})
    GROUP BY tenant_id, feature_id, bucket_start
    ORDER BY tenant_id, feature_id, bucket_start`;
}

/** Columns: quantity, events — one (tenant, feature, hour) summed from the newest computation of each of its minutes. */
export function hourFromMinutesSql(database: string, tenantId: string, featureId: string, hourMs: number): string {
  const from = Math.floor(hourMs / 1000);
  return `SELECT sum(q), sum(e) FROM (
      SELECT minute, argMax(quantity, computed_at_ms) AS q, argMax(events, computed_at_ms) AS e
      FROM ${database}.usage_minutely
      WHERE tenant_id = ${sqlString(tenantId)} AND feature_id = ${sqlString(featureId)} AND minute >= toDateTime(${from}) AND minute < toDateTime(${from + 3600})
      GROUP BY minute)`;
}

/** Columns as hourlySql, from the dashboard rollup (newest computation of each hour). */
export function rollupSql(database: string, scope: UsageScope): string {
  const filter = [
    `hour >= toDateTime(${Math.floor(scope.fromMs / 1000)})`,
    `hour < toDateTime(${Math.ceil(scope.toMs / 1000)})`,
    ...(scope.tenantId !== undefined ? [`tenant_id = ${sqlString(scope.tenantId)}`] : []),
    ...(scope.featureId !== undefined ? [`feature_id = ${sqlString(scope.featureId)}`] : []),
  ].join(' AND ');
  return `SELECT tenant_id, feature_id, toUInt32(hour) AS hour_start, argMax(quantity, computed_at_ms), argMax(events, computed_at_ms)
    FROM ${database}.usage_hourly
    WHERE ${filter}
    GROUP BY tenant_id, feature_id, hour_start
    HAVING argMax(events, computed_at_ms) > 0
    ORDER BY tenant_id, feature_id, hour_start`;
}
