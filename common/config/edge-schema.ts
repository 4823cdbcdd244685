import { z } from 'zod';
import { idSchema } from './feature-schema.js';

/**
 * `edge:` — how HTTP traffic at the edge maps to Tollgate checks: path-prefix routes (shared by Envoy ext_authz and
 * the gateway), the gateway's upstreams, Envoy's trusted tenant header and rate-limit descriptor mapping.
 *
 * ```yaml
 * edge:
 *   routes:
 *     - prefix: /v1/chat             # longest matching prefix wins
 *       feature: chat-tokens
 *       upstream: llm                # gateway only: where to proxy
 *       cost_from_response_header: x-usage-tokens   # gateway: Reserve `estimate`, Commit the header's value
 *       estimate: 1000
 *     - prefix: /v1/
 *       feature: api-calls
 *       cost: 1
 *       upstream: api
 *   upstreams:
 *     - { id: api, url: "http://127.0.0.1:9000" }
 *     - { id: llm, url: "http://127.0.0.1:9001", headers_timeout_ms: 120000 }
 *   envoy:
 *     tenant_header: x-tenant-id     # trusted header set by an authenticating proxy in front (optional)
 *     strip_api_key: true            # ext_authz removes the key's header before the upstream sees it
 *     rate_limit: { domain: tollgate, tenant_entry: tenant, api_key_entry: api_key, feature_entry: feature }
 *   gateway:
 *     listen: 127.0.0.1:8080
 *     sidecar: unix:/run/tollgate/sidecar.sock   # default: unix:<sidecar.socket>, else <sidecar.grpc>
 * ```
 */

const hostPort = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be HOST:PORT');
const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name')
  .transform((s) => s.toLowerCase());
const entryKey = z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters');
const millis = z.number().int('must be a whole number').positive('must be greater than 0');

export const edgeRouteSchema = z
  .object({
    /** Matched against the request path; the longest matching prefix wins. */
    prefix: z.string().startsWith('/', 'must start with "/"'),
    /** Restrict the route to these methods (upper case); empty = any method. */
    methods: z.array(z.string().regex(/^[A-Z]+$/, 'must be an upper-case HTTP method')).default([]),
    feature: idSchema,
    /** Units a request costs when the cost is known up front; 0 = entitlement check only. */
    cost: z.number().int('must be a whole number').nonnegative('must be 0 or more').default(1),
    /** Gateway: id of the upstream to proxy to. Routes without one serve Envoy only. */
    upstream: idSchema.optional(),
    /** Gateway: remove the prefix before proxying (`/api/v1/x` with prefix `/api` → `/v1/x`). */
    strip_prefix: z.boolean().default(false),
    /** Gateway: the real cost comes in this upstream response header; `estimate` is reserved first. */
    cost_from_response_header: headerName.optional(),
    /** Gateway: units reserved before the upstream answers, for `cost_from_response_header` routes. */
    estimate: z.number().int('must be a whole number').positive('must be greater than 0').optional(),
    /** Gateway: charge (report usage, commit) even when the upstream fails (5xx, unreachable, timeout). */
    charge_upstream_errors: z.boolean().default(false),
  })
  .strict()
  .superRefine((route, ctx) => {
    if (route.cost_from_response_header && route.estimate === undefined) {
      ctx.addIssue({ code: 'custom', path: ['estimate'], message: 'required with cost_from_response_header' });
    }
  });

export const upstreamSchema = z
  .object({
    id: idSchema,
    /** Base URL; the request path (after strip_prefix) and query are appended to its path. */
    url: z.string().url('must be a URL').refine((u) => /^https?:/.test(u), 'must be http:// or https://'),
    connect_timeout_ms: millis.default(2_000),
    /** Time allowed until the upstream's response headers arrive; exceeded → 504. */
    headers_timeout_ms: millis.default(30_000),
    /** Longest pause between two body chunks (SSE streams need this to exceed their keep-alive). */
    body_timeout_ms: millis.default(300_000),
    connections: z.number().int().positive().default(128),
  })
  .strict();

