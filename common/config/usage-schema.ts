import { z } from 'zod';

const positiveInt = z.number().int('must be a whole number').positive('must be greater than 0');
const nonNegativeInt = z.number().int('must be a whole number').nonnegative('must be 0 or more');

/** The sidecar's local, durable spool: events are acknowledged only once they are fsynced here. */
export const spoolSchema = z
  .object({
    /** Directory of the spool's segment files; default `<data_dir>/spool`. One sidecar process per directory. */
    dir: z.string().min(1).optional(),
    /** Total bytes of unshipped segments; beyond this, reports are refused with RESOURCE_EXHAUSTED. */
    max_bytes: positiveInt.default(1024 * 1024 * 1024),
    /** A segment is closed and a new one started past this size; segments are deleted whole once shipped. */
    segment_bytes: positiveInt.default(64 * 1024 * 1024),
    /** Group commit: appends arriving within this window share one fsync. 0 = fsync as soon as the previous one ends. */
    fsync_interval_ms: nonNegativeInt.max(1000).default(2),
    /**
     * Recent durable records are also kept in memory, up to this many payload bytes, so that a shipper keeping up
     * sends them without reading them back from disk. 0 = the shipper always reads the files.
     */
    memory_bytes: nonNegativeInt.default(64 * 1024 * 1024),
  })
  .strict();

/** Moves spooled events to ClickHouse. */
export const shipperSchema = z
  .object({
    /** A batch is sent when it reaches this many events... */
    batch_events: positiveInt.default(50_000),
    /** ...or when its oldest event has waited this long. */
    batch_interval_ms: positiveInt.default(500),
    /**
     * Batches in flight to a ClickHouse server at once; they are formed and released in order either way. The
     * embedded engine (chdb) always takes one at a time.
     */
    concurrency: positiveInt.max(16).default(2),
    /** Backoff while ClickHouse is unreachable: from min, doubling, up to max, each with full jitter. */
    retry_min_ms: positiveInt.default(100),
    retry_max_ms: positiveInt.default(30_000),
    /** How often the dashboard rollup (usage_minutely, usage_hourly) is recomputed for the minutes shipped batches touched. */
    rollup_refresh_ms: positiveInt.default(5_000),
    /** Per-insert request timeout. */
    request_timeout_ms: positiveInt.default(30_000),
  })
  .strict()
  .refine((s) => s.retry_min_ms <= s.retry_max_ms, { message: 'retry_min_ms must not exceed retry_max_ms', path: ['retry_min_ms'] });

/**
 * Where usage is stored. With a `url` (or the CLICKHOUSE_URL environment variable, which wins), a ClickHouse server;
 * without, the embedded engine of the `chdb` package in `embedded_path` — same schema, same SQL.
 */
export const clickhouseSchema = z
  .object({
    url: z.string().url('must be an http(s) URL such as http://127.0.0.1:8123').optional(),
    database: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a ClickHouse identifier (letters, digits, _; not starting with a digit)')
      .default('tollgate'),
    /** Server user; the password comes from CLICKHOUSE_PASSWORD only, never from the file. */
    username: z.string().min(1).default('default'),
    /** Embedded store directory; default `<data_dir>/chdb`. */
    embedded_path: z.string().min(1).optional(),
  })
  .strict();

/** `usage:` section — owned by the usage ingestion component. */
export const usageSchema = z
  .object({
    spool: spoolSchema.default(spoolSchema.parse({})),
    shipper: shipperSchema.default(shipperSchema.parse({})),
    clickhouse: clickhouseSchema.default(clickhouseSchema.parse({})),
    /** Apply ClickHouse migrations when the sidecar starts (as `tollgate migrate` does). */
    migrate_at_start: z.boolean().default(true),
    /** Events older than this many days are refused (late corrections included). */
    backdate_days: positiveInt.max(3650).default(35),
    /** Events timestamped further ahead of the sidecar's clock than this are refused. */
    max_future_ms: nonNegativeInt.default(5 * 60_000),
    max_batch_events: positiveInt.max(1_000_000).default(10_000),
    /** Bytes of a CloudEvents HTTP request body. */
    max_http_body_bytes: positiveInt.default(16 * 1024 * 1024),
    max_attributes: nonNegativeInt.max(1024).default(32),
    max_attribute_key_length: positiveInt.max(1024).default(64),
    max_attribute_value_length: positiveInt.max(65_536).default(256),
  })
  .strict();

export type UsageConfig = z.infer<typeof usageSchema>;
export type SpoolConfig = z.infer<typeof spoolSchema>;
export type ShipperConfig = z.infer<typeof shipperSchema>;
export type ClickHouseConfig = z.infer<typeof clickhouseSchema>;
