import { generateApiKey } from '../../../common/api-key.js';
import { getApiKey, insertApiKey, insertRevocation, listApiKeys, type StoredApiKey } from '../adapters/api-key-store.js';
import { getTenant } from '../adapters/tenant-store.js';
import type { LedgerContext } from './context.js';
import { invalid, notFound } from './errors.js';
import { checkTenantId } from './tenants.js';

export interface IssuedApiKey {
  apiKey: StoredApiKey;
  /** The whole key: returned once, never stored. */
  key: string;
}

async function requireTenant(ctx: LedgerContext, tenantId: string): Promise<void> {
  checkTenantId(tenantId);
  if (!(await getTenant(ctx.db, tenantId))) throw notFound(`tenant "${tenantId}" does not exist`);
}

/** Issues `tg_<env>_<id>_<secret>`, stores its SHA-256, and republishes the snapshot so sidecars accept it. */
export async function createApiKey(ctx: LedgerContext, input: { tenantId: string; name?: string; environment?: string }): Promise<IssuedApiKey> {
  await requireTenant(ctx, input.tenantId);
  const environment = input.environment || 'live';
  if (environment !== 'live' && environment !== 'test') throw invalid('environment', 'must be "live" or "test"');
  if ((input.name ?? '').length > 200) throw invalid('name', 'must be at most 200 characters');
  const generated = generateApiKey(environment);
  const apiKey: StoredApiKey = { id: generated.id, tenantId: input.tenantId, name: input.name ?? '', environment, createdAt: ctx.clock(), revokedAt: null };
  await insertApiKey(ctx.db, { ...apiKey, sha256: generated.sha256 });
  await ctx.snapshots.tenantsChanged([input.tenantId]);
  return { apiKey, key: generated.key };
}

export async function tenantApiKeys(ctx: LedgerContext, tenantId: string): Promise<StoredApiKey[]> {
  await requireTenant(ctx, tenantId);
  return listApiKeys(ctx.db, tenantId);
}

/** Revokes a key and republishes the snapshot without it: sidecars refuse it within a second. */
export async function revokeApiKey(ctx: LedgerContext, tenantId: string, keyId: string): Promise<StoredApiKey> {
  checkTenantId(tenantId);
  if (!keyId) throw invalid('key_id', 'is required');
  const key = await getApiKey(ctx.db, keyId);
  if (!key || key.tenantId !== tenantId) throw notFound(`API key "${keyId}" of tenant "${tenantId}" does not exist`);
  await insertRevocation(ctx.db, keyId, ctx.clock());
  await ctx.snapshots.tenantsChanged([tenantId]);
  return (await getApiKey(ctx.db, keyId))!;
}
