import { z } from 'zod';
import { Decimal } from 'decimal.js';

const hostPort = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be HOST:PORT');

/** `ledger:` section — owned by the ledger service. `DATABASE_URL` and `TOLLGATE_OPERATOR_TOKEN` override the file. */
export const ledgerSchema = z
  .object({
    database: z
      .object({
        /** Postgres URL; without one (and without DATABASE_URL) the ledger runs on embedded PGlite. */
        url: z.string().optional(),
        /** Directory of the embedded PGlite database; default `<data_dir>/ledger-pglite`. */
        embedded_path: z.string().optional(),
        /** The role the service acts as (SET ROLE): it may INSERT and SELECT ledger rows, never UPDATE/DELETE/TRUNCATE. */
        service_role: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lowercase SQL identifier').default('tollgate_service'),
        pool_size: z.number().int().positive().max(100).default(10),
      })
      .strict()
      .default({ service_role: 'tollgate_service', pool_size: 10 }),
    /** Bearer token for the admin HTTP and gRPC APIs; TOLLGATE_OPERATOR_TOKEN overrides it. */
    operator_token: z.string().min(16, 'must be at least 16 characters').optional(),
    grpc: hostPort.default('127.0.0.1:50061'),
    http: hostPort.default('127.0.0.1:9470'),
    rating: z
      .object({
        enabled: z.boolean().default(true),
        /** An hour is rated once it ended this long ago; later events become adjustments. */
        grace_period_minutes: z.number().int().nonnegative().default(15),
        /** How far back each run re-reads usage to catch late events and corrections. */
        restate_days: z.number().int().positive().max(400).default(35),
        interval_ms: z.number().int().positive().default(60_000),
      })
      .strict()
      .default({ enabled: true, grace_period_minutes: 15, restate_days: 35, interval_ms: 60_000 }),
    /** Finalize each subscription's invoice once its period ended and the grace period passed. */
    auto_finalize: z.boolean().default(true),
    /** Safety net behind publish-on-change: every tenant's snapshot is republished this often. */
    snapshot_republish_ms: z.number().int().positive().default(60_000),
  })
  .strict();
export type LedgerConfig = z.infer<typeof ledgerSchema>;

const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * An exact amount or quantity. YAML floats are binary and inexact, so only quoted strings (or whole numbers)
 * are accepted.
 */
export const decimalString = z.preprocess(
  (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v),
  z
    .string({ error: 'must be a quoted decimal string such as "0.002" (YAML floats are inexact)' })
    .refine((s) => !/^\s*-/.test(s), 'must not be negative')
    .refine((s) => /^\s*-/.test(s) || DECIMAL.test(s), 'must be a decimal number such as "12" or "0.002"'),
);

const positiveDecimal = decimalString.refine((s) => !DECIMAL.test(s) || new Decimal(s).gt(0), 'must be greater than 0');

const tierSchema = z
  .object({
    /** Upper bound of the tier, inclusive; omitted (or null) on the last tier, which is unbounded. */
    up_to: positiveDecimal.nullish(),
    unit_price: decimalString,
    /** Charged once when usage enters the tier. */
    flat_price: decimalString.optional(),
  })
  .strict();

function refineTiers(tiers: Array<z.infer<typeof tierSchema>>, ctx: z.RefinementCtx): void {
  let previous: Decimal | undefined;
  tiers.forEach((tier, i) => {
    const last = i === tiers.length - 1;
    if (tier.up_to == null) {
      if (!last) ctx.addIssue({ code: 'custom', path: ['tiers', i, 'up_to'], message: 'only the last tier may be unbounded' });
      return;
    }
    if (last) {
      ctx.addIssue({ code: 'custom', path: ['tiers', i, 'up_to'], message: 'the last tier must be unbounded (omit up_to), or usage beyond it cannot be rated' });
    }
    if (!DECIMAL.test(tier.up_to)) return;
    const upTo = new Decimal(tier.up_to);
    if (previous && upTo.lte(previous)) {
      ctx.addIssue({
        code: 'custom',
        path: ['tiers', i, 'up_to'],
        message: `tiers overlap or are out of order: up_to ${tier.up_to} must be greater than the previous tier's ${previous.toFixed()}`,
      });
    }
    previous = upTo;
  });
}

const tiersSchema = z.array(tierSchema).min(1, 'needs at least one tier');

