import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../harness/ports.js';
import { quotaClient } from '../sidecar/support.js';

describe('tollgate up, embedded', () => {
  it('runs sidecar and ledger in one process with no servers; a subscription change reaches decisions in-process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-up-'));
    const file = join(dir, 'tollgate.yaml');
    writeFileSync(
      file,
      stringify({
        data_dir: join(dir, 'data'),
        plans: [{ id: 'pro', currency: 'USD', features: [{ id: 'api-calls', rate_limit: { per_second: 100, burst: 200 } }] }],
        tenants: [{ id: 'acme', plan: 'pro', status: 'active' }],
      }),
    );
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info' };
    for (const name of ['REDIS_URL', 'DATABASE_URL', 'CLICKHOUSE_URL', 'TOLLGATE_OPERATOR_TOKEN']) delete env[name];
    const child = spawn(process.execPath, ['dist/cli/tollgate.js', 'up', '--config', file, '--grpc', '127.0.0.1:0', '--http', '127.0.0.1:0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const up = await waitFor('"tollgate is up"', async () => out.split('\n').find((l) => l.includes('"tollgate is up"')), 90_000, 100).catch((e) => {
        throw new Error(`${e.message}\n${err}\n${out.slice(-2000)}`);
      });
      const info = JSON.parse(up);
      expect(info.stores.redis).toMatch(/^none/);
      expect(info.stores.postgres).toBe('embedded PGlite');
      const client = quotaClient(`unix:${info.sidecar.socket}`);
      try {
        expect(await client.check({ tenantId: 'acme', featureId: 'api-calls', cost: 1 })).toMatchObject({ allowed: true });
        const token = readFileSync(join(dir, 'data', 'operator-token'), 'utf8').trim();
        const res = await fetch(`http://127.0.0.1:${info.ledger.http}/v1/tenants/acme/subscription`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ status: 'suspended', reason: 'payment failed' }),
        });
        expect(res.status).toBe(200);
        await waitFor('suspension in the sidecar', async () => ((await client.check({ tenantId: 'acme', featureId: 'api-calls', cost: 1 })).reason === 'SUBSCRIPTION_INACTIVE' ? true : undefined), 1000, 20);
      } finally {
        client.close();
      }
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 150_000);
});
