// Availability of replicated workloads: disruption budgets, spreading, and selectors that select
// what they mean to.
import type { Cluster, PodTemplate } from '../../generators/kubernetes/cluster';
import { matches, namespaceOf, ref } from '../../generators/kubernetes/cluster';
import type { ObjectOf } from '../../generators/kubernetes/objects';
import type { Rule, Violation } from '../types';
import { evictionWebhookServed, zoneBudgetsFor } from './zones';

type Budget = NonNullable<ObjectOf<'PodDisruptionBudget'>['spec']>;

/** Workloads that may run more than one replica (the HPA's maximum counts): they have something to keep up. */
const replicated = (cluster: Cluster): PodTemplate[] => cluster.pods.filter((p) => p.replicas && p.replicas.max > 1);

/** Does a PDB allow at least one voluntary disruption of a workload running `replicas` pods? */
function allowsDisruption(spec: Budget | undefined, replicas: number): boolean {
  const percent = (v: string) => Number(v.replace('%', ''));
  if (!spec) return true;
  if (spec.maxUnavailable !== undefined) return typeof spec.maxUnavailable === 'number' ? spec.maxUnavailable >= 1 : percent(spec.maxUnavailable) > 0;
  if (spec.minAvailable !== undefined) {
    return typeof spec.minAvailable === 'number' ? spec.minAvailable < replicas : Math.ceil((percent(spec.minAvailable) * replicas) / 100) < replicas;
  }
  return true;
}

export const availabilityRules: Rule[] = [
  {
    id: 'pod-disruption-budget',
    reason: 'Node drains and upgrades take replicated workloads down one pod at a time, and never block on a crash-looping pod',
    severity: 'error',
    check: (cluster) =>
      replicated(cluster).flatMap((pod): Violation[] => {
        const pdbs = cluster.kind('PodDisruptionBudget').filter((b) => namespaceOf(b) === pod.namespace && matches(b.spec?.selector, pod.labels));
        // The rollout-operator's budget counts when its eviction webhook applies it and it allows an eviction.
        const zoned = zoneBudgetsFor(cluster, pod).filter((b) => (b.spec?.maxUnavailable ?? 0) > 0 || (b.spec?.maxUnavailablePercentage ?? 0) > 0);
        if (pdbs.length === 0 && zoned.length > 0 && evictionWebhookServed(cluster, pod.namespace)) return [];
        if (pdbs.length === 0) return [{ object: pod.owner, message: `runs up to ${pod.replicas!.max} replicas but no PodDisruptionBudget selects its pods` }];
        return pdbs.flatMap((b) => [
          ...(b.spec?.unhealthyPodEvictionPolicy
            ? []
            : [{ object: b, message: `sets no unhealthyPodEvictionPolicy (AlwaysAllow lets a drain evict pods that are not ready anyway)` }]),
          ...(allowsDisruption(b.spec, pod.replicas!.min)
            ? []
            : [{ object: b, message: `allows no disruption of ${ref(pod.owner)} at ${pod.replicas!.min} replicas: node drains would hang` }]),
        ]);
      }),
  },
  {
    id: 'spread-replicas',
    reason: 'Replicas are spread over zones or nodes (topology spread or anti-affinity), so one failure does not take them all',
    severity: 'warning',
    check: (cluster) =>
      replicated(cluster).flatMap((pod) => {
        const spread = (pod.spec.topologySpreadConstraints ?? []).some((t) => matches(t.labelSelector, pod.labels));
        const anti = pod.spec.affinity?.podAntiAffinity;
        const antiTerms = [
          ...(anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
          ...(anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm),
        ];
        return spread || antiTerms.some((t) => matches(t.labelSelector, pod.labels))
          ? []
          : [
              {
                object: pod.owner,
                message: `runs up to ${pod.replicas!.max} replicas with no topologySpreadConstraints or podAntiAffinity selecting its own pods`,
              },
            ];
      }),
  },
  {
    id: 'selectors-match',
    reason: 'Every selector selects what it governs: a workload its template, a budget or policy some pod, an autoscaler its target',
    severity: 'error',
    check: (cluster) => {
      const out: Violation[] = [];
      for (const pod of cluster.pods) {
        const o = pod.owner;
        const selector =
          o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'DaemonSet' || o.kind === 'ReplicaSet' || o.kind === 'Job'
            ? o.spec?.selector
            : undefined;
        if (selector && !matches(selector, pod.labels)) {
          out.push({ object: pod.owner, message: `spec.selector ${JSON.stringify(selector)} does not match its pod template's labels` });
        }
      }
      for (const b of cluster.kind('PodDisruptionBudget', 'ZoneAwarePodDisruptionBudget')) {
        if (cluster.podsSelectedBy(namespaceOf(b), b.spec?.selector).length === 0) out.push({ object: b, message: 'selects no pod' });
      }
      for (const np of cluster.kind('NetworkPolicy')) {
        if (cluster.podsSelectedBy(namespaceOf(np), np.spec?.podSelector ?? {}).length === 0 && Object.keys(np.spec?.podSelector ?? {}).length) {
          out.push({ object: np, message: 'spec.podSelector selects no pod' });
        }
        // A peer podSelector without a namespaceSelector means pods of this namespace: a typo there silently blocks a flow.
        const peers = [...(np.spec?.ingress ?? []).flatMap((r) => r.from ?? []), ...(np.spec?.egress ?? []).flatMap((r) => r.to ?? [])];
        // Except the pods an operator makes for a custom resource of the tree (Strimzi labels a Kafka's pods strimzi.io/cluster=<name>).
        const operatorMade = (selector: { matchLabels?: Record<string, string> }) =>
          cluster.kind('Kafka').some((k) => k.metadata.name === selector.matchLabels?.['strimzi.io/cluster'] && namespaceOf(k) === namespaceOf(np));
        for (const peer of peers) {
          if (
            peer.podSelector &&
            !peer.namespaceSelector &&
            !operatorMade(peer.podSelector) &&
            cluster.podsSelectedBy(namespaceOf(np), peer.podSelector).length === 0
          ) {
            out.push({ object: np, message: `peer podSelector ${JSON.stringify(peer.podSelector)} selects no pod of namespace ${namespaceOf(np)}` });
          }
        }
      }
      for (const hpa of cluster.kind('HorizontalPodAutoscaler')) {
        const t = hpa.spec?.scaleTargetRef;
        if (!cluster.objects.some((o) => o.kind === t?.kind && o.metadata.name === t?.name && namespaceOf(o) === namespaceOf(hpa))) {
          out.push({ object: hpa, message: `scaleTargetRef ${t?.kind}/${t?.name} is not in the tree` });
        }
      }
      return out;
    },
  },
];
