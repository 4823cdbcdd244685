import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../common/config/load.js';
import { periodAt } from '../../sidecar/src/domain/period.js';
import { decide, Outcome, refill } from '../../sidecar/src/domain/token-bucket.js';
import { loadLuaScript, luaScripts, scriptSha } from '../../sidecar/src/adapters/lua-scripts.js';

describe('configuration errors', () => {
  const problems = (yaml: string) => {
    try {
      parseConfig(yaml, 'tollgate.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain('tollgate.yaml');
      return (err as ConfigError).problems;
    }
    throw new Error('expected the configuration to be refused');
  };

  it('names the file, the key path and what is wrong', () => {
    expect(problems('plans:\n  - id: pro\n    features:\n      - id: a\n        rate_limit: { per_second: -3 }\n')).toEqual([
      'plans[0].features[0].rate_limit.per_second: must be greater than 0',
    ]);
    expect(problems('plans:\n  - id: pro\n    features:\n      - id: a\n        quota: { limit: 5, period: week }\n')[0]).toMatch(/^plans\[0\]\.features\[0\]\.quota\.period: /);
    expect(problems('tenants:\n  - id: acme\n    plan: gold\n')).toEqual(['tenants[0].plan: unknown plan "gold"']);
    expect(problems('tenants:\n  - id: acme\n    plan: pro\n    status: frozen\nplans: [{ id: pro }]\n')[0]).toMatch(/^tenants\[0\]\.status: /);
    expect(problems('mode: saas\n')[0]).toMatch(/^mode: /);
    expect(problems('sidecar:\n  grpc: nowhere\n')).toEqual(['sidecar.grpc: must be HOST:PORT']);
    expect(problems('redis:\n  command_timeout_ms: 5000\n')[0]).toMatch(/^redis\.command_timeout_ms: /);
    expect(problems('plans:\n  - id: pro\n    features:\n      - id: a\n        rate_limit: { per_second: 1, per_minute: 2 }\n')).toEqual([
      'plans[0].features[0].rate_limit: give exactly one of per_second, per_minute, per_hour',
    ]);
    expect(problems('plans:\n  - id: pro\n    features: [{ id: a }, { id: a }]\n')).toEqual(['plans[0].features[1].id: duplicate feature id "a"']);
    expect(problems('bogus: 1\n')).toEqual(['(top level): unknown key(s) "bogus"']);
    expect(problems('plans: [\n')[0]).toMatch(/^YAML syntax/);
  });

  it('refuses a bucket too large to compute exactly', () => {
    expect(problems('plans:\n  - id: pro\n    features:\n      - id: a\n        rate_limit: { per_hour: 10, burst: 5000000 }\n')[0]).toMatch(
      /^plans\[0\]\.features\[0\]\.rate_limit: burst × interval must stay below 2\^53/,
    );
  });

  it('accepts the example of the issue', () => {
    const config = parseConfig(
      `mode: oss
plans:
  - id: pro
    features:
      - id: api-calls
        rate_limit: { per_second: 100, burst: 200 }
        quota: { limit: 100000, period: month, enforcement: hard }
        on_store_failure: open
      - id: premium-voice-model
tenants:
  - id: acme
    plan: pro
    status: active
`,
      'x.yaml',
    );
    expect(config.plans[0].features[1].on_store_failure).toBe('open');
    expect(config.redis.command_timeout_ms).toBe(50);
  });
});

describe('periods', () => {
  it('are UTC days and months', () => {
    expect(periodAt('day', Date.UTC(2026, 10, 21, 23, 59, 59))).toMatchObject({ id: '2026-11-21', endMs: Date.UTC(2026, 10, 22) });
    expect(periodAt('month', Date.UTC(2026, 11, 31, 23, 0))).toMatchObject({ id: '2026-12', endMs: Date.UTC(2027, 0, 1) });
  });

  it('follow a billing anchor, clamped to short months', () => {
    const anchor = '2026-01-31T00:00:00.000Z';
    const feb = periodAt('month', Date.UTC(2026, 1, 15), anchor);
    expect(new Date(feb.startMs).toISOString()).toBe('2026-01-31T00:00:00.000Z');
    expect(new Date(feb.endMs).toISOString()).toBe('2026-02-28T00:00:00.000Z');
    const march = periodAt('month', Date.UTC(2026, 2, 1), anchor);
    expect(new Date(march.startMs).toISOString()).toBe('2026-02-28T00:00:00.000Z');
  });
});

describe('token bucket arithmetic', () => {
  const rate = { tokens: 3, interval_us: 1_000_000, burst: 3 };
  it('refills in exact integer steps and never above the burst', () => {
    const empty = { tokens: 0, ts: 0 };
    expect(refill(empty, rate, 1).tokens).toBe(3); // 3 scaled units per microsecond
    expect(refill(empty, rate, 333_333).tokens).toBe(999_999);
    expect(refill(empty, rate, 333_334).tokens).toBe(1_000_002);
    expect(refill(empty, rate, 10_000_000).tokens).toBe(3_000_000);
  });

  it('checks a hard quota before the rate, and flags soft overage', () => {
    expect(decide(3_000_000, 10, 1, false, rate, { limit: 10, hard: true }).outcome).toBe(Outcome.QuotaExhausted);
    expect(decide(0, 10, 1, false, rate, { limit: 10, hard: false }).outcome).toBe(Outcome.RateLimited);
    expect(decide(3_000_000, 10, 1, false, rate, { limit: 10, hard: false })).toEqual({ outcome: Outcome.AllowedOverage, tokens: 2_000_000, used: 11 });
  });
});

describe('Lua scripts', () => {
  // Pinned: a changed script must be a deliberate change (update the SHA here and say why in the commit).
  const pinned: Record<string, string> = {
    check: '11cec2f4faf59fef542ea90b7c8fb591be3da7f7',
    reserve: '2ae1c530ab40d5ea2ed6ba0c44ce6d4dd8e12a3e',
    settle: 'a859980cf679e5fef7ab400c685f6cb6733bf3f3',
  };
  it.each(Object.keys(luaScripts))('%s matches its pinned SHA and documents KEYS and ARGV', (name) => {
    const { file, keys } = luaScripts[name as keyof typeof luaScripts];
    const source = loadLuaScript(file);
    expect(source).not.toMatch(/^--!include/m);
    expect(source).toContain(`KEYS[${keys}]`);
    expect(source).toMatch(/-- ARGV\[1/);
    expect(scriptSha(source)).toBe(pinned[name]);
  });
});

describe('caller locality', () => {
  it('treats only unix sockets and loopback as local', async () => {
    const { isLocalPeer } = await import('../../sidecar/src/api/caller-auth.js');
    expect(isLocalPeer('unknown')).toBe(true); // grpc-js's peer for a unix socket
    expect(isLocalPeer('127.0.0.1:5000')).toBe(true);
    expect(isLocalPeer('[::1]:5000')).toBe(true);
    expect(isLocalPeer('::ffff:127.0.0.1')).toBe(true);
    expect(isLocalPeer('10.1.2.3:5000')).toBe(false);
    expect(isLocalPeer('[2001:db8::1]:5000')).toBe(false);
    expect(isLocalPeer('192.168.1.10')).toBe(false);
  });
});

describe('examples/tollgate.yaml', () => {
  it('is a valid configuration', async () => {
    const { loadConfig } = await import('../../common/config/load.js');
    const config = loadConfig('examples/tollgate.yaml');
    expect(config.tenants.map((t) => t.id)).toEqual(['acme', 'globex']);
    expect(config.plans[0].features.map((f) => f.id)).toContain('api-calls');
  });
});

describe('decision metrics', () => {
  it('LocalHistogram exposes what a prom-client Histogram with the same observations does', async () => {
    const { Histogram, Registry } = await import('prom-client');
    const { LocalHistogram } = await import('../../sidecar/src/metrics.js');
    const buckets = [0.001, 0.01, 0.1];
    const [a, b] = [new Registry(), new Registry()];
    const reference = new Histogram({ name: 'h_seconds', help: 'help', buckets, registers: [a] });
    const local = new LocalHistogram('h_seconds', 'help', buckets, b);
    for (const v of [0.0005, 0.001, 0.002, 0.05, 0.5, 3]) {
      reference.observe(v);
      local.observe(v);
    }
    expect(await b.metrics()).toBe(await a.metrics());
    local.reset();
    expect(await b.metrics()).toMatch(/^h_seconds_count 0$/m);
  });

  it('counts per decision reach /metrics on the next scrape', async () => {
    const { createSidecarMetrics } = await import('../../sidecar/src/metrics.js');
    const m = createSidecarMetrics();
    const d = { allowed: false, reason: 'RATE_LIMITED', degraded: true } as Parameters<typeof m.decided>[0];
    m.decided(d, performance.now());
    m.decided({ ...d, reason: 'OK', allowed: true, degraded: false }, performance.now());
    m.leaseHit();
    const first = await m.registry.metrics();
    expect(first).toMatch(/^tollgate_decisions_total\{reason="RATE_LIMITED"\} 1$/m);
    expect(first).toMatch(/^tollgate_decisions_total\{reason="OK"\} 1$/m);
    expect(first).toMatch(/^tollgate_degraded_decisions_total\{reason="RATE_LIMITED"\} 1$/m);
    expect(first).toMatch(/^tollgate_lease_hits_total 1$/m);
    expect(first).toMatch(/^tollgate_decision_seconds_count 2$/m);
    m.leaseHit();
    expect(await m.registry.metrics()).toMatch(/^tollgate_lease_hits_total 2$/m);
  });
});

describe('ids from the wire', () => {
  it('requireId rejects what it rejected before, also after the same text was seen valid in another form', async () => {
    const { requireId } = await import('../../sidecar/src/api/validate.js');
    for (let round = 0; round < 2; round++) {
      expect(requireId('tenant_id', 'acme')).toBe('acme');
      expect(() => requireId('tenant_id', '')).toThrow(/is required/);
      expect(() => requireId('tenant_id', '-acme')).toThrow(/must start with a letter or digit/);
      expect(() => requireId('tenant_id', 'a'.repeat(129))).toThrow(/at most 128/);
      expect(() => requireId('feature_id', 'a b')).toThrow(/may contain only/);
    }
    // Far more distinct ids than the cache keeps: still all checked.
    for (let i = 0; i < 25_000; i++) expect(requireId('tenant_id', `t${i}`)).toBe(`t${i}`);
    expect(() => requireId('tenant_id', 't1 ')).toThrow(/may contain only/);
  });
});

describe('counts from the wire', () => {
  it('requireCount reads decimal strings exactly and rejects the rest as before', async () => {
    const { requireCount } = await import('../../sidecar/src/api/validate.js');
    expect(requireCount('cost', '0')).toBe(0);
    expect(requireCount('cost', '17')).toBe(17);
    expect(requireCount('cost', '007')).toBe(7);
    expect(requireCount('cost', '999999999999999')).toBe(999999999999999);
    expect(requireCount('cost', '9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(requireCount('cost', undefined)).toBe(0);
    expect(() => requireCount('cost', '9007199254740992')).toThrow(/too large/);
    expect(() => requireCount('cost', '-1')).toThrow(/must not be negative/);
    expect(() => requireCount('cost', '1.5')).toThrow(/not a whole number/);
    expect(() => requireCount('cost', '')).toThrow(/not a whole number/);
    expect(() => requireCount('estimate', '0', { positive: true })).toThrow(/greater than 0/);
    expect(requireCount('estimate', '3', { positive: true })).toBe(3);
  });
});

describe('store health', () => {
  const timeout = () => new Error('Command timed out');
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it('counts the timeouts of one event-loop turn (one pipeline) once; three turns in a row mark the store down', async () => {
    const { StoreHealth } = await import('../../sidecar/src/engine/store-health.js');
    const changes: boolean[] = [];
    const health = new StoreHealth(() => Promise.resolve(), 10_000, (up) => changes.push(up));
    for (let i = 0; i < 30; i++) health.reportFailure(timeout());
    expect(health.up).toBe(true);
    await nextTurn();
    health.reportFailure(timeout());
    expect(health.up).toBe(true);
    await nextTurn();
    health.reportFailure(timeout());
    expect(health.up).toBe(false);
    expect(changes).toEqual([false]);
    health.stop();
  });

  it('a success in between starts the count again; a refused connection marks it down at once', async () => {
    const { StoreHealth } = await import('../../sidecar/src/engine/store-health.js');
    const health = new StoreHealth(() => Promise.resolve(), 10_000);
    health.reportFailure(timeout());
    await nextTurn();
    health.reportFailure(timeout());
    await nextTurn();
    health.reportSuccess();
    health.reportFailure(timeout());
    await nextTurn();
    health.reportFailure(timeout());
    expect(health.up).toBe(true);
    health.reportFailure(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    expect(health.up).toBe(false);
    health.stop();
  });
});
