import type { EdgeRoute } from '../../../../common/config/edge-schema.js';
import { idSchema } from '../../../../common/config/feature-schema.js';
import type { FeatureEntitlement } from '../../../../common/snapshot.js';
import type { CheckInput, Decision } from '../../domain/decision.js';
import { identify, type KeyResolver } from './credentials.js';
import { deniedAnswer, problemOf, rateLimitHeaders, type Header, type HttpAnswer } from './http-answer.js';
import { matchRoute } from './routes.js';

/** What ext_authz needs from Envoy's CheckRequest, already flattened (header names lower case). */
export interface AuthzRequest {
  method: string;
  path: string;
  headers: ReadonlyMap<string, string>;
  contextExtensions: Readonly<Record<string, string>>;
}

export interface AuthzSettings {
  routes: readonly EdgeRoute[];
  tenantHeader?: string;
  /** Remove the header that carried the API key before the request goes upstream. */
  stripApiKey: boolean;
}

export type AuthzPlan =
  | { kind: 'check'; tenantId: string; keyId?: string; input: CheckInput; removeHeaders: string[] }
  | { kind: 'deny'; answer: HttpAnswer }
  | { kind: 'invalid'; field: string; problem: string };

/** The check an ext_authz request asks for: who (API key or trusted header), which feature and what cost. */
export function planAuthz(request: AuthzRequest, settings: AuthzSettings, resolveKey: KeyResolver): AuthzPlan {
  const featureExt = request.contextExtensions.feature;
  const costExt = request.contextExtensions.cost;
  let featureId: string;
  let cost: number;
  if (featureExt !== undefined) {
    const valid = idSchema.safeParse(featureExt);
    if (!valid.success) return { kind: 'invalid', field: 'attributes.context_extensions.feature', problem: valid.error.issues[0].message };
    featureId = featureExt;
    cost = 1;
  } else {
    const route = matchRoute(settings.routes, request.method, request.path);
    if (!route) {
      return { kind: 'deny', answer: problemOf('no-route', 'No metered route', 403, `no Tollgate route matches ${request.method} ${request.path}`) };
    }
    featureId = route.feature;
    cost = route.cost;
  }
  if (costExt !== undefined) {
    if (!/^\d{1,15}$/.test(costExt)) return { kind: 'invalid', field: 'attributes.context_extensions.cost', problem: 'must be a whole number ≥ 0' };
    cost = Number(costExt);
  }
  const who = identify((name) => request.headers.get(name), resolveKey, settings.tenantHeader);
  if (!who.ok) return { kind: 'deny', answer: who.answer };
  const removeHeaders = settings.stripApiKey && who.keyHeader ? [who.keyHeader] : [];
  return { kind: 'check', tenantId: who.tenantId, keyId: who.keyId, input: { tenantId: who.tenantId, featureId, cost, dryRun: false }, removeHeaders };
}

/** Envoy's CheckResponse (proto-loader object form) for an answer that did not need a decision. */
export function deniedCheckResponse(answer: HttpAnswer): EnvoyCheckResponse {
  return {
    status: { code: grpcCodeOfHttpStatus(answer.status), message: `denied with HTTP ${answer.status}` },
    deniedResponse: { status: { code: answer.status }, headers: answer.headers.map(headerOption), body: answer.body },
  };
}

/** Envoy's CheckResponse for a decision. A shadow-mode denial is allowed and marked. */
export function checkResponseOf(plan: Extract<AuthzPlan, { kind: 'check' }>, decision: Decision, feature: FeatureEntitlement | undefined): EnvoyCheckResponse {
  const shadowDenied = !decision.allowed && (decision.shadow === true || feature?.shadow === true);
  if (!decision.allowed && !shadowDenied) {
    return deniedCheckResponse(deniedAnswer(decision, plan.tenantId, plan.input.featureId, feature));
  }
  const upstreamHeaders: Header[] = [
    ['x-tollgate-tenant', plan.tenantId],
    ['x-tollgate-feature', plan.input.featureId],
  ];
  if (plan.keyId) upstreamHeaders.push(['x-tollgate-key-id', plan.keyId]);
  if (decision.overage) upstreamHeaders.push(['x-tollgate-overage', 'true']);
  if (decision.degraded) upstreamHeaders.push(['x-tollgate-degraded', 'true']);
  if (shadowDenied) upstreamHeaders.push(['x-tollgate-shadow-denied', decision.reason]);
  return {
    status: { code: 0, message: '' },
    okResponse: {
      headers: upstreamHeaders.map(headerOption),
      headersToRemove: plan.removeHeaders,
      responseHeadersToAdd: rateLimitHeaders(decision, feature).map(headerOption),
    },
  };
}

export interface EnvoyHeaderValueOption {
  header: { key: string; value: string };
  appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD';
}

export interface EnvoyCheckResponse {
  status: { code: number; message: string };
  deniedResponse?: { status: { code: number }; headers: EnvoyHeaderValueOption[]; body: string };
  okResponse?: { headers: EnvoyHeaderValueOption[]; headersToRemove: string[]; responseHeadersToAdd: EnvoyHeaderValueOption[] };
}

/** Overwrite, so a client cannot smuggle its own x-tollgate-tenant past the filter. */
function headerOption([key, value]: Header): EnvoyHeaderValueOption {
  return { header: { key, value }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' };
}

/** google.rpc.Code for the CheckResponse status: Envoy only tests OK vs not, but logs and stats show the code. */
function grpcCodeOfHttpStatus(status: number): number {
  if (status === 401) return 16; // UNAUTHENTICATED
  if (status === 429) return 8; // RESOURCE_EXHAUSTED
  if (status === 409) return 9; // FAILED_PRECONDITION
  if (status === 503) return 14; // UNAVAILABLE
  return 7; // PERMISSION_DENIED
}