export const envoyRateLimitSchema = z
  .object({
    /** Only requests of this rate-limit domain are decided; others are answered OK. Empty = every domain. */
    domain: z.string().default(''),
    /** Descriptor entry whose value is the tenant id (set by a trusted upstream). */
    tenant_entry: entryKey.default('tenant'),
    /** Descriptor entry whose value is the raw API key (`request_headers` action); resolved like ext_authz. */
    api_key_entry: entryKey.default('api_key'),
    /** Descriptor entry naming the feature. */
    feature_entry: entryKey.default('feature'),
    /** Descriptor entry holding the request path, matched against `edge.routes` when there is no feature entry. */
    path_entry: entryKey.default('path'),
    /** Descriptor entry whose value overrides the request's hits_addend for that descriptor. */
    hits_addend_entry: entryKey.default('hits_addend'),
    /** Feature used when a descriptor has neither a feature entry nor a matching path. */
    default_feature: idSchema.optional(),
  })
  .strict();

export const envoySchema = z
  .object({
    /** Trusted request header carrying the tenant id, for deployments where Envoy authenticates. */
    tenant_header: headerName.optional(),
    /** ext_authz removes the header that carried the API key (`headers_to_remove`): the upstream never sees keys. */
    strip_api_key: z.boolean().default(true),
    rate_limit: envoyRateLimitSchema.default(envoyRateLimitSchema.parse({})),
  })
  .strict();

export const gatewaySchema = z
  .object({
    listen: hostPort.default('127.0.0.1:8080'),
    /** gRPC target of the local sidecar (`unix:/path` or HOST:PORT). Default: its socket, else its TCP address. */
    sidecar: z.string().optional(),
    /**
     * How to ask over a unix socket: `local`, the sidecar's local call protocol (falls back to gRPC when the sidecar
     * does not speak it), or `grpc` (gRPC over HTTP/2). A TCP target is always asked over gRPC.
     */
    sidecar_protocol: z.enum(['local', 'grpc']).default('local'),
    /** A sidecar question that takes longer fails the request with 503. */
    sidecar_timeout_ms: millis.default(250),
    /**
     * Commit and Release of a reservation, sent after the response: off the request's path, so they may wait longer.
     * One that fails leaves the estimate held until the reservation's TTL.
     */
    settle_timeout_ms: millis.default(5000),
    /** `service_id` of the usage events the gateway reports. */
    service_id: idSchema.default('gateway'),
    report_usage: z.boolean().default(true),
    /**
     * Usage goes to the sidecar in one ReportBatch per this many ms or `usage_batch_events`, whichever comes first.
     * Longer spreads the sidecar's per-call cost (a spool append and its fsync) over more events, and leaves more
     * served requests' usage in the gateway's memory if it crashes.
     */
    usage_flush_ms: millis.max(10_000).default(20),
    usage_batch_events: z.number().int('must be a whole number').positive('must be greater than 0').max(10_000).default(500),
    /** Prometheus metrics of the gateway (optional HOST:PORT). */
    metrics: hostPort.optional(),
    /** Request headers removed before proxying (the API key never reaches the upstream). */
    strip_request_headers: z.array(headerName).default(['authorization', 'x-api-key']),
  })
  .strict();

export const edgeSchema = z
  .object({
    routes: z.array(edgeRouteSchema).default([]),
    upstreams: z.array(upstreamSchema).default([]),
    envoy: envoySchema.default(envoySchema.parse({})),
    gateway: gatewaySchema.default(gatewaySchema.parse({})),
  })
  .strict()
  .superRefine((edge, ctx) => {
    const upstreams = new Set<string>();
    edge.upstreams.forEach((u, i) => {
      if (upstreams.has(u.id)) ctx.addIssue({ code: 'custom', path: ['upstreams', i, 'id'], message: `duplicate upstream id "${u.id}"` });
      upstreams.add(u.id);
    });
    const routes = new Set<string>();
    edge.routes.forEach((r, i) => {
      const key = `${r.prefix} ${r.methods.join(',')}`;
      if (routes.has(key)) ctx.addIssue({ code: 'custom', path: ['routes', i, 'prefix'], message: `duplicate route "${r.prefix}"` });
      routes.add(key);
      if (r.upstream && !upstreams.has(r.upstream)) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'upstream'], message: `unknown upstream "${r.upstream}"` });
      }
    });
  });

export type EdgeConfig = z.infer<typeof edgeSchema>;
export type EdgeRoute = z.infer<typeof edgeRouteSchema>;
export type UpstreamConfig = z.infer<typeof upstreamSchema>;
export type EnvoyConfig = z.infer<typeof envoySchema>;
export type EnvoyRateLimitConfig = z.infer<typeof envoyRateLimitSchema>;
export type GatewayConfig = z.infer<typeof gatewaySchema>;
