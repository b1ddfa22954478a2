// The AWS side of an environment, from the same environment.yaml: the bucket's lifecycle, encryption and
// public-access block, the least-privilege IAM policy Tempo needs, the IRSA trust policies, and the aws
// CLI commands that apply them (`npm run bootstrap:aws`). The documents are generated to
// overlays/<env>/aws/ so a PR shows them; kustomize never reads them (no kustomization lists them).
import type { Environment } from './environment/types';
import type { FileTree } from './layout';
import { NAMESPACE, S3_SECRET_KEYS, S3_SECRET_REMOTE, SECRET_STORE_SERVICE_ACCOUNT, SERVICE_ACCOUNT } from './stack';

export const AWS_DIR = 'aws';
/** Hours of the compactor's compacted_block_retention (tempo-config.ts) plus a day for S3's once-a-day lifecycle run. */
export const LIFECYCLE_MARGIN_HOURS = 24;

/** Exactly what Tempo does on its bucket (Tempo's documented minimal policy). */
export const TEMPO_BUCKET_ACTIONS = ['s3:ListBucket'] as const;
export const TEMPO_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:GetObjectTagging', 's3:PutObjectTagging'] as const;

type Json = Record<string, unknown>;

export const partition = (region: string): string =>
  region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';

/** IAM names, derived from the cluster name so two environments in one account never collide. */
export function awsNames(env: Environment) {
  return {
    /** irsa: the role Tempo's service account assumes. */
    tempoRole: `${env.cluster.name}-tempo-s3`,
    /** externalSecrets: the user whose static keys live in Secrets Manager. */
    tempoUser: `${env.cluster.name}-tempo-s3`,
    /** externalSecrets: the role the SecretStore's service account assumes to read the keys. */
    secretStoreRole: `${env.cluster.name}-tempo-secret-store`,
    s3Policy: 'tempo-s3',
    secretPolicy: 'tempo-read-s3-credentials',
  };
}

const iamArn = (env: Environment, resource: string) => `arn:${partition(env.aws.region)}:iam::${env.aws.accountId}:${resource}`;
export const tempoRoleArn = (env: Environment): string => iamArn(env, `role/${awsNames(env).tempoRole}`);
export const secretStoreRoleArn = (env: Environment): string => iamArn(env, `role/${awsNames(env).secretStoreRole}`);
export const bucketArn = (env: Environment): string => `arn:${partition(env.aws.region)}:s3:::${env.s3.bucket}`;
/** Secrets Manager appends six random characters to a secret's name in its ARN. */
export const secretArn = (env: Environment): string =>
  `arn:${partition(env.aws.region)}:secretsmanager:${env.aws.region}:${env.aws.accountId}:secret:${S3_SECRET_REMOTE}-??????`;
export const kmsKeyArn = (env: Environment): string =>
  env.s3.kmsKeyId.startsWith('arn:') ? env.s3.kmsKeyId : `arn:${partition(env.aws.region)}:kms:${env.aws.region}:${env.aws.accountId}:key/${env.s3.kmsKeyId}`;
const oidcProvider = (env: Environment) => env.cluster.oidcIssuer.replace(/^https:\/\//, '');

export function lifecycle(env: Environment): Json {
  const filter = { Prefix: `${env.s3.prefix}/` };
  const l = env.s3.lifecycle;
  return {
    Rules: [
      {
        ID: 'tempo-blocks',
        Status: 'Enabled',
        Filter: filter,
        // A backstop: the compactor deletes blocks after retention; this catches what it never will.
        Expiration: { Days: l.expirationDays },
        // The bucket is versioned: without this, every block Tempo deletes is kept (and billed) forever.
        NoncurrentVersionExpiration: { NoncurrentDays: l.noncurrentVersionDays },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: l.abortIncompleteUploadDays },
      },
      // S3 refuses ExpiredObjectDeleteMarker next to Days, so it gets its own rule: delete markers left
      // alone once their versions expired would otherwise slow every LIST Tempo's pollers make.
      { ID: 'tempo-delete-markers', Status: 'Enabled', Filter: filter, Expiration: { ExpiredObjectDeleteMarker: true } },
    ],
  };
}

export function encryption(env: Environment): Json {
  const byDefault = env.s3.sse === 'SSE-KMS' ? { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKeyArn(env) } : { SSEAlgorithm: 'AES256' };
  // A bucket key cuts KMS requests (and their cost) by orders of magnitude.
  return { Rules: [{ ApplyServerSideEncryptionByDefault: byDefault, ...(env.s3.sse === 'SSE-KMS' ? { BucketKeyEnabled: true } : {}) }] };
}

export const publicAccessBlock = (): Json => ({
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
});

/** What Tempo needs on its bucket, and nothing else. */
export function s3Policy(env: Environment): Json {
  const statements: Json[] = [
    { Sid: 'ListTheBucket', Effect: 'Allow', Action: [...TEMPO_BUCKET_ACTIONS], Resource: [bucketArn(env)] },
    { Sid: 'ReadWriteBlocks', Effect: 'Allow', Action: [...TEMPO_OBJECT_ACTIONS], Resource: [`${bucketArn(env)}/*`] },
  ];
  if (env.s3.sse === 'SSE-KMS') {
    statements.push({ Sid: 'UseTheBucketKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: [kmsKeyArn(env)] });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** IRSA: only `serviceAccount` in namespace observability of this cluster may assume the role. */
export function trustPolicy(env: Environment, serviceAccount: string): Json {
  const provider = oidcProvider(env);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: iamArn(env, `oidc-provider/${provider}`) },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${provider}:sub`]: `system:serviceaccount:${NAMESPACE}:${serviceAccount}`,
            [`${provider}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  };
}

/** externalSecrets: the SecretStore's role reads the one secret, nothing more. */
export function secretStorePolicy(env: Environment): Json {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'ReadTempoS3Credentials', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [secretArn(env)] }],
  };
}

