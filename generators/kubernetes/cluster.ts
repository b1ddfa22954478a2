// The rendered objects of one environment, indexed for rules (the Tempo wiring rules and the policies):
// every pod template whatever its owner kind, label selector matching, and where a Service port leads.
// Rules stay generic: they look at kinds and fields, never at which generator made an object.
import type { ILabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IContainerPort } from 'kubernetes-models/v1/ContainerPort';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IServicePort } from 'kubernetes-models/v1/ServicePort';
import { type Kind, type KubeObject, type ObjectOf, ref } from './objects';

export type Labels = Record<string, string>;
export { ref };

/** A pod as its owner declares it (the template of a Deployment, StatefulSet, Job, ... or a bare Pod). */
export interface PodTemplate {
  owner: KubeObject;
  namespace: string;
  labels: Labels;
  spec: IPodSpec;
  /** Runs until stopped (not a Job or CronJob): probes, disruption budgets and spreading apply. */
  serving: boolean;
  /** How many replicas it runs (the HPA's range when one scales it); absent for DaemonSets, Jobs and Pods. */
  replicas?: { min: number; max: number };
}

export const namespaceOf = (o: KubeObject): string => o.metadata.namespace ?? '';

export class Cluster {
  readonly pods: PodTemplate[];

  constructor(readonly objects: KubeObject[]) {
    this.pods = objects.flatMap((o) => {
      const template = podTemplateOf(o);
      if (!template?.spec) return [];
      return [
        {
          owner: o,
          namespace: namespaceOf(o),
          labels: template.metadata?.labels ?? {},
          spec: template.spec,
          serving: o.kind !== 'Job' && o.kind !== 'CronJob',
          ...(o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'ReplicaSet' ? { replicas: this.replicasOf(o) } : {}),
        },
      ];
    });
  }

  kind<K extends Kind>(...kinds: K[]): Array<ObjectOf<K>> {
    return this.objects.filter((o): o is ObjectOf<K> => (kinds as string[]).includes(o.kind));
  }

  /** The Service of that name in `namespace`. */
  service(name: string, namespace: string): ObjectOf<'Service'> | undefined {
    return this.kind('Service').find((s) => s.metadata.name === name && namespaceOf(s) === namespace);
  }

  /** Pods a Service selects (an ExternalName Service or one without a selector selects none here). */
  podsBehind(svc: ObjectOf<'Service'>): PodTemplate[] {
    const selector = svc.spec?.type === 'ExternalName' ? undefined : svc.spec?.selector;
    return this.pods.filter((p) => p.namespace === namespaceOf(svc) && matchesMap(selector, p.labels));
  }

  /**
   * Why connections to Service `name` on `port` would not reach a container listening on `target` in every
   * pod it selects; undefined when they would.
   */
  unreachable(name: string, namespace: string, port: number, target: number): string | undefined {
    const svc = this.service(name, namespace);
    if (!svc) return `Service ${name} is not rendered`;
    const sp = (svc.spec?.ports ?? []).find((p) => p.port === port);
    if (!sp) return `Service ${name} does not expose port ${port} (it exposes ${(svc.spec?.ports ?? []).map((p) => p.port).join(', ') || 'nothing'})`;
    const pods = this.podsBehind(svc);
    if (!pods.length) return `Service ${name} selects no pods`;
    for (const pod of pods) {
      const cp = targetPort(pod, sp);
      if (cp?.containerPort !== target) {
        return `Service ${name} port ${port} (targetPort ${sp.targetPort ?? port}) does not reach port ${target} of ${ref(pod.owner)}${cp ? ` (it reaches ${cp.containerPort})` : ''}`;
      }
    }
    return undefined;
  }

  /** Pods of `namespace` that a LabelSelector (PDB, NetworkPolicy, spread) selects. */
  podsSelectedBy(namespace: string, selector: ILabelSelector | undefined): PodTemplate[] {
    return this.pods.filter((p) => p.namespace === namespace && matches(selector, p.labels));
  }

  private replicasOf(o: ObjectOf<'Deployment' | 'StatefulSet' | 'ReplicaSet'>): { min: number; max: number } {
    const hpa = this.kind('HorizontalPodAutoscaler').find(
      (h) => namespaceOf(h) === namespaceOf(o) && h.spec?.scaleTargetRef?.kind === o.kind && h.spec?.scaleTargetRef?.name === o.metadata.name,
    );
    if (hpa?.spec) return { min: hpa.spec.minReplicas ?? 1, max: hpa.spec.maxReplicas };
    const n = o.spec?.replicas ?? 1;
    return { min: n, max: n };
  }
}

function podTemplateOf(o: KubeObject): { metadata?: { labels?: Labels }; spec?: IPodSpec } | undefined {
  switch (o.kind) {
    case 'Pod':
      return { metadata: o.metadata, ...(o.spec ? { spec: o.spec } : {}) };
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return o.spec?.template;
    case 'CronJob':
      return o.spec?.jobTemplate?.spec?.template;
    default:
      return undefined;
  }
}

/** Every container of a pod: init, regular and ephemeral ones (security rules apply to all). */
export function allContainers(spec: IPodSpec): IContainer[] {
  return [...(spec.initContainers ?? []), ...spec.containers, ...((spec.ephemeralContainers ?? []) as IContainer[])];
}

/** Containers that run for the pod's lifetime: regular ones and sidecars (init containers with restartPolicy Always). */
export function servingContainers(spec: IPodSpec): IContainer[] {
  return [...(spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...spec.containers];
}

/** LabelSelector semantics: an empty selector matches everything, a missing one nothing. */
export function matches(selector: ILabelSelector | undefined | null, labels: Labels): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const values = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(labels[e.key]!))) return false;
    if (e.operator === 'NotIn' && has && values.includes(labels[e.key]!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** A Service's plain `selector` map: every pair must be on the pod (an empty map selects nothing here). */
export function matchesMap(selector: Labels | undefined, labels: Labels): boolean {
  const pairs = Object.entries(selector ?? {});
  return pairs.length > 0 && pairs.every(([key, v]) => labels[key] === v);
}

/** The container port a name or number designates, if the container declares it. */
export function declaredPort(container: IContainer, port: number | string | undefined): { name?: string; containerPort: number } | undefined {
  if (port === undefined) return undefined;
  return (container.ports ?? []).find((p) => (typeof port === 'number' ? p.containerPort === port : p.name === port));
}

/** The container port a Service port reaches on a pod, if some serving container declares it. */
export function targetPort(pod: PodTemplate, port: IServicePort): IContainerPort | undefined {
  for (const c of servingContainers(pod.spec)) {
    const found = declaredPort(c, port.targetPort ?? port.port);
    if (found) return found as IContainerPort;
  }
  return undefined;
}
