import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackage } from './debian.js';
import { freePort, waitFor } from './ports.js';

const SERVER_BINARY = '/usr/sbin/clickhouse-server';

function configXml(dir: string, httpPort: number, tcpPort: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${dir}/log/server.log</log>
    <errorlog>${dir}/log/server.err.log</errorlog>
    <size>10M</size>
    <count>1</count>
  </logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <max_connections>512</max_connections>
  <keep_alive_timeout>30</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <uncompressed_cache_size>134217728</uncompressed_cache_size>
  <mark_cache_size>134217728</mark_cache_size>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
</yandex>
`;
}

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
      <load_balancing>random</load_balancing>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval>
    </default>
  </quotas>
</yandex>
`;

/**
 * A clickhouse-server of the tests' own (Debian's 18.16) in a temp dir on free ports. stop/start keep the
 * ports and the data, so a test can take the server away and bring it back as in an outage.
 */
export class ClickHouseServer {
  private child?: ChildProcess;
  private constructor(
    readonly dir: string,
    readonly httpPort: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  static async start(): Promise<ClickHouseServer> {
    ensureDebianPackage(SERVER_BINARY, 'clickhouse-server');
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-ch-'));
    for (const sub of ['data', 'tmp', 'user_files', 'format_schemas', 'log']) mkdirSync(join(dir, sub), { recursive: true });
    const httpPort = await freePort();
    const tcpPort = await freePort();
    writeFileSync(join(dir, 'config.xml'), configXml(dir, httpPort, tcpPort));
    writeFileSync(join(dir, 'users.xml'), USERS_XML);
    const server = new ClickHouseServer(dir, httpPort);
    await server.start();
    return server;
  }

  async start(): Promise<void> {
    this.child = spawn(SERVER_BINARY, [`--config-file=${join(this.dir, 'config.xml')}`], { stdio: 'ignore', cwd: this.dir });
    const child = this.child;
    await waitFor(`clickhouse-server on port ${this.httpPort}`, async () => {
      if (child.exitCode !== null) throw new Error(`clickhouse-server exited with ${child.exitCode}; see ${this.dir}/log`);
      const res = await fetch(`${this.url}/?query=SELECT%201`);
      return res.ok && (await res.text()).trim() === '1' ? true : undefined;
    });
  }

  /** SIGKILL: ClickHouse vanishes as in a crash or a network partition. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Shared ClickHouse server for the tests: CLICKHOUSE_URL when set, else one started here. */
export async function startSharedClickHouse(): Promise<{ url: string; stop: () => Promise<void> } | undefined> {
  if (process.env.CLICKHOUSE_URL) return { url: process.env.CLICKHOUSE_URL, stop: async () => {} };
  const server = await ClickHouseServer.start();
  return { url: server.url, stop: () => server.destroy() };
}

/** The shared server's URL: CLICKHOUSE_URL when set, else the one global setup started. */
export function sharedClickHouseUrl(injected: string | undefined): string {
  const url = process.env.CLICKHOUSE_URL ?? injected;
  if (!url) throw new Error('no ClickHouse: global setup did not provide one and CLICKHOUSE_URL is not set');
  return url;
}
