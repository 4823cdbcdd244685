import type { handleUnaryCall, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { invalidArgument, toServiceError } from '../../../../common/grpc-errors.js';
import type { Decision } from '../../domain/decision.js';
import type { SidecarContext } from '../../ports.js';
import { checkResponseOf, deniedCheckResponse, planAuthz, type AuthzRequest, type EnvoyCheckResponse } from '../domain/authz.js';
import type { EnvoyMetrics } from './metrics.js';

/** The parts of envoy.service.auth.v3.CheckRequest ext_authz reads (proto-loader object form, camelCase). */
export interface CheckRequestObject {
  attributes?: {
    request?: { http?: { method?: string; path?: string; headers?: Record<string, string>; headerMap?: { headers?: Array<{ key: string; value?: string; rawValue?: Buffer }> } } };
    contextExtensions?: Record<string, string>;
  };
}

/** The generic codec's object, flattened: what the direct decoder produces in one step (and the test's reference). */
export function flattenCheckRequest(request: CheckRequestObject): AuthzRequest {
  const http = request.attributes?.request?.http;
  const headers = new Map<string, string>();
  for (const [k, v] of Object.entries(http?.headers ?? {})) headers.set(k.toLowerCase(), v);
  // Envoy sends header_map instead of headers when configured to; values may come as raw bytes.
  for (const h of http?.headerMap?.headers ?? []) {
    const value = h.value || (h.rawValue && h.rawValue.length > 0 ? h.rawValue.toString('utf8') : '');
    headers.set(h.key.toLowerCase(), value);
  }
  return {
    method: http?.method ?? 'GET',
    path: http?.path ?? '/',
    headers,
    contextExtensions: request.attributes?.contextExtensions ?? {},
  };
}

/** The handler for requests decoded by `envoyCheckRequestDecoder` (authz-request-wire.ts), already flat. */
export function authorizationCheck(ctx: SidecarContext, metrics: EnvoyMetrics): handleUnaryCall<AuthzRequest, EnvoyCheckResponse> {
  const settings = { routes: ctx.config.edge.routes, tenantHeader: ctx.config.edge.envoy.tenant_header, stripApiKey: ctx.config.edge.envoy.strip_api_key };
  const resolveKey = (sha256: string) => ctx.snapshots.tenantForKeyHash(sha256);
  return (call: ServerUnaryCall<AuthzRequest, EnvoyCheckResponse>, callback: sendUnaryData<EnvoyCheckResponse>) => {
    // The caller is Envoy itself (a local proxy, or one sending a service token in its grpc_service initial_metadata).
    try {
      ctx.auth.identifyCall(call);
    } catch (err) {
      callback(toServiceError(err));
      return;
    }
    const plan = planAuthz(call.request, settings, resolveKey);
    if (plan.kind === 'invalid') {
      metrics.check('invalid');
      callback(toServiceError(invalidArgument(plan.field, plan.problem)));
      return;
    }
    if (plan.kind === 'deny') {
      metrics.check(String(plan.answer.status));
      callback(null, deniedCheckResponse(plan.answer));
      return;
    }
    const answer = (decision: Decision) => {
      const response = checkResponseOf(plan, decision, ctx.snapshots.get(plan.tenantId)?.features[plan.input.featureId]);
      metrics.check(response.okResponse ? 'ok' : String(response.deniedResponse!.status.code));
      callback(null, response);
    };
    const fail = (err: unknown) => {
      metrics.check('error');
      ctx.logger.error({ err, tenant: plan.tenantId, feature: plan.input.featureId }, 'ext_authz check failed');
      callback(toServiceError(err));
    };
    // Most decisions come from a lease, synchronously: answering them without a promise saves a microtask hop.
    let decided: Decision | Promise<Decision>;
    try {
      decided = ctx.decider.checkNow(plan.input);
    } catch (err) {
      fail(err);
      return;
    }
    if (decided instanceof Promise) decided.then(answer, fail);
    else answer(decided);
  };
}
