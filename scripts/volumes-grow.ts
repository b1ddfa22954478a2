// npm run volumes:grow -- --env <env> --size <quantity> [--component ingester]: prints the steps that grow a
// StatefulSet component's volumes in place (generators/volumes.ts), in both stacks of a dual run. It changes
// nothing itself.
import { parseArgs } from 'node:util';
import { STATEFUL_TARGETS } from '../generators/components/index';
import { growVolumes } from '../generators/volumes';
import { loadCli } from './cli';

const USAGE = `usage: npm run volumes:grow -- --env <environment> --size <quantity, e.g. 100Gi> [--component ${STATEFUL_TARGETS.join('|')}] (default: the ingesters, on Tempo 3.0 the live-stores)`;

export function main(argv: string[], root = process.cwd()): number {
  let values: { env?: string; size?: string; component?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { env: { type: 'string' }, size: { type: 'string' }, component: { type: 'string' }, help: { type: 'boolean' } },
    }));
  } catch (e) {
    console.error(`volumes:grow: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const component = values.component;
  if (component !== undefined && !(STATEFUL_TARGETS as readonly string[]).includes(component)) {
    console.error(`volumes:grow: --component ${component} keeps no volume; expected one of: ${STATEFUL_TARGETS.join(', ')}\n${USAGE}`);
    return 2;
  }
  if (!values.size) {
    console.error(`volumes:grow: --size is required\n${USAGE}`);
    return 2;
  }
  const env = loadCli('volumes:grow', values.env, root, USAGE);
  if (typeof env === 'number') return env;
  const plan = growVolumes(env, component ?? (env.tempo.version === '3.0' ? 'live-store' : 'ingester'), values.size);
  if ('problems' in plan) {
    for (const p of plan.problems) console.error(`volumes:grow: ${p}`);
    return 2;
  }
  console.log(plan.script.trimEnd());
  return 0;
}
