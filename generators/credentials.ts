// How Tempo authenticates to S3, chosen per environment (s3.credentials):
// - irsa: the Tempo service account carries an IAM role (namespace.ts); the AWS SDK chain in Tempo's S3
//   client finds the web identity token. No keys exist anywhere.
// - externalSecrets: static keys live in AWS Secrets Manager; External Secrets syncs them into the Secret
//   tempo-s3-credentials that the Tempo containers read as env vars (components/tempo.ts), and that
//   tempo.yaml consumes as ${S3_ACCESS_KEY_ID}/${S3_SECRET_ACCESS_KEY} (tempo/config.ts). The store authenticates with
//   its own IRSA role, which can read that one secret. No Secret with data is ever in git.
import { S3_SECRET_REMOTE, secretStoreRoleArn } from './aws/names';
import type { EnvironmentSettings } from './environment/settings';
import type { KubeObject, ObjectOf } from './kubernetes/objects';
import { INSTANCE, stackLabels } from './stack';

/** The Secret the Tempo containers read their S3 keys from, its keys, and the env vars they become. */
export const S3_SECRET = 'tempo-s3-credentials';
export const S3_SECRET_KEYS = { accessKey: 'access_key_id', secretKey: 'secret_access_key' } as const;
export const S3_ENV = { accessKey: 'S3_ACCESS_KEY_ID', secretKey: 'S3_SECRET_ACCESS_KEY' } as const;
/** External Secrets: the store reading AWS Secrets Manager and the service account whose IRSA role it uses. */
export const SECRET_STORE = `${INSTANCE}-aws-secrets-manager`;
export const SECRET_STORE_SERVICE_ACCOUNT = `${INSTANCE}-secret-store`;

export const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';
/** How often External Secrets re-reads AWS Secrets Manager; a rotated key reaches the pods within this. */
export const REFRESH_INTERVAL = '1h';
/**
 * Rotation: env vars are read once at start, so pods must restart when the synced Secret changes. A hash
 * annotation cannot work (the Secret is not in git); Stakater Reloader watches the Secret and rolls every
 * workload carrying this annotation (run it with --reload-strategy=annotations so Argo CD sees no drift).
 */
export const RELOAD_ANNOTATION = 'secret.reloader.stakater.com/reload';

/** The SecretStore serves the S3 keys (externalSecrets) and Tempo 3's Kafka SASL/PLAIN credentials. */
export const needsSecretStore = (env: EnvironmentSettings): boolean =>
  env.s3.credentials === 'externalSecrets' || (env.tempo.version === '3.0' && env.kafka.cluster === 'external' && env.kafka.external.sasl);

export function credentialObjects(env: EnvironmentSettings): KubeObject[] {
  if (!needsSecretStore(env)) return [];
  const labels = stackLabels(env.tempo.tag);
  const serviceAccount: ObjectOf<'ServiceAccount'> = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: SECRET_STORE_SERVICE_ACCOUNT, labels, annotations: { [IRSA_ANNOTATION]: secretStoreRoleArn(env) } },
    // No pod runs as it: the External Secrets controller requests its tokens through the TokenRequest API.
    automountServiceAccountToken: false,
  };
  const store: ObjectOf<'SecretStore'> = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'SecretStore',
    metadata: { name: SECRET_STORE, labels },
    spec: {
      provider: {
        aws: {
          service: 'SecretsManager',
          region: env.aws.region,
          auth: { jwt: { serviceAccountRef: { name: SECRET_STORE_SERVICE_ACCOUNT } } },
        },
      },
    },
  };
  const externalSecret: ObjectOf<'ExternalSecret'> = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: S3_SECRET, labels },
    spec: {
      refreshInterval: REFRESH_INTERVAL,
      secretStoreRef: { kind: 'SecretStore', name: SECRET_STORE },
      target: { name: S3_SECRET, creationPolicy: 'Owner' },
      data: Object.values(S3_SECRET_KEYS).map((key) => ({ secretKey: key, remoteRef: { key: S3_SECRET_REMOTE, property: key } })),
    },
  };
  return env.s3.credentials === 'externalSecrets' ? [serviceAccount, store, externalSecret] : [serviceAccount, store];
}
