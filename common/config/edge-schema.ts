import { z } from 'zod';

/** `edge:` section — Envoy ext_authz / rate-limit mapping and the gateway. Owned by the edge component. */
export const edgeSchema = z.object({}).passthrough();
export type EdgeConfig = z.infer<typeof edgeSchema>;
