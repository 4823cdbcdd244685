import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { itemsPerRequest, scaled, scenarios, summaryTable, passes, type ScenarioName, type SummaryRow, type TargetName } from '../workloads.js';
import { percentile, runArrivals } from './arrivals.js';
import { startLocalStack, type LocalStack } from './stack.js';
import { openTarget, type Endpoints } from './targets.js';

const USAGE = `usage: node dist/loadtest/driver/run.js [options]
  --scenarios steady,spike,hot_tenant   which scenarios (default: all)
  --targets check,check_batch,report_batch,gateway   which targets (default: all)
  --rate-scale N     multiply arrival rates (default 0.05: sized for a small shared machine; 1 = the k6 numbers)
  --time-scale N     multiply durations (default 0.2)
  --tenants N        tenants in the generated catalog (default 1000)
  --serve            start the local stack, write keys.json, print how to point k6 at it, and wait
  --sidecar T --gateway URL --keys FILE   load an existing deployment instead of a local stack
  --strict           exit 1 when a threshold fails`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenarios: { type: 'string', default: 'steady,spike,hot_tenant' },
      targets: { type: 'string', default: 'check,check_batch,report_batch,gateway' },
      'rate-scale': { type: 'string', default: '0.05' },
      'time-scale': { type: 'string', default: '0.2' },
      tenants: { type: 'string', default: '1000' },
      serve: { type: 'boolean', default: false },
      sidecar: { type: 'string' },
      gateway: { type: 'string' },
      keys: { type: 'string' },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const names = values.scenarios.split(',') as ScenarioName[];
  const targets = values.targets.split(',') as TargetName[];
  for (const n of names) if (!scenarios[n]) throw new Error(`--scenarios: unknown scenario "${n}"`);
  for (const t of targets) if (!['check', 'check_batch', 'report_batch', 'gateway'].includes(t)) throw new Error(`--targets: unknown target "${t}"`);
  const rateScale = Number(values['rate-scale']);
  const timeScale = Number(values['time-scale']);

  let stack: LocalStack | undefined;
  let endpoints: Endpoints;
  if (values.sidecar) {
    const { readFileSync } = await import('node:fs');
    endpoints = { sidecar: values.sidecar, gateway: values.gateway ?? 'http://127.0.0.1:8080', keys: values.keys ? JSON.parse(readFileSync(values.keys, 'utf8')) : [] };
  } else {
    stack = await startLocalStack({ tenants: Number(values.tenants), perSecond: 200, burst: 400 });
    endpoints = { sidecar: stack.sidecarTarget, gateway: stack.gatewayUrl, keys: stack.keys };
  }

  try {
    if (values.serve && stack) {
      writeFileSync('keys.json', JSON.stringify(stack.keys));
      process.stdout.write(
        `local stack running (Ctrl-C to stop); keys.json written.\n` +
          `  k6 run -e TARGET=check -e SIDECAR=${stack.sidecarTcp} loadtest/k6/grpc.ts\n` +
          `  k6 run -e GATEWAY=${stack.gatewayUrl} -e KEYS_FILE=$PWD/keys.json loadtest/k6/gateway.ts\n`,
      );
      await new Promise<void>((r) => {
        process.once('SIGINT', () => r());
        process.once('SIGTERM', () => r());
      });
      return;
    }
    const rows: SummaryRow[] = [];
    for (const target of targets) {
      const t = openTarget(target, endpoints);
      for (const name of names) {
        const scenario = scaled(scenarios[name], rateScale, timeScale);
        process.stderr.write(`running ${name} against ${target} (${scenario.stages.map((s) => `${s.rate}/s for ${s.seconds}s`).join(', ')})\n`);
        const stats = await runArrivals(scenario, () => t.fire(scenario), 512);
        const sorted = stats.latenciesMs.slice().sort();
        rows.push({
          scenario: name,
          target,
          requests: stats.requests,
          items: stats.requests * itemsPerRequest(target),
          seconds: stats.seconds,
          p50Ms: percentile(sorted, 50),
          p90Ms: percentile(sorted, 90),
          p99Ms: percentile(sorted, 99),
          errors: stats.errors,
          denied: stats.denied,
          dropped: stats.dropped,
        });
      }
      await t.close();
    }
    process.stdout.write(`\n${summaryTable(rows)}\n`);
    if (values.strict && !rows.every(passes)) process.exitCode = 1;
  } finally {
    await stack?.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`loadtest: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
