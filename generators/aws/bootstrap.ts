// `npm run bootstrap:aws`: the aws CLI commands that create an environment's AWS resources from the
// documents in overlays/<env>/aws/ (documents.ts), as one script that a dry run prints and --apply runs.
import { S3_SECRET_KEYS, needsSecretStore } from '../credentials';
import { KAFKA_ENV, KAFKA_SECRET_KEYS } from '../kafka/facts';
import { stacksOf } from '../environment/migration';
import { type WithDualRun, awsDir } from './documents';
import { KAFKA_SECRET_REMOTE, S3_SECRET_REMOTE, awsNames, kafkaSasl } from './names';

export interface BootstrapStep {
  what: string;
  /** One shell command line, run from the repository root. */
  command: string;
}

/** POSIX shell quoting: bare when safe, single-quoted otherwise. */
export const shellQuote = (arg: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
const cmd = (...args: string[]) => args.map(shellQuote).join(' ');

/**
 * The aws CLI commands that create this environment's AWS resources, in order. Every step can run again:
 * creations are guarded by a lookup, everything else is a put that converges. A dual run's Tempo 3 stack
 * shares them: what either stack needs (a Kafka secret, the SecretStore's role) is created.
 */
export function bootstrapSteps(env: WithDualRun): BootstrapStep[] {
  const { bucket } = env.s3;
  const region = env.aws.region;
  const names = awsNames(env);
  const file = (name: string) => `file://${awsDir(env)}/${name}`;
  const s3api = (op: string, ...args: string[]) => cmd('aws', 's3api', op, '--region', region, '--bucket', bucket, ...args);
  const role = (name: string, trust: string, policyName: string, policy: string): BootstrapStep[] => [
    {
      what: `IAM role ${name} (IRSA trust policy)`,
      command: `${cmd('aws', 'iam', 'get-role', '--role-name', name)} >/dev/null 2>&1 || ${cmd('aws', 'iam', 'create-role', '--role-name', name, '--assume-role-policy-document', file(trust))}`,
    },
    { what: `trust policy of ${name}`, command: cmd('aws', 'iam', 'update-assume-role-policy', '--role-name', name, '--policy-document', file(trust)) },
    {
      what: `permissions of ${name}`,
      command: cmd('aws', 'iam', 'put-role-policy', '--role-name', name, '--policy-name', policyName, '--policy-document', file(policy)),
    },
  ];

  const steps: BootstrapStep[] = [
    {
      what: `the caller is in account ${env.aws.accountId} (environment ${env.name})`,
      command: `test "$(${cmd('aws', 'sts', 'get-caller-identity', '--query', 'Account', '--output', 'text')})" = ${env.aws.accountId} || { echo 'not AWS account ${env.aws.accountId}: switch AWS_PROFILE' >&2; exit 1; }`,
    },
    {
      what: `bucket ${bucket}`,
      command: `${cmd('aws', 's3api', 'head-bucket', '--region', region, '--bucket', bucket)} >/dev/null 2>&1 || ${cmd(
        'aws',
        's3api',
        'create-bucket',
        '--region',
        region,
        '--bucket',
        bucket,
        // us-east-1 is the one region that refuses an explicit LocationConstraint.
        ...(region === 'us-east-1' ? [] : ['--create-bucket-configuration', `LocationConstraint=${region}`]),
      )}`,
    },
    { what: 'versioning', command: s3api('put-bucket-versioning', '--versioning-configuration', 'Status=Enabled') },
    { what: 'lifecycle', command: s3api('put-bucket-lifecycle-configuration', '--lifecycle-configuration', file('lifecycle.json')) },
    { what: 'default encryption', command: s3api('put-bucket-encryption', '--server-side-encryption-configuration', file('encryption.json')) },
    { what: 'public-access block', command: s3api('put-public-access-block', '--public-access-block-configuration', file('public-access-block.json')) },
  ];
  const secretStore = stacksOf(env).some(needsSecretStore)
    ? role(names.secretStoreRole, 'secret-store-trust-policy.json', names.secretPolicy, 'secret-store-policy.json')
    : [];
  if (env.s3.credentials === 'irsa') {
    steps.push(...role(names.tempoRole, 'tempo-trust-policy.json', names.s3Policy, 's3-policy.json'), ...kafkaSecret(env), ...secretStore);
    return steps;
  }
  const keyAsSecret = cmd(
    'aws',
    'iam',
    'create-access-key',
    '--user-name',
    names.tempoUser,
    '--query',
    `{${S3_SECRET_KEYS.accessKey}: AccessKey.AccessKeyId, ${S3_SECRET_KEYS.secretKey}: AccessKey.SecretAccessKey}`,
    '--output',
    'json',
  );
  steps.push(
    {
      what: `IAM user ${names.tempoUser} (its keys are what Tempo uses)`,
      command: `${cmd('aws', 'iam', 'get-user', '--user-name', names.tempoUser)} >/dev/null 2>&1 || ${cmd('aws', 'iam', 'create-user', '--user-name', names.tempoUser)}`,
    },
    {
      what: `permissions of ${names.tempoUser}`,
      command: cmd(
        'aws',
        'iam',
        'put-user-policy',
        '--user-name',
        names.tempoUser,
        '--policy-name',
        names.s3Policy,
        '--policy-document',
        file('s3-policy.json'),
      ),
    },
    {
      what: `Secrets Manager secret ${S3_SECRET_REMOTE} with a new access key (only if the secret does not exist yet)`,
      command: `${cmd('aws', 'secretsmanager', 'describe-secret', '--region', region, '--secret-id', S3_SECRET_REMOTE)} >/dev/null 2>&1 || ${cmd(
        'aws',
        'secretsmanager',
        'create-secret',
        '--region',
        region,
        '--name',
        S3_SECRET_REMOTE,
        '--description',
        `S3 keys of Tempo (${env.cluster.name})`,
      )} --secret-string "$(${keyAsSecret})" >/dev/null`,
    },
    ...kafkaSecret(env),
    ...secretStore,
  );
  return steps;
}

/**
 * kafka.external.sasl: the secret the ExternalSecret reads, created (if missing) from the operator's
 * KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD: the Kafka's owner issues them, so the script cannot.
 */
function kafkaSecret(env: WithDualRun): BootstrapStep[] {
  if (!stacksOf(env).some(kafkaSasl)) return [];
  const region = env.aws.region;
  const need = `test -n "\${${KAFKA_ENV.username}:-}" && test -n "\${${KAFKA_ENV.password}:-}" || { echo 'set ${KAFKA_ENV.username} and ${KAFKA_ENV.password} (the Kafka credentials of Tempo) to create ${KAFKA_SECRET_REMOTE}' >&2; exit 1; }`;
  const json = `node -e ${shellQuote(`process.stdout.write(JSON.stringify({${KAFKA_SECRET_KEYS.username}: process.env.${KAFKA_ENV.username}, ${KAFKA_SECRET_KEYS.password}: process.env.${KAFKA_ENV.password}}))`)}`;
  const create = cmd(
    'aws',
    'secretsmanager',
    'create-secret',
    '--region',
    region,
    '--name',
    KAFKA_SECRET_REMOTE,
    '--description',
    `Kafka SASL/PLAIN credentials of Tempo (${env.cluster.name})`,
  );
  return [
    {
      what: `Secrets Manager secret ${KAFKA_SECRET_REMOTE} from ${KAFKA_ENV.username} and ${KAFKA_ENV.password} (only if the secret does not exist yet)`,
      command: `${cmd('aws', 'secretsmanager', 'describe-secret', '--region', region, '--secret-id', KAFKA_SECRET_REMOTE)} >/dev/null 2>&1 || { ${need}; ${create} --secret-string "$(${json})" >/dev/null; }`,
    },
  ];
}

/** The steps as one shell script: what the dry run prints is exactly what --apply runs. */
export function bootstrapScript(env: WithDualRun): string {
  const lines = ['set -euo pipefail', ...bootstrapSteps(env).flatMap((s) => [`echo ${shellQuote(`==> ${s.what}`)}`, s.command])];
  return `${lines.join('\n')}\n`;
}
