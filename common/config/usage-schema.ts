import { z } from 'zod';

/** `usage:` section — owned by the usage ingestion component. */
export const usageSchema = z.object({}).passthrough();
export type UsageConfig = z.infer<typeof usageSchema>;
