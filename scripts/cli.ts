// What the environment-scoped commands (cost, bootstrap:aws) share: --env checked, its file loaded.
import type { Environment } from '../generators/environment/index';
import { ENV_FILE, environmentNames, loadChecked } from '../generators/repository';
import { InputError } from '../generators/validation/messages';

/** The environment, or the exit code after printing why not. */
export function loadCli(command: string, name: unknown, root: string, usage: string): Environment | number {
  const known = environmentNames(root);
  if (typeof name !== 'string' || !known.includes(name)) {
    console.error(
      `${command}: ${typeof name === 'string' ? `no overlays/${name}/${ENV_FILE}` : '--env is required'}; expected one of: ${known.join(', ')}\n${usage}`,
    );
    return 2;
  }
  try {
    return loadChecked(root, name);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    console.error(`${command}: ${e.problems.length} problem(s):`);
    for (const p of e.problems) console.error(`  ${p}`);
    return 1;
  }
}
