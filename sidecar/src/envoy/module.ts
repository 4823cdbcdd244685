import type { SidecarModule } from '../ports.js';

/** Envoy ext_authz and rate-limit services. */
export function envoyModule(): SidecarModule | undefined {
  return undefined;
}
