// Tempo's durability: a written trace survives the loss of an ingester, a rollout, and a node drain.
// Read from the rendered objects and the Tempo config in the ConfigMap the pods actually mount
// (generators/tempo/checks.ts podConfigs), with Tempo's own defaults for what a config leaves out.
import { Duration } from '../../generators/environment/units';
import type { Cluster } from '../../generators/kubernetes/cluster';
import { matches, namespaceOf } from '../../generators/kubernetes/cluster';
import { FLUSH_MAX_BACKOFF_SECONDS, effective } from '../../generators/tempo/facts';
import { type TempoPod, podConfigs } from '../../generators/tempo/checks';
import type { Rule, Violation } from '../types';
import { ROLLOUT_GROUP, ROLLOUT_MAX_UNAVAILABLE, groupNotOnDelete, rolloutOperatorGap, zoneAwareRing } from './zones';

export const MIN_REPLICATION_FACTOR = 3;

const loaded = (cluster: Cluster, target: string): TempoPod[] => podConfigs(cluster, target).filter((t): t is TempoPod => 'config' in t);
const at = (config: TempoPod['config'], path: string): unknown =>
  path.split('.').reduce<unknown>((o, k) => (o == null ? undefined : (o as Record<string, unknown>)[k]), config);

/** The volume a path lives on in a container (the longest mountPath that contains it). */
function volumeBehind(t: TempoPod, path: string): { name: string; persistent: boolean; kind: string } | undefined {
  const mount = (t.container.volumeMounts ?? [])
    .filter((m) => path === m.mountPath || path.startsWith(`${m.mountPath.replace(/\/$/, '')}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  if (!mount) return undefined;
  const claims = t.pod.owner.kind === 'StatefulSet' ? (t.pod.owner.spec?.volumeClaimTemplates ?? []) : [];
  if (claims.some((c) => c.metadata?.name === mount.name)) return { name: mount.name, persistent: true, kind: 'volumeClaimTemplate' };
  const volume = t.pod.spec.volumes?.find((v) => v.name === mount.name);
  const kind = Object.keys(volume ?? {}).find((k) => k !== 'name') ?? 'unknown';
  return { name: mount.name, persistent: kind === 'persistentVolumeClaim', kind };
}

export const tempoRules: Rule[] = [
  {
    id: 'tempo-replication',
    reason: `Every trace is written to ${MIN_REPLICATION_FACTOR} ingesters, so losing one loses nothing before the flush`,
    severity: 'error',
    check: (cluster) => {
      const pods = podConfigs(cluster, 'ingester');
      // Zone-aware ingesters are one StatefulSet per zone: the ring counts them all.
      const total = (namespace: string) => pods.filter((p) => p.pod.namespace === namespace).reduce((n, p) => n + (p.pod.replicas?.min ?? 1), 0);
      return pods.flatMap((t): Violation[] => {
        if ('error' in t) return [{ object: t.pod.owner, message: `cannot read the Tempo config: ${t.error}` }];
        const rf = effective(t.config, 'ingester.lifecycler.ring.replication_factor') as number;
        const replicas = total(t.pod.namespace);
        const out: Violation[] = [];
        if (rf < MIN_REPLICATION_FACTOR) out.push({ object: t.pod.owner, message: `replication factor is ${rf}; expected >= ${MIN_REPLICATION_FACTOR}` });
        if (replicas < Math.max(rf, MIN_REPLICATION_FACTOR)) {
          out.push({
            object: t.pod.owner,
            message: `runs ${replicas} ingester(s); expected >= ${Math.max(rf, MIN_REPLICATION_FACTOR)} for replication factor ${rf}`,
          });
        }
        return out;
      });
    },
  },
  {
    id: 'tempo-wal-persistent',
    reason: 'WALs (ingester traces, generator metrics) live on persistent volumes, so a restart replays them instead of losing them',
    severity: 'error',
    check: (cluster) => {
      const wal = [
        ...loaded(cluster, 'ingester').map((t) => ({ t, path: effective(t.config, 'storage.trace.wal.path'), key: 'storage.trace.wal.path' })),
        ...loaded(cluster, 'metrics-generator').map((t) => ({
          t,
          path: at(t.config, 'metrics_generator.storage.path'),
          key: 'metrics_generator.storage.path',
        })),
      ];
      return wal.flatMap(({ t, path, key }) => {
        if (typeof path !== 'string' || !path) return [{ object: t.pod.owner, message: `${key} is not set` }];
        const volume = volumeBehind(t, path);
        if (!volume) return [{ object: t.pod.owner, message: `${key} ${path} is on the container's root filesystem` }];
        return volume.persistent
          ? []
          : [{ object: t.pod.owner, message: `${key} ${path} is on volume "${volume.name}" (${volume.kind}), which does not outlive the pod` }];
      });
    },
  },
  {
    id: 'tempo-flush-on-shutdown',
    reason: 'Ingesters flush every block to object storage when they stop, so a scale-down or rollout strands no data in a WAL',
    severity: 'error',
    check: (cluster) =>
      loaded(cluster, 'ingester')
        .filter((t) => at(t.config, 'ingester.flush_all_on_shutdown') !== true)
        .map((t) => ({ object: t.pod.owner, message: 'ingester.flush_all_on_shutdown is not true' })),
  },
  {
    id: 'tempo-ingester-grace',
    reason: 'The termination grace period outlasts a failed flush, its longest retry backoff and a second flush',
    severity: 'error',
    check: (cluster) =>
      loaded(cluster, 'ingester').flatMap((t) => {
        const flushOp = Duration.parse(String(effective(t.config, 'ingester.flush_op_timeout'))).seconds;
        const needed = 2 * flushOp + FLUSH_MAX_BACKOFF_SECONDS;
        const grace = t.pod.spec.terminationGracePeriodSeconds ?? 30;
        return grace >= needed
          ? []
          : [
              {
                object: t.pod.owner,
                message: `terminationGracePeriodSeconds is ${grace}; flushing needs up to ${needed} (2 x flush_op_timeout ${flushOp}s + ${FLUSH_MAX_BACKOFF_SECONDS}s backoff)`,
              },
            ];
      }),
  },
  {
    id: 'tempo-ingester-rollout',
    reason:
      'A rollout replaces one ingester at a time, or one zone at a time with the rollout-operator when every copy is in another zone: two down in different zones can lose the write quorum of replication factor 3',
    severity: 'error',
    check: (cluster) =>
      podConfigs(cluster, 'ingester').flatMap((t): Violation[] => {
        const o = t.pod.owner;
        if (o.kind !== 'StatefulSet')
          return [{ object: o, message: `ingesters run as a ${o.kind}; expected a StatefulSet (stable ring identity and a volume per pod)` }];
        const strategy = o.spec?.updateStrategy ?? {};
        if (strategy.type === 'OnDelete' && 'config' in t) {
          const gap = rolloutOperatorGap(cluster, t, 'rollout') ?? groupNotOnDelete(cluster, o, t.pod.labels[ROLLOUT_GROUP]!);
          const max = Number(o.metadata.annotations?.[ROLLOUT_MAX_UNAVAILABLE] ?? 1);
          if (gap) return [{ object: o, message: `updateStrategy is OnDelete and ${gap}; expected RollingUpdate (one pod at a time)` }];
          return Number.isInteger(max) && max >= 1 && max <= (t.pod.replicas?.max ?? 1)
            ? []
            : [
                {
                  object: o,
                  message: `${ROLLOUT_MAX_UNAVAILABLE} is "${o.metadata.annotations?.[ROLLOUT_MAX_UNAVAILABLE]}"; expected 1 to the pods of its zone`,
                },
              ];
        }
        if ((strategy.type ?? 'RollingUpdate') !== 'RollingUpdate')
          return [{ object: o, message: `updateStrategy is ${strategy.type}; expected RollingUpdate (one pod at a time)` }];
        const max = strategy.rollingUpdate?.maxUnavailable ?? 1;
        return max === 1 ? [] : [{ object: o, message: `updateStrategy.rollingUpdate.maxUnavailable is ${max}; expected 1` }];
      }),
  },
  {
    id: 'tempo-ingester-pdb',
    reason:
      "A node drain evicts at most one ingester at a time (PodDisruptionBudget maxUnavailable: 1), or, zone-aware, one zone's and nothing of another (the rollout-operator's ZoneAwarePodDisruptionBudget)",
    severity: 'error',
    check: (cluster) =>
      podConfigs(cluster, 'ingester')
        .filter((t) => (t.pod.replicas?.max ?? 1) > 1 || t.pod.labels[ROLLOUT_GROUP] !== undefined)
        .flatMap((t): Violation[] => {
          const { pod } = t;
          const pdbs = cluster.kind('PodDisruptionBudget').filter((b) => namespaceOf(b) === pod.namespace && matches(b.spec?.selector, pod.labels));
          if (pdbs.length === 0 && 'config' in t && zoneAwareRing(t) && pod.labels[ROLLOUT_GROUP] !== undefined) {
            const gap = rolloutOperatorGap(cluster, t, 'budget');
            return gap ? [{ object: pod.owner, message: gap }] : [];
          }
          if (pdbs.length === 0) return [{ object: pod.owner, message: 'no PodDisruptionBudget selects the ingesters' }];
          return pdbs
            .filter((b) => b.spec?.maxUnavailable !== 1)
            .map((b) => ({
              object: b,
              message: `expected maxUnavailable: 1, got ${JSON.stringify(b.spec?.maxUnavailable ?? { minAvailable: b.spec?.minAvailable })}`,
            }));
        }),
  },
];
