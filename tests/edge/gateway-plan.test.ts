import { describe, expect, it } from 'vitest';
import { runGatewayCommand } from '../../gateway/src/main.js';
import { questionFor, settle, upstreamPath } from '../../gateway/src/domain/plan.js';
import { edgeConfig } from './fixtures.js';

const config = edgeConfig(`
edge:
  upstreams: [{ id: u, url: "http://127.0.0.1:1" }]
  routes:
    - { prefix: /api, feature: calls, cost: 3, upstream: u, strip_prefix: true }
    - { prefix: /llm/, feature: tokens, upstream: u, cost_from_response_header: x-usage-tokens, estimate: 500 }
    - { prefix: /risky/, feature: calls, upstream: u, charge_upstream_errors: true }
`);
const [api, llm, risky] = config.edge.routes;

describe('gateway: what a request costs', () => {
  it('asks a check for fixed-cost routes and a reservation for response-priced ones', () => {
    expect(questionFor(api)).toEqual({ kind: 'check', cost: 3 });
    expect(questionFor(llm)).toEqual({ kind: 'reserve', estimate: 500 });
  });

  it('charges the reported cost, or the estimate when the header is missing or malformed', () => {
    const q = questionFor(llm);
    expect(settle(llm, q, { kind: 'answered', status: 200, costHeader: '42', completed: true })).toEqual({ charge: true, quantity: 42 });
    expect(settle(llm, q, { kind: 'answered', status: 200, costHeader: undefined, completed: true })).toEqual({ charge: true, quantity: 500 });
    expect(settle(llm, q, { kind: 'answered', status: 200, costHeader: '4.2', completed: true })).toEqual({ charge: true, quantity: 500 });
    expect(settle(llm, q, { kind: 'answered', status: 404, costHeader: '1', completed: true })).toEqual({ charge: true, quantity: 1 });
  });

  it('does not charge upstream failures unless the route says so', () => {
    for (const outcome of [
      { kind: 'answered', status: 503, completed: true },
      { kind: 'answered', status: 200, completed: false },
      { kind: 'unreachable' },
      { kind: 'timeout' },
    ] as const) {
      expect(settle(api, questionFor(api), outcome).charge).toBe(false);
      expect(settle(risky, questionFor(risky), outcome).charge).toBe(true);
    }
  });

  it('builds the upstream path from the base path, the prefix rule and the query', () => {
    expect(upstreamPath('/base/', api, '/api/v1/x?y=1')).toBe('/base/v1/x?y=1');
    expect(upstreamPath('/', api, '/api')).toBe('/');
    expect(upstreamPath('/', llm, '/llm/chat')).toBe('/llm/chat');
  });
});

describe('tollgate gateway: command line', () => {
  it.each([
    [[], 'gateway: --config FILE is required'],
    [['--config', 'x.yaml', '--listen', 'nowhere'], 'gateway: --listen must be HOST:PORT, got "nowhere"'],
    [['--bogus'], 'gateway: Unknown option'],
  ])('%j → usage error', async (argv, message) => {
    await expect(runGatewayCommand(argv as string[])).rejects.toMatchObject({ name: 'UsageError', message: expect.stringContaining(message) });
  });
});
