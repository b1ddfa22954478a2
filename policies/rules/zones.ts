// Zone-aware ingesters: the ring puts a trace's copies in distinct zones only if every ingester announces
// the zone it really runs in (ingester.lifecycler.availability_zone, expanded from its env) and there are
// as many zones as copies; zone-by-zone rollouts and evictions need Grafana's rollout-operator (its
// OnDelete rollout groups, its ZoneAwarePodDisruptionBudget and the pod-eviction webhook that applies it).
// Read from the rendered objects only, like every rule.
import type { Cluster, PodTemplate } from '../../generators/kubernetes/cluster';
import { matches, namespaceOf } from '../../generators/kubernetes/cluster';
import type { KubeObject } from '../../generators/kubernetes/objects';
import { effective } from '../../generators/tempo/facts';
import { type TempoPod, podConfigs } from '../../generators/tempo/checks';
import type { Rule, Violation } from '../types';

export const ZONE_TOPOLOGY_KEY = 'topology.kubernetes.io/zone';
export const ROLLOUT_GROUP = 'rollout-group';
export const ROLLOUT_MAX_UNAVAILABLE = 'rollout-max-unavailable';

const at = (config: TempoPod['config'], path: string): unknown =>
  path.split('.').reduce<unknown>((o, k) => (o == null ? undefined : (o as Record<string, unknown>)[k]), config);

export const zoneAwareRing = (t: TempoPod): boolean => at(t.config, 'ingester.lifecycler.ring.zone_awareness_enabled') === true;

