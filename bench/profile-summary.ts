/**
 * `node dist/bench/profile-summary.js FILE.cpuprofile [N]`: the N functions (default 25) with the most self time in a
 * V8 CPU profile (as written by `node --cpu-prof`), idle time left out, with their share of the busy time and the
 * total in seconds. For reading the profiles the benches can write (BENCH_EDGE_PROFILE_DIR, BENCH_INGEST_PROFILE_DIR)
 * without a browser.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, count] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node dist/bench/profile-summary.js FILE.cpuprofile [N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<string, number>();
let busyUs = 0;
profile.samples.forEach((id, i) => {
  const frame = byId.get(id)!.callFrame;
  if (frame.functionName === '(idle)') return;
  // A sample's time is the delta to the next sample.
  const us = profile.timeDeltas[i + 1] ?? 0;
  const where = frame.url ? ` ${frame.url.replace(/^.*\/(node_modules|dist)\//, '')}:${frame.lineNumber + 1}` : '';
  const name = `${frame.functionName || '(anonymous)'}${where}`;
  selfUs.set(name, (selfUs.get(name) ?? 0) + us);
  busyUs += us;
});
process.stdout.write(`${file}: ${(busyUs / 1e6).toFixed(2)} s busy\n`);
for (const [name, us] of [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, Number(count ?? 25))) {
  process.stdout.write(`${((100 * us) / busyUs).toFixed(1).padStart(6)} %  ${(us / 1e6).toFixed(3).padStart(7)} s  ${name}\n`);
}
