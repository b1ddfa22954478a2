// npm run bootstrap:aws -- --env <env> [--apply]: the aws CLI commands that create the environment's bucket
// (versioning, lifecycle, encryption, public-access block), IAM role or user and policies, and (External
// Secrets mode) the Secrets Manager secret. A dry run by default: it prints the script; --apply runs that
// same script with bash. The commands read the reviewed JSON in overlays/<env>/aws/, so stale files refuse.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { bootstrapScript } from '../generators/aws/bootstrap';
import { awsFiles } from '../generators/aws/documents';
import { compareFiles } from '../generators/write';
import { loadCli } from './cli';

const USAGE = 'usage: npm run bootstrap:aws -- --env <environment> [--apply]';

export function main(argv: string[], root = process.cwd()): number {
  let values: { env?: string; apply?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { env: { type: 'string' }, apply: { type: 'boolean' } } }));
  } catch (e) {
    console.error(`bootstrap:aws: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const env = loadCli('bootstrap:aws', values.env, root, USAGE);
  if (typeof env === 'number') return env;
  const stale = compareFiles(root, awsFiles(env), { owned: [], marked: [] }).written;
  if (stale.length) {
    console.error(`bootstrap:aws: ${stale.join(', ')} not up to date with overlays/${env.name}/environment.yaml; run \`npm run generate\` (and commit) first`);
    return 1;
  }
  const script = bootstrapScript(env);
  if (!values.apply) {
    console.log(
      `#!/usr/bin/env bash\n# Dry run: AWS bootstrap of ${env.name} (account ${env.aws.accountId}, ${env.aws.region}), run from the repository root.\n# Nothing was changed. Review, then: npm run bootstrap:aws -- --env ${env.name} --apply\n${script}`,
    );
    return 0;
  }
  if (spawnSync('aws', ['--version'], { stdio: 'ignore' }).error) {
    console.error('bootstrap:aws: the aws CLI is not installed (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)');
    return 1;
  }
  return spawnSync('bash', ['-c', script], { cwd: root, stdio: 'inherit' }).status ?? 1;
}
