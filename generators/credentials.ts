// How Tempo authenticates to S3, chosen per environment (s3.credentials):
// - irsa: the Tempo service account carries an IAM role (namespace.ts); the AWS SDK chain in Tempo's S3
//   client finds the web identity token. No keys exist anywhere.
// - externalSecrets: static keys live in AWS Secrets Manager; External Secrets syncs them into the Secret
//   tempo-s3-credentials that the Tempo containers read as env vars (workloads.ts), and that tempo.yaml
//   consumes as ${S3_ACCESS_KEY_ID}/${S3_SECRET_ACCESS_KEY} (tempo-config.ts). The store authenticates with
//   its own IRSA role, which can read that one secret. No Secret with data is ever in git.
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import type { ISecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { secretStoreRoleArn } from './aws';
import type { Environment } from './environment/types';
import type { K8sObject } from './render';
import { S3_SECRET, S3_SECRET_KEYS, S3_SECRET_REMOTE, SECRET_STORE, SECRET_STORE_SERVICE_ACCOUNT, stackLabels } from './stack';

export const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';
/** How often External Secrets re-reads AWS Secrets Manager; a rotated key reaches the pods within this. */
export const REFRESH_INTERVAL = '1h';
/**
 * Rotation: env vars are read once at start, so pods must restart when the synced Secret changes. A hash
 * annotation cannot work (the Secret is not in git); Stakater Reloader watches the Secret and rolls every
 * workload carrying this annotation (run it with --reload-strategy=annotations so Argo CD sees no drift).
 */
export const RELOAD_ANNOTATION = 'secret.reloader.stakater.com/reload';

export function credentialObjects(env: Environment): K8sObject[] {
  if (env.s3.credentials !== 'externalSecrets') return [];
  const labels = stackLabels(env);
  const serviceAccount: IServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: SECRET_STORE_SERVICE_ACCOUNT, labels, annotations: { [IRSA_ANNOTATION]: secretStoreRoleArn(env) } },
    // No pod runs as it: the External Secrets controller requests its tokens through the TokenRequest API.
    automountServiceAccountToken: false,
  };
  const store: ISecretStore = {
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
  const externalSecret: IExternalSecret = {
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
  return [serviceAccount as K8sObject, store as K8sObject, externalSecret as K8sObject];
}
