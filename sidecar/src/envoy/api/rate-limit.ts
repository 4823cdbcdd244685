import type { handleUnaryCall, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { invalidArgument, toServiceError } from '../../../../common/grpc-errors.js';
import type { SidecarContext } from '../../ports.js';
import { planRateLimit, rateLimitResponseOf, type DescriptorOutcome, type EnvoyRateLimitResponse } from '../domain/ratelimit.js';
import type { EnvoyMetrics } from './metrics.js';

interface RateLimitRequestObject {
  domain?: string;
  descriptors?: Array<{ entries?: Array<{ key?: string; value?: string }> }>;
  hitsAddend?: number;
}

export function shouldRateLimit(ctx: SidecarContext, metrics: EnvoyMetrics): handleUnaryCall<RateLimitRequestObject, EnvoyRateLimitResponse> {
  const config = ctx.config.edge.envoy.rate_limit;
  const routes = ctx.config.edge.routes;
  const resolveKey = (sha256: string) => ctx.snapshots.tenantForKeyHash(sha256);
  return (call: ServerUnaryCall<RateLimitRequestObject, EnvoyRateLimitResponse>, callback: sendUnaryData<EnvoyRateLimitResponse>) => {
    try {
      ctx.auth.identifyCall(call);
    } catch (err) {
      callback(toServiceError(err));
      return;
    }
    const request = call.request;
    const plan = planRateLimit(
      {
        domain: request.domain ?? '',
        descriptors: (request.descriptors ?? []).map((d) => ({ entries: (d.entries ?? []).map((e) => ({ key: e.key ?? '', value: e.value ?? '' })) })),
        hitsAddend: Number(request.hitsAddend ?? 0),
      },
      config,
      routes,
      resolveKey,
    );
    if (plan.kind === 'invalid') {
      metrics.rateLimit('invalid');
      callback(toServiceError(invalidArgument(plan.field, plan.problem)));
      return;
    }
    // Descriptors are decided concurrently; each is its own (tenant, feature) bucket.
    Promise.all(
      plan.descriptors.map(async (p): Promise<DescriptorOutcome> => {
        if (p.kind !== 'check') return { plan: p };
        const decision = await ctx.decider.check({ tenantId: p.tenantId, featureId: p.featureId, cost: p.cost, dryRun: false });
        return { plan: p, decision, feature: ctx.snapshots.get(p.tenantId)?.features[p.featureId] };
      }),
    ).then(
      (outcomes) => {
        const response = rateLimitResponseOf(outcomes);
        metrics.rateLimit(response.overallCode);
        callback(null, response);
      },
      (err: unknown) => {
        metrics.rateLimit('error');
        ctx.logger.error({ err }, 'ShouldRateLimit failed');
        callback(toServiceError(err));
      },
    );
  };
}
