import { configFrom, parseCommandArgs, UsageError } from '../../cli/args.js';
import { generatedTokenFile, operatorToken } from './settings.js';

interface ApiKeyJson {
  key_id: string;
  tenant_id: string;
  name: string;
  created_at: string;
  revoked_at: string;
}

/** The admin API's answers this command reads (snake_case, as the HTTP API returns them), or a problem. */
type KeysResponse = Partial<ApiKeyJson> & { key?: string; api_key?: ApiKeyJson; api_keys?: ApiKeyJson[]; detail?: string };

/**
 * `tollgate keys create --tenant T [--name N] [--env live|test]`, `keys list --tenant T`, `keys revoke --tenant T --key ID`:
 * asks the running ledger service's admin API (`--ledger URL`, default http://<ledger.http>), which is the one
 * writer of its database and publishes the tenant's snapshot, so sidecars see the change within a second.
 */
export async function runKeysCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs('keys', argv, {
    config: { type: 'string' },
    tenant: { type: 'string' },
    name: { type: 'string' },
    env: { type: 'string' },
    key: { type: 'string' },
    ledger: { type: 'string' },
  });
  const sub = positionals[0];
  if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') throw new UsageError('keys: subcommands are create, list, revoke (e.g. tollgate keys create --tenant T)');
  if (!values.tenant) throw new UsageError(`keys ${sub}: --tenant T is required`);
  if (sub === 'revoke' && !values.key) throw new UsageError('keys revoke: --key KEY_ID is required');
  const config = configFrom(values.config);
  const token = operatorToken(config);
  if (!token) throw new UsageError(`keys ${sub}: no operator token: set TOLLGATE_OPERATOR_TOKEN or ledger.operator_token, or start "tollgate ledger" once to generate ${generatedTokenFile(config)}`);
  const base = values.ledger ?? `http://${config.ledger.http}`;
  const tenant = encodeURIComponent(values.tenant);
  const [method, path, body] =
    sub === 'create'
      ? ['POST', `/v1/tenants/${tenant}/api-keys`, { name: values.name ?? '', environment: values.env ?? 'live' }]
      : sub === 'list'
        ? ['GET', `/v1/tenants/${tenant}/api-keys`, undefined]
        : ['DELETE', `/v1/tenants/${tenant}/api-keys/${encodeURIComponent(values.key!)}`, undefined];
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body && JSON.stringify(body),
    });
  } catch (err) {
    throw new UsageError(`keys ${sub}: cannot reach the ledger service at ${base} (${(err as Error).cause ?? (err as Error).message}); is "tollgate ledger" running?`);
  }
  const json = (await res.json()) as KeysResponse;
  if (!res.ok) throw new UsageError(`keys ${sub}: ${json.detail ?? res.statusText}`);
  if (sub === 'create') {
    process.stdout.write(`${json.key}\n`);
    process.stderr.write(`key id ${json.api_key?.key_id} for tenant ${values.tenant}; the key is shown once and only its SHA-256 is stored\n`);
  } else if (sub === 'list') {
    for (const k of json.api_keys ?? []) {
      process.stdout.write(`${k.key_id}\t${k.created_at}\t${k.revoked_at ? `revoked ${k.revoked_at}` : 'active'}\t${k.name}\n`);
    }
  } else {
    process.stdout.write(`revoked ${json.key_id} of tenant ${json.tenant_id} at ${json.revoked_at}\n`);
  }
}