/** The zone an ingester announces: availability_zone with ${VAR} taken from its container's plain env (as -config.expand-env does). */
export function announcedZone(t: TempoPod): string {
  const raw = String(at(t.config, 'ingester.lifecycler.availability_zone') ?? '');
  const env = Object.fromEntries((t.container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
  return raw.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => env[name] ?? '');
}

/** The one zone a pod's required node affinity allows, if it pins one. */
export function pinnedZone(pod: PodTemplate): string | undefined {
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const zones = terms.map((term) => {
    const e = (term.matchExpressions ?? []).find((x) => x.key === ZONE_TOPOLOGY_KEY && x.operator === 'In');
    return e?.values?.length === 1 ? e.values[0] : undefined;
  });
  return zones.length > 0 && zones.every((z) => z !== undefined && z === zones[0]) ? zones[0] : undefined;
}

/** A rollout-operator runs in the namespace: a Deployment of its image. */
export const rolloutOperatorRuns = (cluster: Cluster, namespace: string): boolean =>
  cluster.pods.some(
    (p) => p.namespace === namespace && p.owner.kind === 'Deployment' && p.spec.containers.some((c) => /(^|\/)rollout-operator:/.test(c.image ?? '')),
  );

/** A ValidatingWebhookConfiguration sends every pod eviction of the namespace to a Service of the tree, failing closed. */
export function evictionWebhookServed(cluster: Cluster, namespace: string): boolean {
  return cluster
    .kind('ValidatingWebhookConfiguration')
    .some((w) =>
      (w.webhooks ?? []).some(
        (h) =>
          h.failurePolicy === 'Fail' &&
          (h.rules ?? []).some((r) => r.resources?.includes('pods/eviction') && r.operations?.some((o) => o === 'CREATE' || o === '*')) &&
          h.clientConfig.service !== undefined &&
          cluster.service(h.clientConfig.service.name, h.clientConfig.service.namespace) !== undefined &&
          (!h.namespaceSelector?.matchLabels || h.namespaceSelector.matchLabels['kubernetes.io/metadata.name'] === namespace),
      ),
    );
}

/** ZoneAwarePodDisruptionBudgets of the namespace that select these pod labels. */
export const zoneBudgetsFor = (cluster: Cluster, pod: PodTemplate) =>
  cluster.kind('ZoneAwarePodDisruptionBudget').filter((b) => namespaceOf(b) === pod.namespace && matches(b.spec?.selector, pod.labels));

const loaded = (cluster: Cluster): TempoPod[] => podConfigs(cluster, 'ingester').filter((t): t is TempoPod => 'config' in t);

export const zoneRules: Rule[] = [
  {
    id: 'tempo-ingester-zones',
    reason:
      "A zone-aware ring puts a trace's copies in distinct zones only if each ingester announces the zone it is pinned to, and there are as many zones as copies",
    severity: 'error',
    check: (cluster) => {
      const zoned = loaded(cluster).filter(zoneAwareRing);
      const out: Violation[] = [];
      const zones = new Set<string>();
      for (const t of zoned) {
        const announced = announcedZone(t);
        const pinned = pinnedZone(t.pod);
        if (pinned !== undefined) zones.add(pinned);
        if (pinned !== undefined && announced !== pinned)
          out.push({ object: t.pod.owner, message: `announces zone "${announced}" (ingester.lifecycler.availability_zone) but is pinned to ${pinned}` });
        if (t.pod.labels[ROLLOUT_GROUP] !== undefined && pinned === undefined)
          out.push({
            object: t.pod.owner,
            message: `is in rollout group "${t.pod.labels[ROLLOUT_GROUP]}" but no required node affinity pins it to one ${ZONE_TOPOLOGY_KEY}`,
          });
      }
      const first = zoned[0];
      if (first) {
        const rf = effective(first.config, 'ingester.lifecycler.ring.replication_factor') as number;
        if (zones.size < rf)
          out.push({
            object: first.pod.owner,
            message: `the ingesters are pinned to ${zones.size} zone(s) (${[...zones].join(', ') || 'none'}); replication factor ${rf} needs ${rf}`,
          });
      }
      return out;
    },
  },
  {
    id: 'tempo-ingester-zoneless',
    reason:
      'An ingester of a zone-aware ring should announce the zone it is pinned to: dskit limits every named zone to one copy of a trace but never zone "", and an unpinned zone spans every AZ; expected only while moving from the single StatefulSet',
    severity: 'warning',
    check: (cluster) =>
      loaded(cluster)
        .filter((t) => zoneAwareRing(t) && (announcedZone(t) === '' || pinnedZone(t.pod) === undefined))
        .map((t) => ({
          object: t.pod.owner,
          message:
            announcedZone(t) === ''
              ? 'joins the zone-aware ring with no availability zone (zone "" is not limited to one copy of a trace)'
              : `joins the zone-aware ring as zone "${announcedZone(t)}", which no node affinity pins to one ${ZONE_TOPOLOGY_KEY}`,
        })),
  },
];

/** Why a zoned ingester's rollout or budget is not covered by the rollout-operator, or undefined when it is. */
export function rolloutOperatorGap(cluster: Cluster, t: TempoPod, what: 'rollout' | 'budget'): string | undefined {
  const group = t.pod.labels[ROLLOUT_GROUP];
  if (group === undefined) return `has no ${ROLLOUT_GROUP} label: no rollout-operator manages it`;
  if (!rolloutOperatorRuns(cluster, t.pod.namespace)) return `is in rollout group "${group}" but no rollout-operator Deployment runs in ${t.pod.namespace}`;
  if (!zoneAwareRing(t) || pinnedZone(t.pod) === undefined)
    return 'rolls or drains a zone at a time, but the ring is not zone-aware or the pod is not pinned to a zone';
  if (what === 'budget') {
    if (zoneBudgetsFor(cluster, t.pod).length === 0) return `no PodDisruptionBudget or ZoneAwarePodDisruptionBudget selects it`;
    if (!evictionWebhookServed(cluster, t.pod.namespace))
      return 'a ZoneAwarePodDisruptionBudget selects it, but no pod-eviction webhook (failurePolicy Fail, served by a Service of the tree) applies it';
  }
  return undefined;
}

/** The StatefulSets of a rollout group must all be OnDelete, or the operator skips the group (its README). */
export function groupNotOnDelete(cluster: Cluster, o: KubeObject, group: string): string | undefined {
  const other = cluster
    .kind('StatefulSet')
    .find((s) => namespaceOf(s) === namespaceOf(o) && s.metadata.labels?.[ROLLOUT_GROUP] === group && s.spec?.updateStrategy?.type !== 'OnDelete');
  return other ? `StatefulSet/${other.metadata.name} of rollout group "${group}" is not OnDelete: the rollout-operator skips the whole group` : undefined;
}
