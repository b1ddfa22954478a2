// The AWS side of an environment, from the same environment.yaml: the bucket's lifecycle, encryption and
// public-access block, the least-privilege IAM policy Tempo needs and the IRSA trust policies. They are
// generated to overlays/<env>/aws/ so a PR shows them; kustomize never reads them (no kustomization lists
// them); `npm run bootstrap:aws` applies them (bootstrap.ts).
import { SECRET_STORE_SERVICE_ACCOUNT, needsSecretStore } from '../credentials';
import { stacksOf } from '../environment/migration';
import type { EnvironmentSettings } from '../environment/settings';
import { longestRetention } from '../environment/tenants';
import { type Files, jsonFile } from '../files';
import { SERVICE_ACCOUNT } from '../stack';
import type { Problem } from '../validation/messages';
import { IAM_NAME_LIMIT, KAFKA_SECRET_REMOTE, S3_SECRET_REMOTE, awsNames, bucketArn, iamArn, kafkaSasl, kmsKeyArn, oidcProvider, secretArn } from './names';

export const AWS_DIR = 'aws';
/** Hours of the compactor's compacted_block_retention (tempo/config.ts) plus a day for S3's once-a-day lifecycle run. */
export const LIFECYCLE_MARGIN_HOURS = 24;

/** Exactly what Tempo does on its bucket (Tempo's documented minimal policy). */
export const TEMPO_BUCKET_ACTIONS = ['s3:ListBucket'] as const;
export const TEMPO_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:GetObjectTagging', 's3:PutObjectTagging'] as const;

type Json = Record<string, unknown>;

/**
 * No transition to another storage class: blocks live retention plus the noncurrent days (15 in prod),
 * and for objects that short Standard is the cheapest class Tempo can read (generators/cost.ts
 * storageClassCosts, shown by `npm run cost`): Intelligent-Tiering bills Standard's price until an object
 * is 30 days without access, plus a monitoring fee; Standard-IA can be reached only at 30 days; Glacier
 * Instant Retrieval bills 90 days at least and $0.03 per GB read; Glacier Flexible Retrieval and Deep
 * Archive bill 90 and 180 days and must be restored (hours) before Tempo's GETs can read a block.
 */
