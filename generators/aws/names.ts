// Names and ARNs of an environment's AWS resources, derived from its environment file so two
// environments in one account never collide. The documents (documents.ts), the bootstrap (bootstrap.ts)
// and the objects that carry an IRSA role (credentials.ts) all take them from here.
import type { EnvironmentSettings } from '../environment/settings';

/** The AWS Secrets Manager secret holding Tempo's static S3 keys (externalSecrets mode). */
export const S3_SECRET_REMOTE = 'tempo/s3-credentials';
/** The AWS Secrets Manager secret with Tempo 3's Kafka SASL/PLAIN username and password (kafka.external.sasl). */
export const KAFKA_SECRET_REMOTE = 'tempo/kafka-credentials';

export const partition = (region: string): string => (region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws');

/** IAM names, derived from the cluster name so two environments in one account never collide. */
export function awsNames(env: EnvironmentSettings) {
  return {
    /** irsa: the role Tempo's service account assumes. */
    tempoRole: `${env.cluster.name}-tempo-s3`,
    /** externalSecrets: the user whose static keys live in Secrets Manager. */
    tempoUser: `${env.cluster.name}-tempo-s3`,
    /** externalSecrets: the role the SecretStore's service account assumes to read the keys. */
    secretStoreRole: `${env.cluster.name}-tempo-secret-store`,
    s3Policy: 'tempo-s3',
    /** Kept from when it read the S3 keys only: renaming would leave the old inline policy behind. */
    secretPolicy: 'tempo-read-s3-credentials',
  };
}

/** IAM allows names of at most 64 characters. */
export const IAM_NAME_LIMIT = 64;

export const iamArn = (env: EnvironmentSettings, resource: string) => `arn:${partition(env.aws.region)}:iam::${env.aws.accountId}:${resource}`;
export const tempoRoleArn = (env: EnvironmentSettings): string => iamArn(env, `role/${awsNames(env).tempoRole}`);
export const secretStoreRoleArn = (env: EnvironmentSettings): string => iamArn(env, `role/${awsNames(env).secretStoreRole}`);
export const bucketArn = (env: EnvironmentSettings): string => `arn:${partition(env.aws.region)}:s3:::${env.s3.bucket}`;
/** Secrets Manager appends six random characters to a secret's name in its ARN. */
export const secretArn = (env: EnvironmentSettings, name: string = S3_SECRET_REMOTE): string =>
  `arn:${partition(env.aws.region)}:secretsmanager:${env.aws.region}:${env.aws.accountId}:secret:${name}-??????`;
/** Tempo 3 with an external Kafka that takes SASL/PLAIN: its credentials come through the SecretStore. */
export const kafkaSasl = (env: EnvironmentSettings): boolean => env.tempo.version === '3.0' && env.kafka.cluster === 'external' && env.kafka.external.sasl;
export const kmsKeyArn = (env: EnvironmentSettings): string =>
  env.s3.kmsKeyId.startsWith('arn:') ? env.s3.kmsKeyId : `arn:${partition(env.aws.region)}:kms:${env.aws.region}:${env.aws.accountId}:key/${env.s3.kmsKeyId}`;
export const oidcProvider = (env: EnvironmentSettings) => env.cluster.oidcIssuer.replace(/^https:\/\//, '');
