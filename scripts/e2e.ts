// npm run e2e [-- --env <name>]... [--root <dir>] [--plant <fault>] [--expect-fail <check>]
//             [--scenario <name>] [--alert-faults <env>]... [--vulture-seconds <n>] [--keep]
// Runs the real Tempo (2.10.8, or 3.0.3 for environments on 3.0) against each rendered environment on
// loopback (tests/e2e/run.ts) and prints every check. Without --env: every environment under overlays/.
// --plant and --expect-fail invert the verdict: the run passes only if it fails at that check (proof that
// the check catches the fault). --alert-faults <env> adds the alert faults (minutes) to that environment's run.
import { parseArgs } from 'node:util';
import { findBinaries } from '../tests/e2e/binaries';
import { fault } from '../tests/e2e/faults';
import { environmentNames } from '../tests/e2e/rendered';
import { runE2E, type E2EResult } from '../tests/e2e/run';
import { SCENARIOS, withScenario } from '../tests/e2e/scenarios';

const USAGE =
  'usage: npm run e2e [-- --env <name>]... [--root <dir>] [--plant <fault>] [--expect-fail <check>] [--scenario <name>] [--alert-faults <env>]... [--vulture-seconds <n>] [--keep]';

const parseOptions = (argv: string[]) =>
  parseArgs({
    args: argv,
    options: {
      env: { type: 'string', multiple: true },
      root: { type: 'string' },
      plant: { type: 'string' },
      'expect-fail': { type: 'string' },
      scenario: { type: 'string' },
      'vulture-seconds': { type: 'string', default: '60' },
      'alert-faults': { type: 'string', multiple: true },
      keep: { type: 'boolean', default: false },
    },
  }).values;

export async function main(argv: string[], root = process.cwd()): Promise<number> {
  let args: ReturnType<typeof parseOptions>;
  try {
    args = parseOptions(argv);
  } catch (e) {
    console.error(`e2e: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const found = findBinaries(root);
  if (!found.found) {
    const why = `e2e: skipped: ${found.missing.join('\n')}`;
    if (process.env.CI === 'true') {
      console.error(`${why}\ne2e: CI=true: a missing binary is a failure, not a skip`);
      return 1;
    }
    console.log(why);
    return 0;
  }
  const expectFail = args['expect-fail'] ?? (args.plant ? fault(args.plant).failsCheck : undefined);
  const run = async (treeRoot: string, envs: string[], skipObservability?: string): Promise<number> => {
    const stray = (args['alert-faults'] ?? []).filter((e) => !envs.includes(e));
    if (stray.length) {
      console.error(`e2e: --alert-faults ${stray.join(', ')}: not among the environments of this run (${envs.join(', ')})`);
      return 2;
    }
    const results: E2EResult[] = [];
    for (const env of envs) {
      console.log(`\n== e2e ${env}${args.plant ? ` (planted: ${args.plant})` : ''}`);
      const r = await runE2E(
        {
          root: treeRoot,
          env,
          plant: args.plant,
          vultureSeconds: Number(args['vulture-seconds']),
          alertFaults: args['alert-faults']?.includes(env) ?? false,
          skipObservability,
          keep: args.keep ?? false,
          log: (l) => console.log(l),
        },
        found.found!,
      );
      for (const n of r.notes) console.log(`  note: ${n}`);
      console.log(`== ${env}: ${r.ok ? 'passed' : `FAILED: ${r.failure!.message}`} in ${(r.wallMs / 1000).toFixed(1)} s`);
      results.push(r);
    }
    return verdict(results, expectFail);
  };
  if (args.scenario) return withScenario(args.scenario, root, (dir, env, s) => run(dir, [env], s.skipObservability));
  const treeRoot = args.root ?? root;
  const envs = args.env?.length ? args.env : environmentNames(treeRoot);
  if (!envs.length) {
    console.error(`e2e: no overlays/*/environment.yaml under ${treeRoot}`);
    return 2;
  }
  return run(treeRoot, envs);
}

/** Exit code: 0 if every run passed, or (with an expected failure) if every run failed at that check. */
export function verdict(results: E2EResult[], expectFail: string | undefined): number {
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  if (!expectFail) {
    console.log(`\ne2e: ${passed} passed, ${failed} failed`);
    return failed ? 1 : 0;
  }
  const asExpected = results.filter((r) => r.failure?.check.startsWith(expectFail));
  for (const r of results) {
    if (asExpected.includes(r)) console.log(`e2e ${r.env}: check "${r.failure!.check}" failed, as expected`);
    else console.error(`e2e ${r.env}: expected check "${expectFail}" to fail; ${r.ok ? 'every check passed' : `"${r.failure!.check}" failed instead`}`);
  }
  console.log(`\ne2e: ${asExpected.length} passed, ${results.length - asExpected.length} failed`);
  return asExpected.length === results.length ? 0 : 1;
}

export { SCENARIOS };
