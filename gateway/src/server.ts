import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import type { TollgateConfig } from '../../common/config/schema.js';
import { createLogger, type Logger } from '../../common/log.js';
import { KeyDirectory } from './adapters/key-directory.js';
import type { LocalSnapshotBus } from '../../common/snapshot-bus.js';
import { SidecarClient } from './adapters/sidecar-client.js';
import { UsageReporter } from './adapters/usage-reporter.js';
import { gatewayMetrics } from './api/metrics.js';
import { gatewayHandler, type RouteTarget } from './api/proxy.js';

export interface GatewayOptions {
  /** HOST:PORT; default edge.gateway.listen. Port 0 picks a free one. */
  listen?: string;
  /** gRPC target of the sidecar; default edge.gateway.sidecar, else unix:<sidecar.socket>, else sidecar.grpc. */
  sidecar?: string;
  logger?: Logger;
  /** Snapshots published in this process (`tollgate up` without Redis). */
  snapshotBus?: LocalSnapshotBus;
}

export interface GatewayHandle {
  /** http://HOST:PORT */
  url: string;
  metricsUrl?: string;
  /** Stops accepting, lets in-flight requests finish, sends the last usage reports. */
  stop(): Promise<void>;
}

export function sidecarTarget(config: TollgateConfig): string {
  return config.edge.gateway.sidecar ?? (config.sidecar.socket ? `unix:${config.sidecar.socket}` : config.sidecar.grpc);
}

export async function startGateway(config: TollgateConfig, options: GatewayOptions = {}): Promise<GatewayHandle> {
  const logger = options.logger ?? createLogger('gateway');
  const gateway = config.edge.gateway;
  const metrics = gatewayMetrics();
  const upstreams = new Map(
    config.edge.upstreams.map((u) => {
      const url = new URL(u.url);
      const pool = new Pool(url.origin, { connections: u.connections, connect: { timeout: u.connect_timeout_ms }, keepAliveTimeout: 30_000 });
      return [u.id, { config: u, pool, basePath: url.pathname }] as const;
    }),
  );
  const targets: RouteTarget[] = config.edge.routes
    .filter((r) => r.upstream !== undefined)
    .map((route) => ({ prefix: route.prefix, methods: route.methods, route, upstream: upstreams.get(route.upstream!)! }));
  if (targets.length === 0) logger.warn('edge.routes has no route with an upstream: every request will be answered 404');

  const target = options.sidecar ?? sidecarTarget(config);
  const directory = await KeyDirectory.open(config, logger, options.snapshotBus);
  const sidecar = new SidecarClient(target, gateway.sidecar_timeout_ms, gateway.settle_timeout_ms, gateway.sidecar_protocol);
  const reporter = gateway.report_usage
    ? new UsageReporter(sidecar, gateway.service_id, logger, metrics.usageReportFailures, metrics.usageReported, gateway.usage_flush_ms, gateway.usage_batch_events)
    : undefined;

  const server = createServer({ keepAliveTimeout: 65_000 }, gatewayHandler({ targets, directory, sidecar, reporter, metrics, logger, stripRequestHeaders: new Set(gateway.strip_request_headers) }));
  const address = await listen(server, options.listen ?? gateway.listen);
  const metricsServer = gateway.metrics ? createServer((req, res) => void serveMetrics(metrics.registry, req.url, res)) : undefined;
  const metricsAddress = metricsServer ? await listen(metricsServer, gateway.metrics!) : undefined;
  logger.info({ listen: address, sidecar: target, routes: targets.length }, 'gateway listening');

  return {
    url: `http://${address}`,
    metricsUrl: metricsAddress ? `http://${metricsAddress}/metrics` : undefined,
    async stop() {
      await closeGracefully(server, config.sidecar.shutdown_grace_ms);
      metricsServer?.close();
      await reporter?.drain();
      reporter?.close();
      sidecar.close();
      await directory.close();
      await Promise.all([...upstreams.values()].map((u) => u.pool.close()));
    },
  };
}

async function serveMetrics(registry: import('prom-client').Registry, url: string | undefined, res: import('node:http').ServerResponse): Promise<void> {
  if (url !== '/metrics') {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
}

/**
 * Stops accepting, then closes each keep-alive connection as soon as it is idle (a request in flight, a stream
 * included, finishes first); after the grace period whatever is left is cut.
 */
function closeGracefully(server: Server, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function listen(server: Server, hostPort: string): Promise<string> {
  const colon = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(hostPort.slice(colon + 1));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      resolve(a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`);
    });
  });
}
