// The namespace (Pod Security "restricted" enforced) and the service account Tempo runs as.
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { tempoRoleArn } from './aws';
import { IRSA_ANNOTATION } from './credentials';
import type { Environment } from './environment/types';
import { NAMESPACE, SERVICE_ACCOUNT, stackLabels } from './stack';

export function namespace(): INamespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: NAMESPACE,
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

export function serviceAccount(env: Environment): IServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: SERVICE_ACCOUNT,
      labels: stackLabels(env),
      // irsa: Tempo's S3 client assumes this role with the token EKS projects into the pods.
      ...(env.s3.credentials === 'irsa' ? { annotations: { [IRSA_ANNOTATION]: tempoRoleArn(env) } } : {}),
    },
    // Tempo never calls the Kubernetes API (the IRSA token is a separate volume EKS adds).
    automountServiceAccountToken: false,
  };
}
