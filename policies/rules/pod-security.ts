// Pod Security Standards "restricted" (what the namespace enforces at admission, checked before a PR
// merges), plus a read-only root filesystem, UIDs >= 10000 and no host access.
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { Cluster, PodTemplate } from '../../generators/kubernetes/cluster';
import { allContainers } from '../../generators/kubernetes/cluster';
import type { Rule, Violation } from '../types';

/** Volume types Pod Security "restricted" allows. */
export const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
export const MIN_UID = 10000;

/** One violation per container that `problem` returns a message for. */
function perContainer(cluster: Cluster, problem: (c: IContainer, pod: PodTemplate) => string | undefined): Violation[] {
  return cluster.pods.flatMap((pod) =>
    allContainers(pod.spec).flatMap((c) => {
      const message = problem(c, pod);
      return message ? [{ object: pod.owner, message: `container "${c.name}": ${message}` }] : [];
    }),
  );
}

export const podSecurityRules: Rule[] = [
  {
    id: 'pss-non-root',
    reason: 'Containers run as a non-root UID >= 10000, outside the ranges of host users and system accounts',
    severity: 'error',
    check: (cluster) =>
      perContainer(cluster, (c, pod) => {
        const nonRoot = c.securityContext?.runAsNonRoot ?? pod.spec.securityContext?.runAsNonRoot;
        const uid = c.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser;
        if (nonRoot !== true) return 'runAsNonRoot is not true (pod or container securityContext)';
        if (uid === undefined) return `runAsUser is not set: the image decides the UID; set one >= ${MIN_UID}`;
        if (uid < MIN_UID) return `runs as UID ${uid}; expected >= ${MIN_UID}`;
        return undefined;
      }),
  },
  {
    id: 'pss-privilege-escalation',
    reason: 'No container is privileged or may gain privileges (setuid binaries, ptrace)',
    severity: 'error',
    check: (cluster) =>
      perContainer(cluster, (c) => {
        if (c.securityContext?.privileged) return 'is privileged';
        return c.securityContext?.allowPrivilegeEscalation === false ? undefined : 'allowPrivilegeEscalation is not false';
      }),
  },
  {
    id: 'pss-capabilities',
    reason: 'Containers drop ALL Linux capabilities and add back at most NET_BIND_SERVICE',
    severity: 'error',
    check: (cluster) =>
      perContainer(cluster, (c) => {
        const caps = c.securityContext?.capabilities;
        if (!caps?.drop?.includes('ALL')) return 'capabilities.drop does not contain ALL';
        const extra = (caps.add ?? []).filter((a) => a !== 'NET_BIND_SERVICE');
        return extra.length ? `adds capabilities ${extra.join(', ')}` : undefined;
      }),
  },
  {
    id: 'pss-seccomp',
    reason: 'Every container runs under the RuntimeDefault (or a Localhost) seccomp profile',
    severity: 'error',
    check: (cluster) =>
      perContainer(cluster, (c, pod) => {
        const type = c.securityContext?.seccompProfile?.type ?? pod.spec.securityContext?.seccompProfile?.type;
        return type === 'RuntimeDefault' || type === 'Localhost' ? undefined : `seccompProfile is ${type ?? 'not set'}; expected RuntimeDefault`;
      }),
  },
  {
    id: 'pss-volume-types',
    reason: 'Pods mount only the volume types Pod Security "restricted" allows',
    severity: 'error',
    check: (cluster) =>
      cluster.pods.flatMap((pod) =>
        (pod.spec.volumes ?? []).flatMap((v) => {
          // hostPath is reported by no-host-access.
          const type = Object.keys(v).find((key) => key !== 'name');
          return type && type !== 'hostPath' && !RESTRICTED_VOLUME_TYPES.includes(type)
            ? [{ object: pod.owner, message: `volume "${v.name}" is of type ${type}; allowed: ${RESTRICTED_VOLUME_TYPES.join(', ')}` }]
            : [];
        }),
      ),
  },
  {
    id: 'read-only-root-filesystem',
    reason: 'Root filesystems are read-only, so every written path is a declared, size-limited volume',
    severity: 'error',
    check: (cluster) => perContainer(cluster, (c) => (c.securityContext?.readOnlyRootFilesystem === true ? undefined : 'readOnlyRootFilesystem is not true')),
  },
  {
    id: 'no-host-access',
    reason: "Pods share none of the node's namespaces, ports or files",
    severity: 'error',
    check: (cluster) =>
      cluster.pods.flatMap((pod) => {
        const problems: string[] = [];
        for (const ns of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (pod.spec[ns]) problems.push(`${ns} is true`);
        for (const v of pod.spec.volumes ?? []) if (v.hostPath) problems.push(`volume "${v.name}" is a hostPath (${v.hostPath.path})`);
        for (const c of allContainers(pod.spec)) {
          for (const p of c.ports ?? []) if (p.hostPort) problems.push(`container "${c.name}" binds hostPort ${p.hostPort}`);
        }
        return problems.map((message) => ({ object: pod.owner, message }));
      }),
  },
];
