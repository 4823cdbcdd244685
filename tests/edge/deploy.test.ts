import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { parseConfig } from '../../common/config/load.js';
import { packageRoot } from '../../common/paths.js';
import { EnvoySchema } from './envoy-schema.js';

const deployDir = resolve(packageRoot, 'deploy');
const read = (file: string) => readFileSync(join(deployDir, file), 'utf8');

/** Values of every key named `key` anywhere in a parsed document. */
function collect(value: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(value)) value.forEach((v) => collect(v, key, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === key) out.push(v);
      collect(v, key, out);
    }
  }
  return out;
}

describe('deploy/envoy.yaml', () => {
  const envoy = parse(read('envoy.yaml'));
  const schema = new EnvoySchema();

  it('fits Envoy\'s Bootstrap proto: every key is a field, every @type a message in the shipped protos', () => {
    expect(schema.validate(envoy)).toEqual([]);
    const typeUrls = collect(envoy, '@type') as string[];
    expect(typeUrls.length).toBeGreaterThanOrEqual(6);
    for (const url of typeUrls) expect(schema.type(url.replace('type.googleapis.com/', '')), url).toBeDefined();
  });

  it('the validator does catch a misspelt field and an unknown type', () => {
    const broken = structuredClone(envoy);
    const hcm = broken.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
    hcm.http_filters[0].typed_config.failure_mode_alow = true;
    hcm.http_filters[1].typed_config['@type'] = 'type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimitz';
    const problems = schema.validate(broken);
    expect(problems.some((p) => p.endsWith('has no field "failure_mode_alow"'))).toBe(true);
    expect(problems.some((p) => p.includes('RateLimitz is not a message'))).toBe(true);
  });

  it('wires ext_authz then ratelimit then the router, both to the sidecar cluster over HTTP/2 on its unix socket', () => {
    const hcm = envoy.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
    const filters = hcm.http_filters.map((f: { name: string }) => f.name);
    expect(filters).toEqual(['envoy.filters.http.ext_authz', 'envoy.filters.http.ratelimit', 'envoy.filters.http.router']);
    const [authz, ratelimit] = hcm.http_filters.map((f: { typed_config: unknown }) => f.typed_config);
    expect(authz.transport_api_version).toBe('V3');
    expect(authz.failure_mode_allow).toBe(false);
    expect(ratelimit.rate_limit_service.transport_api_version).toBe('V3');
    expect(ratelimit.domain).toBe(parseConfig(read('tollgate.yaml'), 'tollgate.yaml').edge.envoy.rate_limit.domain);

    const clusters = new Map(envoy.static_resources.clusters.map((c: { name: string }) => [c.name, c]));
    const sidecarCluster = authz.grpc_service.envoy_grpc.cluster_name;
    expect(ratelimit.rate_limit_service.grpc_service.envoy_grpc.cluster_name).toBe(sidecarCluster);
    const sidecar = clusters.get(sidecarCluster) as any;
    expect(sidecar).toBeDefined();
    expect(sidecar.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'].explicit_http_config).toHaveProperty('http2_protocol_options');
    const pipe = sidecar.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.pipe.path;
    expect(pipe).toBe(parseConfig(read('tollgate.yaml'), 'tollgate.yaml').sidecar.socket);

    for (const route of collect(envoy, 'route') as Array<{ cluster?: string }>) {
      if (route.cluster) expect(clusters.has(route.cluster), route.cluster).toBe(true);
    }
  });

  it('per-route feature/cost reach ext_authz as context_extensions; rate-limit descriptors use the documented entry keys', () => {
    const extensions = collect(envoy, 'context_extensions') as Array<Record<string, string>>;
    expect(extensions).toContainEqual({ feature: 'chat-requests', cost: '1' });
    const config = parseConfig(read('tollgate.yaml'), 'tollgate.yaml');
    const descriptorKeys = (collect(envoy, 'descriptor_key') as string[]).sort();
    expect(descriptorKeys).toEqual([config.edge.envoy.rate_limit.api_key_entry, config.edge.envoy.rate_limit.feature_entry].sort());
    const features = new Set(config.plans.flatMap((p) => p.features.map((f) => f.id)));
    for (const e of extensions) expect(features.has(e.feature), e.feature).toBe(true);
    expect(features.has((collect(envoy, 'descriptor_value') as string[])[0])).toBe(true);
  });
});

describe('deploy/: compose, Kubernetes, Tollgate config', () => {
  it('tollgate.yaml is a valid Tollgate configuration', () => {
    const config = parseConfig(read('tollgate.yaml'), 'tollgate.yaml');
    expect(config.edge.routes.every((r) => r.upstream === 'product')).toBe(true);
  });

  it('compose.yaml: services depend only on services, volumes are declared, the socket volume is shared', () => {
    const compose = parse(read('compose.yaml'), { merge: true });
    const services = compose.services as Record<string, any>;
    for (const [name, service] of Object.entries(services)) {
      for (const dep of Object.keys(service.depends_on ?? {})) expect(services[dep], `${name} → ${dep}`).toBeDefined();
      for (const v of service.volumes ?? []) {
        const source = String(v).split(':')[0];
        if (!source.startsWith('.')) expect(compose.volumes[source], `${name}: volume ${source}`).toBeDefined();
      }
    }
    const mounts = (s: string) => (services[s].volumes as string[]).some((v) => v.startsWith('sidecar-socket:/run/tollgate'));
    expect(['sidecar', 'envoy', 'gateway'].every(mounts)).toBe(true);
  });

  it('Kubernetes manifests parse; the sidecar shares its socket directory with the product', () => {
    const files = readdirSync(join(deployDir, 'k8s')).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual(['configmap.yaml', 'daemonset.yaml', 'sidecar-in-pod.yaml']);
    const docs = files.flatMap((f) =>
      parseAllDocuments(read(join('k8s', f))).map((d) => {
        expect(d.errors, f).toEqual([]);
        return d.toJS();
      }),
    );
    for (const doc of docs) expect(doc.apiVersion && doc.kind && doc.metadata?.name).toBeTruthy();

    const inPod = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'product-api');
    const volumes = new Map(inPod.spec.template.spec.volumes.map((v: { name: string }) => [v.name, v]));
    expect((volumes.get('tollgate-socket') as any).emptyDir).toBeDefined();
    const socketMounts = inPod.spec.template.spec.containers.map((c: any) => c.volumeMounts.find((m: any) => m.name === 'tollgate-socket')?.mountPath);
    expect(new Set(socketMounts)).toEqual(new Set(['/run/tollgate']));

    const daemon = docs.find((d) => d.kind === 'DaemonSet');
    expect(daemon.spec.template.spec.volumes.find((v: any) => v.name === 'tollgate-socket').hostPath.path).toBe('/run/tollgate');

    const configMap = docs.find((d) => d.kind === 'ConfigMap');
    expect(() => parseConfig(configMap.data['tollgate.yaml'], 'configmap tollgate.yaml')).not.toThrow();
  });
});
