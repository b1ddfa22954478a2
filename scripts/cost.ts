// npm run cost -- --env <env> [--sampling-percentage N] [--ingest-gb-per-day N] [--<assumption> N ...]: a
// monthly cost estimate of one environment (during a dual run each stack, then both), offline; with
// --sampling-percentage, before and after that change of sampling.percentage. Then what each S3 storage
// class would cost for the environment's retention. `--help` lists every assumption with its default and source.
import { parseArgs } from 'node:util';
import {
  ASSUMPTIONS,
  type Assumptions,
  cheapestReadableClass,
  type CostLine,
  costTable,
  defaultAssumptions,
  estimate,
  keptShare,
  storageClassCosts,
} from '../generators/cost';
import type { Environment } from '../generators/environment/index';
import { stacksOf } from '../generators/environment/migration';
import { ownRetentions } from '../generators/environment/tenants';
import { loadCli } from './cli';

const USAGE = 'usage: npm run cost -- --env <environment> [--sampling-percentage N] [--ingest-gb-per-day N] [--<assumption> N ...] [--help]';

export function main(argv: string[], root = process.cwd()): number {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        env: { type: 'string' },
        help: { type: 'boolean' },
        'sampling-percentage': { type: 'string' },
        ...Object.fromEntries(ASSUMPTIONS.map((a) => [a.flag, { type: 'string' as const }])),
      },
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
  const what = values['sampling-percentage'];
  const percentage = typeof what === 'string' ? Number(what) : undefined;
  if (percentage !== undefined && !(what !== '' && Number.isFinite(percentage) && percentage >= 0 && percentage <= 100)) {
    console.error(`cost: --sampling-percentage: expected a percentage from 0 to 100 (the new sampling.percentage), got "${what}"`);
    return 2;
  }
  if (values.help) {
    console.log(`${USAGE}\n\nassumptions (default, unit, source):`);
    for (const a of ASSUMPTIONS) console.log(`  --${a.flag.padEnd(20)} ${String(+a.value.toFixed(6)).padStart(9)}  ${a.unit}; ${a.source}`);
    return 0;
  }
  const env = loadCli('cost', values.env, root, USAGE);
  if (typeof env === 'number') return env;
  console.log(
    `Monthly estimate for ${env.name} (${env.cluster.name}, bucket ${env.s3.bucket} in ${env.aws.region}, retention ${env.retention}${ownRetentions(env)
      .map((r) => `, tenant ${r.tenant} ${r.retention}`)
      .join('')})\n`,
  );
  if (percentage === undefined) {
    console.log(`Sampling: ${sampling(env, assumptions)}\n`);
    console.log(costTables(env, assumptions));
  } else {
    const after = withPercentage(env, percentage);
    console.log(`Before (as configured) - sampling: ${sampling(env, assumptions)}\n`);
    console.log(costTables(env, assumptions));
    console.log(`\nAfter (--sampling-percentage ${percentage}) - sampling: ${sampling(after, assumptions)}\n`);
    console.log(costTables(after, assumptions));
    console.log('\nChange:');
    const [b, a] = [lines(env, assumptions), lines(after, assumptions)];
    const change = (item: string, from: number, to: number) =>
      console.log(`  ${item.padEnd(26)} ${from.toFixed(2).padStart(9)} -> ${to.toFixed(2).padStart(9)}  (${to > from ? '+' : ''}${(to - from).toFixed(2)})`);
    for (const [i, line] of b.entries()) if (Math.abs(a[i]!.dollars - line.dollars) >= 0.005) change(line.item, line.dollars, a[i]!.dollars);
    change('total', total(b), total(a));
  }
  console.log(`\n${storageClassTable(env)}`);
  console.log('\nAssumptions (override with the flag):');
  for (const a of ASSUMPTIONS) console.log(`  --${a.flag} ${+assumptions[a.key]!.toFixed(6)} ${a.unit}`);
  console.log(
    'Compute counts requests (HPA minimums), not limits or node overhead; S3 requests are an order of magnitude: measure with tempodb_backend_request_duration_seconds_count.',
  );
  return 0;
}

const total = (lines: CostLine[]) => lines.reduce((sum, l) => sum + l.dollars, 0);
const dualRun = (env: Environment) => stacksOf(env).length > 1;
const stackTitle = (s: Environment) => `Tempo ${s.tempo.tag} stack in ${s.namespace}`;

/** Every stack's lines; in a dual run each item names its stack's Tempo version. */
const lines = (env: Environment, a: Assumptions): CostLine[] =>
  stacksOf(env).flatMap((s) => estimate(s, a).map((l) => (dualRun(env) ? { ...l, item: `${s.tempo.version} ${l.item}` } : l)));

/** The table; during a dual run both stacks run and are billed: a table per stack, then both together. */
function costTables(env: Environment, a: Assumptions): string {
  if (!dualRun(env)) return costTable(env, a);
  const tables = stacksOf(env).map((s) => `${stackTitle(s)}:\n${costTable(s, a)}`);
  return [...tables, `total of both stacks (the dual run of migration.tempo3)  ${total(lines(env, a)).toFixed(2)}`].join('\n\n');
}

/** The environment at another sampling.percentage; the agents sample for both stacks of a dual run. */
const withPercentage = (e: Environment, percentage: number): Environment => ({
  ...e,
  sampling: { ...e.sampling, percentage },
  ...(e.migration ? { migration: { ...e.migration, stack: withPercentage(e.migration.stack, percentage) } } : {}),
});

/** What the environment keeps, as the estimate counts it. */
function sampling(env: Environment, a: Assumptions): string {
  const s = env.sampling;
  const services = Object.keys(s.services).length;
  const kept = `${+(keptShare(env, a) * 100).toFixed(2)}% of what applications send reaches Tempo`;
  const how = s.tail.enabled
    ? `the gateway keeps ${s.percentage}% plus every error and slow trace (--always-kept-percent ${a.alwaysKeptPercent})`
    : `the agents keep ${s.percentage}%`;
  return `${how}; ${kept}${services ? ` (${services} per-service percentage(s) not weighted: the estimate does not know each service's traffic)` : ''}`;
}

/** Each S3 storage class for the environment's object life, and the cheapest Tempo can read from. */
function storageClassTable(env: Environment): string {
  const { lifeDays, classes } = storageClassCosts(env);
  const rows = classes.map(
    (c) =>
      `  ${c.name.padEnd(20)} ${c.dollarsPerGb === undefined ? '       n/a' : `$${c.dollarsPerGb.toFixed(5)}`.padStart(10)}  ${c.readable ? 'readable ' : 'RESTORE  '}  ${c.note}`,
  );
  return [
    `S3 storage classes for blocks that live ${+lifeDays.toFixed(2)} days (retention + noncurrent days), $ per GB over that life, minimum durations and compaction reads included:`,
    ...rows,
    `Cheapest that Tempo can read: ${cheapestReadableClass(env)} (lifecycle.json transitions nothing). n/a: a lifecycle rule may move objects there only after they are gone.`,
  ].join('\n');
}
