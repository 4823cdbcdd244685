import { z } from 'zod';

export const idSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'may contain only letters, digits and . _ : - and must start with a letter or digit');

const positiveInt = z.number().int('must be a whole number').positive('must be greater than 0');

/** A token bucket: `burst` tokens at most, refilled at N tokens per second, minute or hour. */
export const rateLimitSchema = z
  .object({
    per_second: positiveInt.optional(),
    per_minute: positiveInt.optional(),
    per_hour: positiveInt.optional(),
    burst: positiveInt.optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    const given = (['per_second', 'per_minute', 'per_hour'] as const).filter((k) => value[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of per_second, per_minute, per_hour' });
      return;
    }
    // Buckets count tokens × interval in microseconds as exact integers (see sidecar/lua/lib/bucket.lua).
    const intervalUs = { per_second: 1e6, per_minute: 6e7, per_hour: 3.6e9 }[given[0]];
    const burst = value.burst ?? value[given[0]]!;
    if (burst * intervalUs > Number.MAX_SAFE_INTEGER) {
      ctx.addIssue({ code: 'custom', message: `burst × interval must stay below 2^53 for exact arithmetic: use at most ${Math.floor(Number.MAX_SAFE_INTEGER / intervalUs)} with ${given[0]}` });
    }
  });

export const quotaSchema = z
  .object({
    limit: z.number().int('must be a whole number').nonnegative('must be 0 or more'),
    period: z.enum(['day', 'month']),
    enforcement: z.enum(['hard', 'soft']).default('hard'),
  })
  .strict();

export const featureSchema = z
  .object({
    id: idSchema,
    rate_limit: rateLimitSchema.optional(),
    quota: quotaSchema.optional(),
    on_store_failure: z.enum(['open', 'closed']).default('open'),
    /** Usage reported for this feature is checked against (and counted into) its period quota. */
    enforce_on_report: z.boolean().default(false),
    /** Decide and record, but always allow (Envoy rate-limit shadow mode). */
    shadow: z.boolean().default(false),
  })
  .strict();

export type FeatureConfig = z.infer<typeof featureSchema>;
export type RateLimitConfig = z.infer<typeof rateLimitSchema>;
export type QuotaConfig = z.infer<typeof quotaSchema>;
