// The namespace (Pod Security "restricted" enforced) and the service account Tempo runs as.
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { Environment } from './environment/types';
import { NAMESPACE, SERVICE_ACCOUNT, stackLabels } from './stack';

export function namespace(): INamespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: NAMESPACE,
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
    metadata: { name: SERVICE_ACCOUNT, labels: stackLabels(env) },
    // Tempo never calls the Kubernetes API.
    automountServiceAccountToken: false,
  };
}