export const priceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('per_unit'), feature: z.string(), unit_price: decimalString }).strict(),
  z
    .object({ type: z.literal('graduated'), feature: z.string(), tiers: tiersSchema })
    .strict()
    .superRefine((p, ctx) => refineTiers(p.tiers, ctx)),
  z
    .object({ type: z.literal('volume'), feature: z.string(), tiers: tiersSchema })
    .strict()
    .superRefine((p, ctx) => refineTiers(p.tiers, ctx)),
  /** Every started block of `package_size` units costs `package_price` (rounded up). */
  z.object({ type: z.literal('package'), feature: z.string(), package_size: positiveDecimal, package_price: decimalString }).strict(),
  /** The first `included` units of each period are free, the rest cost `unit_price` each. */
  z.object({ type: z.literal('overage'), feature: z.string(), included: decimalString, unit_price: decimalString }).strict(),
  /** A fixed fee charged in advance at the start of each month (billing period) or year. */
  z.object({ type: z.literal('flat'), amount: decimalString, interval: z.enum(['month', 'year']), description: z.string().optional() }).strict(),
]);
export type PriceConfig = z.infer<typeof priceSchema>;
export type UsagePriceConfig = Exclude<PriceConfig, { type: 'flat' }>;

const isoInstant = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 date or UTC instant, e.g. "2026-01-01" or "2026-01-01T00:00:00Z"');

const pricedVersion = {
  version: z.number().int().positive(),
  effective_from: isoInstant.optional(),
  prices: z.array(priceSchema).default([]),
  /** Per billing period: when charges fall short, the difference is invoiced as a shortfall line. */
  minimum_commitment: decimalString.optional(),
};

export const planVersionSchema = z.object(pricedVersion).strict();
export type PlanVersionConfig = z.infer<typeof planVersionSchema>;

/** Extra keys a plan may carry for pricing. The prices in force are the plan's own; earlier ones are kept for rating the past. */
export const planPricingSchema = z.object({
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "USD"').default('USD'),
  ...pricedVersion,
  version: pricedVersion.version.default(1),
  previous_versions: z.array(planVersionSchema).default([]),
});
export type PlanPricingConfig = z.infer<typeof planPricingSchema>;

/**
 * Cross-key checks a plan's pricing needs (call from the plan schema's superRefine): prices only for the plan's
 * features, one price per feature, versions and effective dates strictly increasing.
 */
export function refinePlanPricing(plan: PlanPricingConfig & { features: Array<{ id: string }> }, ctx: z.RefinementCtx): void {
  const features = new Set(plan.features.map((f) => f.id));
  const checkPrices = (prices: PriceConfig[], path: PropertyKey[]) => {
    const priced = new Set<string>();
    prices.forEach((price, i) => {
      if (price.type === 'flat') return;
      if (!features.has(price.feature)) {
        const known = [...features].join(', ') || 'none';
        ctx.addIssue({ code: 'custom', path: [...path, i, 'feature'], message: `unknown feature "${price.feature}": the plan's features are ${known}` });
      }
      if (priced.has(price.feature)) {
        ctx.addIssue({ code: 'custom', path: [...path, i, 'feature'], message: `feature "${price.feature}" already has a price in this version` });
      }
      priced.add(price.feature);
    });
  };
  checkPrices(plan.prices, ['prices']);
  plan.previous_versions.forEach((v, i) => checkPrices(v.prices, ['previous_versions', i, 'prices']));
  const versions = [...plan.previous_versions.map((v, i) => ({ ...v, path: ['previous_versions', i] as PropertyKey[] })), { ...plan, path: [] as PropertyKey[] }];
  for (let i = 1; i < versions.length; i++) {
    const [before, after] = [versions[i - 1], versions[i]];
    if (after.version <= before.version) {
      ctx.addIssue({ code: 'custom', path: [...after.path, 'version'], message: `versions must increase: ${after.version} follows ${before.version}` });
    }
    if (!after.effective_from) {
      ctx.addIssue({ code: 'custom', path: [...after.path, 'effective_from'], message: 'required when an earlier version exists' });
    } else if (before.effective_from && Date.parse(after.effective_from) <= Date.parse(before.effective_from)) {
      ctx.addIssue({
        code: 'custom',
        path: [...after.path, 'effective_from'],
        message: `must be later than version ${before.version}'s effective_from ${before.effective_from}`,
      });
    }
  }
}
