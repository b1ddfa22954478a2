// npm run bench:stack [-- --env <name>] [--rates 2000,4000,8000,16000,32000] [--step-seconds 5]
// The loopback stack of one environment (default prod) under rising push rates, against a baseline of
// the same topology on Tempo's defaults, in the same run (tests/e2e/bench.ts). A benchmark: it reports
// and exits 0 unless the stack cannot run.
import { parseArgs } from 'node:util';
import { DEFAULT_BENCH, benchStack, machine, report } from '../tests/e2e/bench';
import { findBinaries } from '../tests/e2e/binaries';
import { readRendered } from '../tests/e2e/rendered';

export async function main(argv: string[], root = process.cwd()): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { env: { type: 'string', default: 'prod' }, root: { type: 'string' }, rates: { type: 'string' }, 'step-seconds': { type: 'string' } },
  });
  const found = findBinaries(root);
  if (!found.found) {
    console.log(`bench:stack: skipped: ${found.missing.join('\n')}`);
    return process.env.CI === 'true' ? 1 : 0;
  }
  const env = readRendered(values.root ?? root, values.env!);
  const rates = values.rates ? values.rates.split(',').map(Number) : DEFAULT_BENCH.rates;
  if (rates.some((r) => !(r > 0))) {
    console.error(`bench:stack: --rates must be positive numbers: ${values.rates}`);
    return 2;
  }
  const stepSeconds = Number(values['step-seconds'] ?? DEFAULT_BENCH.stepSeconds);
  console.log(`bench:stack ${env.name} on ${machine()}`);
  const started = Date.now();
  const results = await benchStack(env, found.found, { ...DEFAULT_BENCH, rates, stepSeconds, log: (l) => console.log(`  ${l}`) });
  console.log(`\n${report(results)}\n\n(${((Date.now() - started) / 1000).toFixed(0)} s; trace by id and search sampled every 250 ms through the query-frontend: ${results.map((r) => `${r.name} ${r.queries}`).join(', ')} queries)`);
  return 0;
}
