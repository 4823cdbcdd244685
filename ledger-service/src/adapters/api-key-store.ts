import type { ApiKeyHash } from '../../../common/snapshot.js';
import type { Sql } from './database.js';

export interface StoredApiKey {
  id: string;
  tenantId: string;
  name: string;
  environment: 'live' | 'test';
  createdAt: Date;
  revokedAt: Date | null;
}

interface Row {
  id: string;
  tenant_id: string;
  name: string;
  environment: 'live' | 'test';
  created_at: Date;
  revoked_at: Date | null;
}

const SELECT = `SELECT k.id, k.tenant_id, k.name, k.environment, k.created_at, r.revoked_at
  FROM api_keys k LEFT JOIN api_key_revocations r ON r.key_id = k.id`;

const fromRow = (r: Row): StoredApiKey => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  environment: r.environment,
  createdAt: new Date(r.created_at),
  revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
});

export async function insertApiKey(sql: Sql, key: Omit<StoredApiKey, 'revokedAt'> & { sha256: string }): Promise<void> {
  await sql.query('INSERT INTO api_keys (id, tenant_id, name, environment, sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
    key.id,
    key.tenantId,
    key.name,
    key.environment,
    key.sha256,
    key.createdAt.toISOString(),
  ]);
}

export async function listApiKeys(sql: Sql, tenantId: string): Promise<StoredApiKey[]> {
  return (await sql.query<Row>(`${SELECT} WHERE k.tenant_id = $1 ORDER BY k.created_at, k.id`, [tenantId])).map(fromRow);
}

export async function getApiKey(sql: Sql, keyId: string): Promise<StoredApiKey | undefined> {
  const [row] = await sql.query<Row>(`${SELECT} WHERE k.id = $1`, [keyId]);
  return row && fromRow(row);
}

/** Records the revocation once; revoking again changes nothing. */
export async function insertRevocation(sql: Sql, keyId: string, at: Date): Promise<void> {
  await sql.query('INSERT INTO api_key_revocations (key_id, revoked_at) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING', [keyId, at.toISOString()]);
}

/** The hashes sidecars accept for a tenant: every key not revoked. */
export async function activeApiKeyHashes(sql: Sql, tenantId: string): Promise<ApiKeyHash[]> {
  return sql.query<ApiKeyHash>(
    `SELECT k.id, k.sha256 FROM api_keys k WHERE k.tenant_id = $1
       AND NOT EXISTS (SELECT 1 FROM api_key_revocations r WHERE r.key_id = k.id) ORDER BY k.id`,
    [tenantId],
  );
}
