import type { SidecarModule } from '../ports.js';
import { authorizationCheck } from './api/authorization.js';
import { envoyCheckRequestDecoder } from './api/authz-request-wire.js';
import { encodeEnvoyCheckResponse } from './api/authz-wire.js';
import { credentialHeaders } from './domain/credentials.js';
import { envoyMetrics } from './api/metrics.js';
import { shouldRateLimit } from './api/rate-limit.js';
import { authorizationService, rateLimitService } from './proto.js';

/**
 * Envoy ext_authz (`envoy.service.auth.v3.Authorization/Check`) and global rate limiting
 * (`envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit`), on the sidecar's gRPC server. See docs/envoy.md.
 */
export function envoyModule(): SidecarModule {
  return {
    name: 'envoy',
    async start(ctx, server) {
      const metrics = envoyMetrics(ctx.metrics);
      const authz = authorizationService();
      const decodeRequest = envoyCheckRequestDecoder(credentialHeaders(ctx.config.edge.envoy.tenant_header));
      server.addService(
        { ...authz, Check: { ...authz.Check, requestDeserialize: decodeRequest, responseSerialize: encodeEnvoyCheckResponse } },
        { Check: authorizationCheck(ctx, metrics) },
      );
      server.addService(rateLimitService(), { ShouldRateLimit: shouldRateLimit(ctx, metrics) });
    },
    async stop() {},
    ready: () => true,
  };
}
