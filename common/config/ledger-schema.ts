import { z } from 'zod';

/** `ledger:` section — owned by the ledger service. */
export const ledgerSchema = z.object({}).passthrough();
/** Extra keys a plan may carry for pricing (currency, prices, version...). */
export const planPricingSchema = z.object({});
export type LedgerConfig = z.infer<typeof ledgerSchema>;
