import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDebianPackage } from '../../tests/harness/debian.js';

const run = promisify(execFile);

/** A server to measure: a Node script and its arguments, ready once `target()` answers HOST:PORT. */
export interface MeasuredServer {
  name: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  target(stdout: () => string): Promise<string | undefined>;
}

/**
 * Instructions a server executes per gRPC call, counted by valgrind's callgrind: unlike requests per second, the
 * count does not depend on what else the machine is doing, so it compares two servers fairly on shared, noisy
 * cores. The server runs under callgrind (~50× slower); h2load warms it up (JIT), the counters are zeroed, `calls`
 * calls are sent (4 connections × 16 streams, the throughput rows' shape), and the counters are dumped.
 * Every thread of the process counts (GC helpers included).
 */
export async function instructionsPerCall(server: MeasuredServer, url: (target: string) => string, body: Buffer, workDir: string, calls = 2000, warmUp = 3000): Promise<number> {
  ensureDebianPackage('valgrind', 'valgrind');
  const bodyFile = join(workDir, `${server.name}.body`);
  writeFileSync(bodyFile, body);
  const out = join(workDir, `callgrind.${server.name}`);
  const child = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, ...server.args], {
    env: { ...process.env, ...server.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d).slice(-4000)));
  let exited = false;
  child.on('exit', () => (exited = true));
  try {
    let target: string | undefined;
    for (let i = 0; !target; i++) {
      if (exited || i > 1200) throw new Error(`${server.name} under valgrind did not start:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 500));
      target = await server.target(() => stdout).catch(() => undefined);
    }
    const h2load = async (n: number) => {
      const { stdout: summary } = await run('h2load', ['-c4', '-m16', `-n${n}`, '-d', bodyFile, '-H', 'content-type: application/grpc', '-H', 'te: trailers', url(target!)], { maxBuffer: 16 << 20 });
      if (!summary.includes(`${n} succeeded`)) throw new Error(`h2load against ${server.name} under valgrind:\n${summary}`);
    };
    await h2load(warmUp);
    await run('callgrind_control', ['-z', String(child.pid)]);
    await h2load(calls);
    await run('callgrind_control', ['-d', String(child.pid)]);
    // callgrind_control returns once the request is queued; the dump appears as <out>.1 shortly after.
    for (let i = 0; i < 120; i++) {
      const dump = readdirSync(workDir).find((f) => f.startsWith(`callgrind.${server.name}.`));
      const totals = dump && /^totals: (\d+)/m.exec(readFileSync(join(workDir, dump), 'utf8'));
      if (totals) return Number(totals[1]) / calls;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`no callgrind dump for ${server.name}`);
  } finally {
    child.kill('SIGKILL');
  }
}
