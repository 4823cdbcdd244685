import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../common/config/load.js';
import { edgeConfig } from './fixtures.js';

describe('edge: configuration', () => {
  it('parses routes, upstreams, envoy and gateway settings with defaults', () => {
    const config = edgeConfig(`
edge:
  routes:
    - { prefix: /v1/chat, feature: chat, upstream: llm, cost_from_response_header: X-Usage-Tokens, estimate: 500 }
    - { prefix: /v1/, feature: api-calls }
  upstreams:
    - { id: llm, url: "http://127.0.0.1:9001" }
  envoy: { tenant_header: X-Tenant-Id }
`);
    expect(config.edge.routes[0].cost_from_response_header).toBe('x-usage-tokens');
    expect(config.edge.routes[1].cost).toBe(1);
    expect(config.edge.envoy.tenant_header).toBe('x-tenant-id');
    expect(config.edge.envoy.rate_limit.tenant_entry).toBe('tenant');
    expect(config.edge.gateway.listen).toBe('127.0.0.1:8080');
    expect(config.edge.upstreams[0].headers_timeout_ms).toBe(30_000);
  });

  it.each([
    ['edge.routes[0].upstream: unknown upstream "nope"', 'edge: { routes: [{ prefix: /a, feature: f, upstream: nope }] }'],
    ['edge.routes[0].estimate: required with cost_from_response_header', 'edge: { routes: [{ prefix: /a, feature: f, cost_from_response_header: x-t }] }'],
    ['edge.routes[0].prefix: must start with "/"', 'edge: { routes: [{ prefix: a, feature: f }] }'],
    ['edge.upstreams[0].url: must be http:// or https://', 'edge: { upstreams: [{ id: u, url: "ftp://x" }] }'],
    ['edge.gateway.listen: must be HOST:PORT', 'edge: { gateway: { listen: nowhere } }'],
    ['edge.envoy: unknown key(s) "tenant_hdr"', 'edge: { envoy: { tenant_hdr: x } }'],
  ])('names the key path: %s', (message, yaml) => {
    let error: unknown;
    try {
      edgeConfig(yaml);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toContain(message);
  });
});
