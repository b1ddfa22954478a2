// What the environment-scoped commands (cost, bootstrap:aws) share: --env checked, its file loaded.
import type { Environment } from '../generators/environment/index';
import { visible } from '../generators/environment/load';
import { ENV_FILE, environmentNames, loadChecked } from '../generators/repository';
import { InputError } from '../generators/validation/messages';

/** At most this many problems are printed; a file with thousands says how many more there are. */
export const MAX_PRINTED_PROBLEMS = 50;

/** `<command>: N problem(s)<suffix>:` then the problems, one a line, capped. */
export function printProblems(command: string, problems: string[], suffix = ''): void {
  // Invisible characters are shown (<U+200B>) wherever a problem quotes the input.
  const lines = problems.slice(0, MAX_PRINTED_PROBLEMS).map((p) => `  ${visible(p)}`);
  if (problems.length > MAX_PRINTED_PROBLEMS) lines.push(`  ... and ${problems.length - MAX_PRINTED_PROBLEMS} more (fix these first)`);
  console.error(`${command}: ${problems.length} problem(s)${suffix}:\n${lines.join('\n')}`);
}

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
    printProblems(command, e.problems);
    return 1;
  }
}
