// The rendered objects of one environment, indexed for rules: every pod template whatever its owner
// kind, label selector matching, and port lookups. Rules stay generic: they look at kinds and fields,
// never at which generator made an object.
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { ILabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import type { K8sObject } from '../generators/render';

export type Labels = Record<string, string>;
type Any = any; // rendered YAML is untyped; each accessor checks the shape it reads

/** A pod as its owner declares it (the template of a Deployment, StatefulSet, Job, ... or a bare Pod). */
export interface PodTemplate {
  owner: K8sObject;
  namespace: string;
  labels: Labels;
  spec: IPodSpec;
  /** Runs until stopped (not a Job or CronJob): probes, disruption budgets and spreading apply. */
  serving: boolean;
  /** How many replicas it runs (the HPA's range when one scales it); absent for DaemonSets, Jobs and Pods. */
  replicas?: { min: number; max: number };
}

export const ref = (o: K8sObject): string => `${o.kind}/${o.metadata.name}`;
export const namespaceOf = (o: K8sObject): string => o.metadata.namespace ?? '';

const REPLICATED = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

export class Cluster {
  readonly pods: PodTemplate[];

  constructor(readonly objects: K8sObject[]) {
    this.pods = objects.flatMap((o) => {
      const template = podTemplateOf(o);
      if (!template?.spec) return [];
      return [{
        owner: o,
        namespace: namespaceOf(o),
        labels: template.metadata?.labels ?? {},
        spec: template.spec,
        serving: o.kind !== 'Job' && o.kind !== 'CronJob',
        ...(REPLICATED.has(o.kind) ? { replicas: this.replicasOf(o) } : {}),
      }];
    });
  }

  kind(...kinds: string[]): Any[] {
    return this.objects.filter((o) => kinds.includes(o.kind));
  }

  /** Pods of `namespace` that a LabelSelector (PDB, NetworkPolicy, spread) selects. */
  podsSelectedBy(namespace: string, selector: ILabelSelector | undefined): PodTemplate[] {
    return this.pods.filter((p) => p.namespace === namespace && matches(selector, p.labels));
  }

  private replicasOf(o: K8sObject): { min: number; max: number } {
    const hpa = this.kind('HorizontalPodAutoscaler').find(
      (h) => namespaceOf(h) === namespaceOf(o) && h.spec?.scaleTargetRef?.kind === o.kind && h.spec?.scaleTargetRef?.name === o.metadata.name,
    );
    if (hpa) return { min: hpa.spec.minReplicas ?? 1, max: hpa.spec.maxReplicas };
    const n = (o as Any).spec?.replicas ?? 1;
    return { min: n, max: n };
  }
}

function podTemplateOf(o: K8sObject): { metadata?: { labels?: Labels }; spec?: IPodSpec } | undefined {
  const spec = (o as Any).spec;
  switch (o.kind) {
    case 'Pod':
      return { metadata: o.metadata, spec };
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return spec?.template;
    case 'CronJob':
      return spec?.jobTemplate?.spec?.template;
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