export function lifecycle(env: EnvironmentSettings): Json {
  const filter = { Prefix: `${env.s3.prefix}/` };
  const l = env.s3.lifecycle;
  return {
    Rules: [
      {
        ID: 'tempo-blocks',
        Status: 'Enabled',
        Filter: filter,
        // A backstop: the compactor deletes blocks after retention; this catches what it never will.
        Expiration: { Days: expirationDays(env) },
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

export function encryption(env: EnvironmentSettings): Json {
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
export function s3Policy(env: EnvironmentSettings): Json {
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
/** `namespaces`: where the service account runs (a dual run: both stacks'; one is written as a string, several as a list). */
export function trustPolicy(env: EnvironmentSettings, serviceAccount: string, namespaces: string[] = [env.namespace]): Json {
  const subjects = namespaces.map((ns) => `system:serviceaccount:${ns}:${serviceAccount}`);
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
            [`${provider}:sub`]: subjects.length === 1 ? subjects[0] : subjects,
            [`${provider}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  };
}

/** The SecretStore's role reads the secrets its ExternalSecrets name (S3 keys, Kafka credentials), nothing more. */
export function secretStorePolicy(env: EnvironmentSettings): Json {
  const read = (Sid: string, name: string) => ({ Sid, Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [secretArn(env, name)] });
  return {
    Version: '2012-10-17',
    Statement: [
      ...(env.s3.credentials === 'externalSecrets' ? [read('ReadTempoS3Credentials', S3_SECRET_REMOTE)] : []),
      ...(kafkaSasl(env) ? [read('ReadTempoKafkaCredentials', KAFKA_SECRET_REMOTE)] : []),
    ],
  };
}

/** An environment with its dual run's Tempo 3 stack (migration.tempo3), whose pods use the same roles. */
export type WithDualRun = EnvironmentSettings & { migration?: { stack: EnvironmentSettings } };

/** The documents of one environment, by file name under overlays/<env>/aws/. */
export function awsDocuments(env: WithDualRun): Record<string, Json> {
  const stacks = stacksOf(env);
  const docs: Record<string, Json> = {
    'lifecycle.json': lifecycle(env),
    'encryption.json': encryption(env),
    'public-access-block.json': publicAccessBlock(),
    's3-policy.json': s3Policy(env),
  };
  if (env.s3.credentials === 'irsa')
    docs['tempo-trust-policy.json'] = trustPolicy(
      env,
      SERVICE_ACCOUNT,
      stacks.map((s) => s.namespace),
    );
  // The SecretStore (S3 keys, Kafka credentials, or both): its role's trust and what it may read.
  const stores = stacks.filter(needsSecretStore);
  if (stores.length) {
    docs['secret-store-trust-policy.json'] = trustPolicy(
      env,
      SECRET_STORE_SERVICE_ACCOUNT,
      stores.map((s) => s.namespace),
    );
    const statements = stores.flatMap((s) => (secretStorePolicy(s) as { Statement: Array<{ Sid: string }> }).Statement);
    docs['secret-store-policy.json'] = { ...(secretStorePolicy(env) as object), Statement: [...new Map(statements.map((st) => [st.Sid, st])).values()] };
  }
  return docs;
}

export const awsDir = (env: EnvironmentSettings): string => `overlays/${env.name}/${AWS_DIR}`;

/** JSON has no comments: these files are generated because their directory is owned by generate (repository.ts). */
export function awsFiles(env: WithDualRun): Files {
  const files: Files = new Map();
  for (const [file, doc] of Object.entries(awsDocuments(env))) files.set(`${awsDir(env)}/${file}`, jsonFile(doc));
  return files;
}

/** The fewest days S3 may keep blocks: the longest retention of any tenant plus the margin. */
export function minimumExpirationDays(env: EnvironmentSettings): number {
  return Math.ceil((longestRetention(env).retention.hours + LIFECYCLE_MARGIN_HOURS) / 24);
}

/** s3.lifecycle.expirationDays, or (unset) the fewest days that keep every tenant's blocks. */
export const expirationDays = (env: EnvironmentSettings): number => env.s3.lifecycle.expirationDays ?? minimumExpirationDays(env);

/** What AWS would refuse or what would lose data, as problems of environment.yaml fields. */
export function awsProblems(env: EnvironmentSettings): Problem[] {
  const problems: Problem[] = [];
  // The lifecycle is a backstop: expiring a block before the compactor is done with it breaks queries.
  const minDays = minimumExpirationDays(env);
  const set = env.s3.lifecycle.expirationDays;
  if (set !== undefined && set < minDays) {
    const { retention, tenant } = longestRetention(env);
    const whose = tenant === undefined ? 'retention' : `retention of tenant "${tenant}" (limits.tenants)`;
    problems.push({
      path: 's3.lifecycle.expirationDays',
      message: `${set} days would expire blocks Tempo still serves (${whose} ${retention.text} = ${+retention.days.toFixed(2)} days); expected at least ${minDays}: the longest retention plus a day for compacted blocks and S3's daily lifecycle run (or leave it out: it then follows the longest retention)`,
    });
  }
  const longest = Object.values(awsNames(env)).reduce((a, b) => (b.length > a.length ? b : a));
  if (longest.length > IAM_NAME_LIMIT) {
    problems.push({
      path: 'cluster.name',
      message: `makes the IAM name "${longest}" ${longest.length} characters long (IAM allows ${IAM_NAME_LIMIT}); expected at most ${IAM_NAME_LIMIT - longest.length + env.cluster.name.length} characters`,
    });
  }
  return problems;
}
