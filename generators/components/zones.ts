// Availability zones, for any component whose replicas hold copies of the same data (the ingesters; Tempo
// 3's live-stores the same way): one StatefulSet per zone, pinned to it by node affinity and told its zone
// through AVAILABILITY_ZONE (tempo.yaml expands it into the ring), rolled out zone by zone by Grafana's
// rollout-operator (rollout-group label, OnDelete, rollout-max-unavailable), and a
// ZoneAwarePodDisruptionBudget that lets a drain take one whole zone and nothing of another.
// As in Tempo's own operations/jsonnet/microservices/multi-zone.libsonnet at v2.10.8.
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { EnvironmentSettings } from '../environment/settings';
import type { ObjectOf } from '../kubernetes/objects';
import { objectName } from '../stack';
import type { Problem } from '../validation/messages';

/** The node label every cloud provider sets to the node's zone (EKS: the AZ name, us-east-1a). */
export const ZONE_TOPOLOGY_KEY = 'topology.kubernetes.io/zone';
/** tempo.yaml reads the zone from this variable (-config.expand-env): one ConfigMap serves every zone. */
export const AVAILABILITY_ZONE_ENV = 'AVAILABILITY_ZONE';
/** rollout-operator v0.38.1 (pkg/config): StatefulSets with this label are rolled out as one group. */
export const ROLLOUT_GROUP_LABEL = 'rollout-group';
export const ROLLOUT_MAX_UNAVAILABLE_ANNOTATION = 'rollout-max-unavailable';
/** The rollout-operator lists a StatefulSet's pods by the `name` label of its template (listPodsByStatefulSet). */
export const ROLLOUT_POD_LABEL = 'name';
export const ZPDB_API_VERSION = 'rollout-operator.grafana.com/v1';

type StatefulSet = ObjectOf<'StatefulSet'>;

/** us-east-1a -> zone-a: named after the zone's own letter, so reordering cluster.zones renames nothing. */
export const zoneSuffix = (zone: string): string => `zone-${zone.slice(-1)}`;

/**
 * One StatefulSet per zone from `base`: named <base>-zone-<letter>, `replicasPerZone` pods each, pinned to
 * the zone (required node affinity: an EBS volume lives in one zone, so a pod must never move to another),
 * AVAILABILITY_ZONE set, updated only when the rollout-operator deletes a pod (OnDelete), a whole zone at
 * a time: with every copy in another zone, a zone may be down as a whole, never two.
 */
export function zonedStatefulSets(base: StatefulSet, o: { zones: readonly string[]; group: string; replicasPerZone: number }): StatefulSet[] {
  const spec = base.spec!;
  return o.zones.map((zone) => {
    const name = `${base.metadata.name}-${zoneSuffix(zone)}`;
    // Pinned to one zone, the pods have no zones left to spread over: only the node anti-affinity remains.
    const { topologySpreadConstraints: _spread, ...pod } = spec.template.spec!;
    return {
      ...base,
      metadata: {
        ...base.metadata,
        name,
        labels: { ...base.metadata.labels, [ROLLOUT_GROUP_LABEL]: o.group },
        annotations: { ...base.metadata.annotations, [ROLLOUT_MAX_UNAVAILABLE_ANNOTATION]: String(o.replicasPerZone) },
      },
      spec: {
        ...spec,
        replicas: o.replicasPerZone,
        updateStrategy: { type: 'OnDelete' },
        selector: { matchLabels: { ...spec.selector.matchLabels, [ROLLOUT_POD_LABEL]: name } },
        template: {
          metadata: { ...spec.template.metadata, labels: { ...spec.template.metadata?.labels, [ROLLOUT_GROUP_LABEL]: o.group, [ROLLOUT_POD_LABEL]: name } },
          spec: {
            ...pinnedToZone(pod, zone),
            containers: pod.containers.map((c) => ({ ...c, env: [...(c.env ?? []), { name: AVAILABILITY_ZONE_ENV, value: zone }] })),
          },
        },
      },
    };
  });
}