/** The documents of one environment, by file name under overlays/<env>/aws/. */
export function awsDocuments(env: Environment): Record<string, Json> {
  const docs: Record<string, Json> = {
    'lifecycle.json': lifecycle(env),
    'encryption.json': encryption(env),
    'public-access-block.json': publicAccessBlock(),
    's3-policy.json': s3Policy(env),
  };
  if (env.s3.credentials === 'irsa') docs['tempo-trust-policy.json'] = trustPolicy(env, SERVICE_ACCOUNT);
  else {
    docs['secret-store-trust-policy.json'] = trustPolicy(env, SECRET_STORE_SERVICE_ACCOUNT);
    docs['secret-store-policy.json'] = secretStorePolicy(env);
  }
  return docs;
}

export const awsDir = (env: Environment): string => `overlays/${env.name}/${AWS_DIR}`;

/** JSON has no comments: these files are generated because their directory is owned by generate (tree.ts). */
export function awsTree(env: Environment): FileTree {
  const tree: FileTree = new Map();
  for (const [file, doc] of Object.entries(awsDocuments(env))) tree.set(`${awsDir(env)}/${file}`, `${JSON.stringify(doc, null, 2)}\n`);
  return tree;
}

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
 * creations are guarded by a lookup, everything else is a put that converges.
 */
export function bootstrapSteps(env: Environment): BootstrapStep[] {
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
    { what: `permissions of ${name}`, command: cmd('aws', 'iam', 'put-role-policy', '--role-name', name, '--policy-name', policyName, '--policy-document', file(policy)) },
  ];

  const steps: BootstrapStep[] = [
    {
      what: `the caller is in account ${env.aws.accountId} (environment ${env.name})`,
      command: `test "$(${cmd('aws', 'sts', 'get-caller-identity', '--query', 'Account', '--output', 'text')})" = ${env.aws.accountId} || { echo 'not AWS account ${env.aws.accountId}: switch AWS_PROFILE' >&2; exit 1; }`,
    },
    {
      what: `bucket ${bucket}`,
      command: `${cmd('aws', 's3api', 'head-bucket', '--region', region, '--bucket', bucket)} >/dev/null 2>&1 || ${cmd(
        'aws', 's3api', 'create-bucket', '--region', region, '--bucket', bucket,
        // us-east-1 is the one region that refuses an explicit LocationConstraint.
        ...(region === 'us-east-1' ? [] : ['--create-bucket-configuration', `LocationConstraint=${region}`]),
      )}`,
    },
    { what: 'versioning', command: s3api('put-bucket-versioning', '--versioning-configuration', 'Status=Enabled') },
    { what: 'lifecycle', command: s3api('put-bucket-lifecycle-configuration', '--lifecycle-configuration', file('lifecycle.json')) },
    { what: 'default encryption', command: s3api('put-bucket-encryption', '--server-side-encryption-configuration', file('encryption.json')) },
    { what: 'public-access block', command: s3api('put-public-access-block', '--public-access-block-configuration', file('public-access-block.json')) },
  ];
  if (env.s3.credentials === 'irsa') {
    steps.push(...role(names.tempoRole, 'tempo-trust-policy.json', names.s3Policy, 's3-policy.json'));
    return steps;
  }
  const keyAsSecret = cmd('aws', 'iam', 'create-access-key', '--user-name', names.tempoUser, '--query', `{${S3_SECRET_KEYS.accessKey}: AccessKey.AccessKeyId, ${S3_SECRET_KEYS.secretKey}: AccessKey.SecretAccessKey}`, '--output', 'json');
  steps.push(
    {
      what: `IAM user ${names.tempoUser} (its keys are what Tempo uses)`,
      command: `${cmd('aws', 'iam', 'get-user', '--user-name', names.tempoUser)} >/dev/null 2>&1 || ${cmd('aws', 'iam', 'create-user', '--user-name', names.tempoUser)}`,
    },
    { what: `permissions of ${names.tempoUser}`, command: cmd('aws', 'iam', 'put-user-policy', '--user-name', names.tempoUser, '--policy-name', names.s3Policy, '--policy-document', file('s3-policy.json')) },
    {
      what: `Secrets Manager secret ${S3_SECRET_REMOTE} with a new access key (only if the secret does not exist yet)`,
      command: `${cmd('aws', 'secretsmanager', 'describe-secret', '--region', region, '--secret-id', S3_SECRET_REMOTE)} >/dev/null 2>&1 || ${cmd(
        'aws', 'secretsmanager', 'create-secret', '--region', region, '--name', S3_SECRET_REMOTE, '--description', `S3 keys of Tempo (${env.cluster.name})`,
      )} --secret-string "$(${keyAsSecret})" >/dev/null`,
    },
    ...role(names.secretStoreRole, 'secret-store-trust-policy.json', names.secretPolicy, 'secret-store-policy.json'),
  );
  return steps;
}

/** The steps as one shell script: what the dry run prints is exactly what --apply runs. */
export function bootstrapScript(env: Environment): string {
  const lines = ['set -euo pipefail', ...bootstrapSteps(env).flatMap((s) => [`echo ${shellQuote(`==> ${s.what}`)}`, s.command])];
  return `${lines.join('\n')}\n`;
}
