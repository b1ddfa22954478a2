// What every component's pods share: the hardened security contexts, resources as Kubernetes writes
// them, spreading over zones, a PodDisruptionBudget, an autoscaler and the component's Service.
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IServicePort } from 'kubernetes-models/v1/ServicePort';
import type { Quantity } from '../environment/units';
import type { ObjectOf } from '../kubernetes/objects';
import { objectName, selectorLabels } from '../stack';
import type { ContainerPort } from './component';

/** Pod Security "restricted" plus a read-only root: every container of the stack runs like this. */
export const containerSecurity: IContainer['securityContext'] = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

export const podSecurity = (uid: number): IPodSpec['securityContext'] => ({
  runAsNonRoot: true,
  runAsUser: uid,
  runAsGroup: uid,
  fsGroup: uid,
  fsGroupChangePolicy: 'OnRootMismatch',
  seccompProfile: { type: 'RuntimeDefault' },
});

type Figures = { cpu: Quantity; memory: Quantity; 'ephemeral-storage'?: Quantity };
/** Resources as the environment holds them (parsed quantities), written back as Kubernetes quantities. */
export function containerResources(r: { requests: Figures; limits: Figures }): NonNullable<IContainer['resources']> {
  const text = (f: Figures) => Object.fromEntries(Object.entries(f).map(([k, q]) => [k, (q as Quantity).text]));
  return { requests: text(r.requests), limits: text(r.limits) };
}

export const containerPorts = (ports: readonly ContainerPort[]): NonNullable<IContainer['ports']> =>
  ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' }));

/** Replicas a component may run with: the HPA's maximum when it is autoscaled (PDB and spread apply from 2). */
export function maximumReplicas(own: { replicas: number; autoscaling?: { enabled: boolean; maxReplicas: number } }): number {
  return own.autoscaling?.enabled ? own.autoscaling.maxReplicas : own.replicas;
}

/** Spread replicas over zones; `oneReplicaPerNode` also keeps two of them off one node. */
export function placement(
  selector: Record<string, string>,
  replicas: number,
  oneReplicaPerNode = false,
): Pick<IPodSpec, 'affinity' | 'topologySpreadConstraints'> {
  if (replicas < 2) return {};
  const labelSelector = { matchLabels: selector };
  return {
    ...(oneReplicaPerNode
      ? { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector, topologyKey: 'kubernetes.io/hostname' }] } } }
      : {}),
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector }],
  };
}

/** Never more than one pod down by a voluntary disruption (only worth having from two replicas). */
export function podDisruptionBudget(name: string, labels: Record<string, string>, selector: Record<string, string>): ObjectOf<'PodDisruptionBudget'> {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: objectName(name), labels },
    spec: {
      maxUnavailable: 1,
      // Lets a drain evict pods that are not ready anyway (a crash-looping pod must not block it).
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
      selector: { matchLabels: selector },
    },
  };
}

export function horizontalPodAutoscaler(
  name: string,
  labels: Record<string, string>,
  a: { minReplicas: number; maxReplicas: number; targetCPUUtilizationPercentage: number },
): ObjectOf<'HorizontalPodAutoscaler'> {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: objectName(name), labels },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: objectName(name) },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.targetCPUUtilizationPercentage } } }],
    },
  };
}

export const servicePort = (name: string, port: number, targetPort: string | number = name): IServicePort => ({ name, port, targetPort, protocol: 'TCP' });

/** The component's Service: the ports it marks `service`, each targeting its container port by name. */
export function service(
  component: { name: string; ports: readonly ContainerPort[] },
  labels: Record<string, string>,
  options: { headless?: boolean; extraPorts?: IServicePort[]; spec?: Record<string, unknown>; name?: string; selector?: Record<string, string> } = {},
): ObjectOf<'Service'> {
  const ports = [...component.ports.filter((p) => p.service).map((p) => servicePort(p.name, p.port)), ...(options.extraPorts ?? [])];
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: objectName(options.name ?? component.name), labels },
    spec: {
      // StatefulSets get a headless governing Service: pods keep stable DNS names.
      ...(options.headless ? { clusterIP: 'None' } : { type: 'ClusterIP' }),
      ...options.spec,
      selector: options.selector ?? selectorLabels(component.name),
      ports,
    },
  };
}