/** `pod` required onto nodes of the availability zone `zone` (node affinity kept beside any pod anti-affinity). */
export function pinnedToZone(pod: IPodSpec, zone: string): IPodSpec {
  const term = { matchExpressions: [{ key: ZONE_TOPOLOGY_KEY, operator: 'In' as const, values: [zone] }] };
  return { ...pod, affinity: { ...pod.affinity, nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } } } };
}

/**
 * The rollout-operator's budget: an eviction in a zone is allowed while no pod of another zone is
 * unavailable, up to the whole zone (maxUnavailablePercentage of each zone's StatefulSet). It selects the
 * StatefulSets and their pods by the rollout group (pkg/zpdb findRelatedStatefulSets).
 */
export function zoneAwareBudget(name: string, labels: Record<string, string>, group: string): ObjectOf<'ZoneAwarePodDisruptionBudget'> {
  return {
    apiVersion: ZPDB_API_VERSION,
    kind: 'ZoneAwarePodDisruptionBudget',
    metadata: { name: objectName(name), labels },
    spec: { maxUnavailablePercentage: 100, selector: { matchLabels: { [ROLLOUT_GROUP_LABEL]: group } } },
  };
}

/** Service.spec.trafficDistribution: beta and on by default from Kubernetes 1.31, GA in 1.33 (ServiceTrafficDistribution). */
export const TRAFFIC_DISTRIBUTION_SINCE = '1.31';
const minor = (v: string) => Number(v.split('.')[1] ?? 0);

/**
 * Clients reach an endpoint in their own zone when there is one (kube-proxy falls back to every zone when
 * there is none). Before 1.31 the API server drops the field, which Argo CD would show as a diff forever.
 */
export function preferSameZone(env: EnvironmentSettings): { trafficDistribution?: string } {
  return minor(env.cluster.kubernetesVersion) >= minor(TRAFFIC_DISTRIBUTION_SINCE) ? { trafficDistribution: 'PreferClose' } : {};
}

/** What a zone-aware component needs of the environment: its zones, in the region, enough for its copies, equal pods per zone. */
export function zoneProblems(
  env: EnvironmentSettings,
  name: string,
  own: { replicas: number; zoneAware: boolean; legacyStatefulSet?: boolean },
  copies: number,
): Problem[] {
  const problems: Problem[] = [];
  const zones = env.cluster.zones;
  for (const [i, zone] of zones.entries()) {
    if (!zone.startsWith(env.aws.region) || zone.length !== env.aws.region.length + 1)
      problems.push({
        path: `cluster.zones.${i}`,
        message: `${zone} is not a zone of aws.region ${env.aws.region}; expected ${env.aws.region} and one letter`,
      });
  }
  if (!own.zoneAware) {
    if (own.legacyStatefulSet)
      problems.push({
        path: `components.${name}.legacyStatefulSet`,
        message: 'keeps the single StatefulSet beside the zones while moving to zoneAware; expected zoneAware: true',
      });
    return problems;
  }
  if (copies < 2)
    problems.push({
      path: 'tempo.replicationFactor',
      message: `${copies}: zone-aware ${name}s place each copy of a trace in another zone, and there is no second copy; expected components.${name}.zoneAware: false, or at least 2`,
    });
  else if (zones.length < copies)
    problems.push({
      path: 'cluster.zones',
      message: `lists ${zones.length} zone(s), but zone-aware ${name}s put each of ${copies} copies in a different zone; expected at least ${copies} zones, e.g. [${env.aws.region}a, ${env.aws.region}b, ${env.aws.region}c]`,
    });
  else if (own.replicas % zones.length !== 0)
    problems.push({
      path: `components.${name}.replicas`,
      message: `${own.replicas} cannot be split evenly over ${zones.length} zones (every zone holds a copy of every trace, so a zone with fewer pods loads each of them more); expected a multiple of ${zones.length}`,
    });
  return problems;
}
