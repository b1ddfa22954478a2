// API versions Kubernetes removed or deprecated (the upstream deprecated-API migration guide), checked
// against each environment's cluster.kubernetesVersion. The environment schema accepts 1.28 and later, so
// removals before 1.28 need no deprecation version: those APIs are gone on every supported cluster.

export interface RetiredApi {
  apiVersion: string;
  /** Only these kinds of the group version; all kinds when absent. */
  kinds?: string[];
  deprecatedIn?: string;
  removedIn?: string;
  use: string;
}

export const RETIRED_APIS: RetiredApi[] = [
  { apiVersion: 'extensions/v1beta1', kinds: ['DaemonSet', 'Deployment', 'ReplicaSet'], removedIn: '1.16', use: 'apps/v1' },
  { apiVersion: 'extensions/v1beta1', kinds: ['NetworkPolicy'], removedIn: '1.16', use: 'networking.k8s.io/v1' },
  { apiVersion: 'extensions/v1beta1', kinds: ['Ingress'], removedIn: '1.22', use: 'networking.k8s.io/v1' },
  { apiVersion: 'apps/v1beta1', removedIn: '1.16', use: 'apps/v1' },
  { apiVersion: 'apps/v1beta2', removedIn: '1.16', use: 'apps/v1' },
  { apiVersion: 'admissionregistration.k8s.io/v1beta1', removedIn: '1.22', use: 'admissionregistration.k8s.io/v1' },
  { apiVersion: 'apiextensions.k8s.io/v1beta1', removedIn: '1.22', use: 'apiextensions.k8s.io/v1' },
  { apiVersion: 'apiregistration.k8s.io/v1beta1', removedIn: '1.22', use: 'apiregistration.k8s.io/v1' },
  { apiVersion: 'certificates.k8s.io/v1beta1', removedIn: '1.22', use: 'certificates.k8s.io/v1' },
  { apiVersion: 'coordination.k8s.io/v1beta1', removedIn: '1.22', use: 'coordination.k8s.io/v1' },
  { apiVersion: 'networking.k8s.io/v1beta1', kinds: ['Ingress', 'IngressClass'], removedIn: '1.22', use: 'networking.k8s.io/v1' },
  { apiVersion: 'rbac.authorization.k8s.io/v1beta1', removedIn: '1.22', use: 'rbac.authorization.k8s.io/v1' },
  { apiVersion: 'scheduling.k8s.io/v1beta1', removedIn: '1.22', use: 'scheduling.k8s.io/v1' },
  { apiVersion: 'storage.k8s.io/v1beta1', kinds: ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'], removedIn: '1.22', use: 'storage.k8s.io/v1' },
  { apiVersion: 'batch/v1beta1', kinds: ['CronJob'], removedIn: '1.25', use: 'batch/v1' },
  { apiVersion: 'discovery.k8s.io/v1beta1', kinds: ['EndpointSlice'], removedIn: '1.25', use: 'discovery.k8s.io/v1' },
  { apiVersion: 'events.k8s.io/v1beta1', kinds: ['Event'], removedIn: '1.25', use: 'events.k8s.io/v1' },
  { apiVersion: 'autoscaling/v2beta1', kinds: ['HorizontalPodAutoscaler'], removedIn: '1.25', use: 'autoscaling/v2' },
  { apiVersion: 'policy/v1beta1', kinds: ['PodDisruptionBudget'], removedIn: '1.25', use: 'policy/v1' },
  { apiVersion: 'policy/v1beta1', kinds: ['PodSecurityPolicy'], removedIn: '1.25', use: 'Pod Security Admission (namespace labels)' },
  { apiVersion: 'node.k8s.io/v1beta1', kinds: ['RuntimeClass'], removedIn: '1.25', use: 'node.k8s.io/v1' },
  { apiVersion: 'autoscaling/v2beta2', kinds: ['HorizontalPodAutoscaler'], removedIn: '1.26', use: 'autoscaling/v2' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1', removedIn: '1.26', use: 'flowcontrol.apiserver.k8s.io/v1' },
  { apiVersion: 'storage.k8s.io/v1beta1', kinds: ['CSIStorageCapacity'], removedIn: '1.27', use: 'storage.k8s.io/v1' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2', deprecatedIn: '1.26', removedIn: '1.29', use: 'flowcontrol.apiserver.k8s.io/v1' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', deprecatedIn: '1.29', removedIn: '1.32', use: 'flowcontrol.apiserver.k8s.io/v1' },
  { apiVersion: 'v1', kinds: ['Endpoints'], deprecatedIn: '1.33', use: 'discovery.k8s.io/v1 EndpointSlice' },
];

/** "1.32" -> 132, comparable. */
const minor = (version: string): number => {
  const [major, min] = version.split('.').map(Number);
  return (major ?? 0) * 100 + (min ?? 0);
};

/** Why `apiVersion`/`kind` must not be used on a cluster of `kubernetesVersion`, if it must not. */
export function retiredApiProblem(apiVersion: string, kind: string, kubernetesVersion: string): string | undefined {
  const cluster = minor(kubernetesVersion);
  for (const api of RETIRED_APIS) {
    if (api.apiVersion !== apiVersion || (api.kinds && !api.kinds.includes(kind))) continue;
    if (api.removedIn && cluster >= minor(api.removedIn)) {
      return `${apiVersion} ${kind} was removed in Kubernetes ${api.removedIn} (this environment runs ${kubernetesVersion}); use ${api.use}`;
    }
    if (api.deprecatedIn && cluster >= minor(api.deprecatedIn)) {
      const removal = api.removedIn ? ` and is removed in ${api.removedIn}` : '';
      return `${apiVersion} ${kind} is deprecated since Kubernetes ${api.deprecatedIn}${removal} (this environment runs ${kubernetesVersion}); use ${api.use}`;
    }
  }
  return undefined;
}
