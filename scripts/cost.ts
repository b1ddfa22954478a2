// npm run cost -- --env <env> [--ingest-gb-per-day N] [--<assumption> N ...]: a monthly cost estimate of one
// environment, offline. `--help` lists every assumption with its default and source.
import { parseArgs } from 'node:util';
import { ASSUMPTIONS, costTable, defaultAssumptions } from '../generators/cost';
import { loadCli } from './cli';

const USAGE = 'usage: npm run cost -- --env <environment> [--ingest-gb-per-day N] [--<assumption> N ...] [--help]';

export function main(argv: string[], root = process.cwd()): number {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { env: { type: 'string' }, help: { type: 'boolean' }, ...Object.fromEntries(ASSUMPTIONS.map((a) => [a.flag, { type: 'string' as const }])) },
    }));
  } catch (e) {
    console.error(`cost: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const assumptions = defaultAssumptions();
  for (const a of ASSUMPTIONS) {
    const raw = values[a.flag];
    if (typeof raw !== 'string') continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) {
      console.error(`cost: --${a.flag}: expected a number >= 0 (${a.unit}), got "${raw}"`);
      return 2;
    }
    assumptions[a.key] = n;
  }
  if (values.help) {
    console.log(`${USAGE}\n\nassumptions (default, unit, source):`);
    for (const a of ASSUMPTIONS) console.log(`  --${a.flag.padEnd(20)} ${String(+a.value.toFixed(6)).padStart(9)}  ${a.unit}; ${a.source}`);
    return 0;
  }
  const env = loadCli('cost', values.env, root, USAGE);
  if (typeof env === 'number') return env;
  console.log(`Monthly estimate for ${env.name} (${env.cluster.name}, bucket ${env.s3.bucket} in ${env.aws.region}, retention ${env.retention})\n`);
  console.log(costTable(env, assumptions));
  console.log('\nAssumptions (override with the flag):');
  for (const a of ASSUMPTIONS) console.log(`  --${a.flag} ${+assumptions[a.key]!.toFixed(6)} ${a.unit}`);
  console.log(
    'Compute counts requests (HPA minimums), not limits or node overhead; S3 requests are an order of magnitude: measure with tempodb_backend_request_duration_seconds_count.',
  );
  return 0;
}
