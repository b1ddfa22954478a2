// What every container declares so the scheduler, the kubelet and a reviewer can rely on it: resources,
// probes, a pinned image, and no API token it does not use.
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { allContainers, declaredPort, namespaceOf, servingContainers } from '../../generators/kubernetes/cluster';
import type { Rule } from '../types';

/** Does the container write to node disk: a writable root filesystem or a writable disk-backed emptyDir? */
export function writesToNodeDisk(c: IContainer, spec: IPodSpec): boolean {
  if (c.securityContext?.readOnlyRootFilesystem !== true) return true;
  return (c.volumeMounts ?? []).some((m) => {
    const v = spec.volumes?.find((x) => x.name === m.name);
    return !m.readOnly && v?.emptyDir !== undefined && v.emptyDir.medium !== 'Memory';
  });
}

const handler = (p: IProbe) => JSON.stringify({ exec: p.exec, httpGet: p.httpGet, tcpSocket: p.tcpSocket, grpc: p.grpc });

export function imageProblem(image: string | undefined): string | undefined {
  if (!image) return 'has no image';
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const last = image.slice(image.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : '';
  if (!tag) return `image "${image}" has no tag, so it floats with "latest"`;
  if (tag === 'latest') return `image "${image}" uses the moving tag "latest"`;
  return undefined;
}

export const workloadRules: Rule[] = [
  {
    id: 'container-resources',
    reason: 'CPU and memory requests place pods; a memory limit keeps a leak from taking the node down',
    severity: 'error',
    check: (cluster) =>
      cluster.pods.flatMap((pod) =>
        allContainers(pod.spec).flatMap((c) => {
          const missing = [
            c.resources?.requests?.cpu === undefined && 'requests.cpu',
            c.resources?.requests?.memory === undefined && 'requests.memory',
            c.resources?.limits?.memory === undefined && 'limits.memory',
          ].filter(Boolean);
          return missing.length ? [{ object: pod.owner, message: `container "${c.name}" sets no ${missing.join(', ')}` }] : [];
        }),
      ),
  },
  {
    id: 'ephemeral-storage',
    reason: 'A container that writes to node disk requests and limits ephemeral-storage, so it cannot fill the node',
    severity: 'warning',
    check: (cluster) =>
      cluster.pods.flatMap((pod) =>
        allContainers(pod.spec)
          .filter((c) => writesToNodeDisk(c, pod.spec))
          .flatMap((c) => {
            const r = c.resources;
            const missing = [r?.requests?.['ephemeral-storage'] === undefined && 'requests', r?.limits?.['ephemeral-storage'] === undefined && 'limits'].filter(
              Boolean,
            );
            return missing.length
              ? [
                  {
                    object: pod.owner,
                    message: `container "${c.name}" writes to node disk (writable emptyDir or root filesystem) but sets no ephemeral-storage ${missing.join(' or ')}`,
                  },
                ]
              : [];
          }),
      ),
  },
  {
    id: 'readiness-probe',
    reason: 'Traffic and rollouts wait for readiness; a probe on an undeclared port never passes',
    severity: 'error',
    check: (cluster) =>
      cluster.pods
        .filter((p) => p.serving)
        .flatMap((pod) =>
          servingContainers(pod.spec).flatMap((c) => {
            const p = c.readinessProbe;
            if (!p) return [{ object: pod.owner, message: `container "${c.name}" has no readinessProbe` }];
            const port = p.httpGet?.port ?? p.tcpSocket?.port ?? p.grpc?.port;
            if (port === undefined)
              return [{ object: pod.owner, message: `container "${c.name}": readinessProbe checks no port (exec); probe a declared port` }];
            return declaredPort(c, port)
              ? []
              : [{ object: pod.owner, message: `container "${c.name}": readinessProbe targets port ${port}, which the container does not declare` }];
          }),
        ),
  },
  {
    id: 'liveness-not-readiness',
    reason: 'A liveness probe identical to readiness restarts pods that are only busy or waiting, cascading an overload',
    severity: 'error',
    check: (cluster) =>
      cluster.pods.flatMap((pod) =>
        servingContainers(pod.spec)
          .filter((c) => c.livenessProbe && c.readinessProbe && handler(c.livenessProbe) === handler(c.readinessProbe))
          .map((c) => ({ object: pod.owner, message: `container "${c.name}": livenessProbe checks the same endpoint as readinessProbe` })),
      ),
  },
  {
    id: 'image-pinned',
    reason: 'Images carry a version tag or digest, so every environment runs what the PR reviewed',
    severity: 'error',
    check: (cluster) =>
      cluster.pods.flatMap((pod) =>
        allContainers(pod.spec).flatMap((c) => {
          const problem = imageProblem(c.image);
          return problem ? [{ object: pod.owner, message: `container "${c.name}": ${problem}` }] : [];
        }),
      ),
  },
  {
    id: 'service-account-token',
    reason: 'Pods mount no Kubernetes API token unless their ServiceAccount is bound to a role in this tree',
    severity: 'error',
    check: (cluster) => {
      // A ServiceAccount that a (Cluster)RoleBinding names needs its token: that pod uses the API.
      const bound = new Set<string>();
      for (const b of cluster.kind('RoleBinding', 'ClusterRoleBinding')) {
        for (const s of b.subjects ?? []) if (s.kind === 'ServiceAccount') bound.add(`${s.namespace ?? namespaceOf(b)}/${s.name}`);
      }
      return cluster.pods.flatMap((pod) => {
        if (pod.spec.automountServiceAccountToken === false) return [];
        const name = pod.spec.serviceAccountName ?? 'default';
        const account = cluster.kind('ServiceAccount').find((s) => s.metadata.name === name && namespaceOf(s) === pod.namespace);
        if (pod.spec.automountServiceAccountToken === undefined && account?.automountServiceAccountToken === false) return [];
        if (bound.has(`${pod.namespace}/${name}`)) return [];
        return [
          {
            object: pod.owner,
            message: `mounts the API token of ServiceAccount "${name}", which no RoleBinding or ClusterRoleBinding here uses: set automountServiceAccountToken: false`,
          },
        ];
      });
    },
  },
];
