import { z } from 'zod';
import { featureSchema, idSchema } from './feature-schema.js';
import { usageSchema } from './usage-schema.js';
import { ledgerSchema, planPricingSchema, refinePlanPricing } from './ledger-schema.js';
import { edgeSchema } from './edge-schema.js';

export const subscriptionStatuses = ['trialing', 'active', 'past_due', 'suspended', 'canceled'] as const;
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

const hostPort = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be HOST:PORT');

export const planSchema = z
  .object({
    id: idSchema,
    features: z.array(featureSchema).default([]),
  })
  .extend(planPricingSchema.shape)
  .strict()
  .superRefine((plan, ctx) => {
    const seen = new Set<string>();
    plan.features.forEach((f, i) => {
      if (seen.has(f.id)) ctx.addIssue({ code: 'custom', path: ['features', i, 'id'], message: `duplicate feature id "${f.id}"` });
      seen.add(f.id);
    });
    refinePlanPricing(plan, ctx);
  });

export const apiKeyEntrySchema = z
  .object({
    /** The key's public id, the `<id>` of `tg_live_<id>_<secret>`. */
    id: z.string().regex(/^[A-Za-z0-9]{4,64}$/, 'must be 4-64 letters or digits'),
    /** Hex SHA-256 of the whole key; the key itself is never stored. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (SHA-256 of the key)'),
  })
  .strict();

export const tenantSchema = z
  .object({
    id: idSchema,
    plan: idSchema,
    status: z.enum(subscriptionStatuses).default('active'),
    api_keys: z.array(apiKeyEntrySchema).default([]),
  })
  .strict();

export const sidecarSchema = z
  .object({
    grpc: hostPort.default('127.0.0.1:50051'),
    socket: z.string().optional(),
    http: hostPort.default('127.0.0.1:9464'),
    /** Serve hot keys from blocks of tokens leased from Redis. */
    leases: z
      .object({
        enabled: z.boolean().default(true),
        /** A key becomes hot at this many decisions within one lease window (ttl_ms). */
        hot_after: z.number().int().positive().default(8),
        /** Largest block of tokens one lease takes; bounds over-admission per sidecar and key. */
        max_tokens: z.number().int().positive().default(64),
        /** A lease's unused tokens are returned after this long; also the window in which demand is measured. */
        ttl_ms: z.number().int().positive().max(10_000).default(1000),
      })
      .strict()
      .default({ enabled: true, hot_after: 8, max_tokens: 64, ttl_ms: 1000 }),
    /** Concurrent checks on one key share one Redis script call. */
    coalesce: z.boolean().default(true),
    reservation_ttl_ms: z.number().int().positive().default(60_000),
    /** Full re-read of all snapshots as a safety net behind pub/sub invalidation. */
    snapshot_refresh_ms: z.number().int().positive().default(30_000),
    shutdown_grace_ms: z.number().int().positive().default(10_000),
    /** Who may call the sidecar's gRPC and HTTP APIs. */
    auth: z
      .object({
        /** Services that may act for any tenant: `authorization: Bearer <token>`; only the SHA-256 is stored here. */
        service_tokens: z.array(z.object({ id: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (SHA-256 of the token)') }).strict()).default([]),
        /**
         * Calls without credentials over the unix socket or loopback TCP are trusted: the host is the boundary, as for
         * any sidecar. Set false to require a service token or tenant API key on every call.
         */
        trust_local: z.boolean().default(true),
      })
      .strict()
      .default({ service_tokens: [], trust_local: true }),
  })
  .strict();

export const redisSchema = z
  .object({
    url: z.string().optional(),
    /** Every Redis call on the decision path gives up after this long; a check never hangs. */
    command_timeout_ms: z.number().int().positive().max(1000).default(50),
    key_prefix: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('tg'),
  })
  .strict();

export const configSchema = z
  .object({
    mode: z.enum(['oss', 'cloud']).default('oss'),
    /** Directory for embedded databases and the usage spool when not set elsewhere. */
    data_dir: z.string().default('.tollgate'),
    redis: redisSchema.default({ command_timeout_ms: 50, key_prefix: 'tg' }),
    sidecar: sidecarSchema.default(sidecarSchema.parse({})),
    usage: usageSchema.default(usageSchema.parse({})),
    ledger: ledgerSchema.default(ledgerSchema.parse({})),
    edge: edgeSchema.default(edgeSchema.parse({})),
    plans: z.array(planSchema).default([]),
    tenants: z.array(tenantSchema).default([]),
  })
  .strict()
  .superRefine((config, ctx) => {
    const plans = new Set<string>();
    config.plans.forEach((p, i) => {
      if (plans.has(p.id)) ctx.addIssue({ code: 'custom', path: ['plans', i, 'id'], message: `duplicate plan id "${p.id}"` });
      plans.add(p.id);
    });
    const tenants = new Set<string>();
    config.tenants.forEach((t, i) => {
      if (tenants.has(t.id)) ctx.addIssue({ code: 'custom', path: ['tenants', i, 'id'], message: `duplicate tenant id "${t.id}"` });
      tenants.add(t.id);
      if (!plans.has(t.plan)) ctx.addIssue({ code: 'custom', path: ['tenants', i, 'plan'], message: `unknown plan "${t.plan}"` });
    });
  });

export type TollgateConfig = z.infer<typeof configSchema>;
export type PlanConfig = z.infer<typeof planSchema>;
export type TenantConfig = z.infer<typeof tenantSchema>;
export type SidecarConfig = z.infer<typeof sidecarSchema>;
