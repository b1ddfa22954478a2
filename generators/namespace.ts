// The namespace (Pod Security "restricted" enforced) and the service account Tempo runs as.
import { tempoRoleArn } from './aws/names';
import { IRSA_ANNOTATION } from './credentials';
import type { EnvironmentSettings } from './environment/settings';
import type { ObjectOf } from './kubernetes/objects';
import { SERVICE_ACCOUNT, stackLabels } from './stack';

export function namespace(env: EnvironmentSettings): ObjectOf<'Namespace'> {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: env.namespace,
      // Deleting the Argo CD Application deletes the workloads but keeps the namespace, and with it the
      // ingesters' volumes (their WAL may hold traces not yet in S3).
      annotations: { 'argocd.argoproj.io/sync-options': 'Delete=false' },
      labels: {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
    },
  };
}

export function serviceAccount(env: EnvironmentSettings): ObjectOf<'ServiceAccount'> {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: SERVICE_ACCOUNT,
      labels: stackLabels(env.tempo.tag),
      // irsa: Tempo's S3 client assumes this role with the token EKS projects into the pods.
      ...(env.s3.credentials === 'irsa' ? { annotations: { [IRSA_ANNOTATION]: tempoRoleArn(env) } } : {}),
    },
    // Tempo never calls the Kubernetes API (the IRSA token is a separate volume EKS adds).
    automountServiceAccountToken: false,
  };
}
