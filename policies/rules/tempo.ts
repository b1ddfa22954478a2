// Tempo's durability: a written trace survives the loss of an ingester, a rollout, and a node drain.
// Read from the rendered objects and the Tempo config in the ConfigMap the pods actually mount.
import { parse } from 'yaml';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { TempoComponent } from '../../generators/environment/types';
import { selectorLabels } from '../../generators/stack';
import type { Cluster, PodTemplate } from '../cluster';
import { matches, matchesMap, namespaceOf } from '../cluster';
import type { Rule, Violation } from '../types';

type Any = any; // rendered YAML and Tempo config are untyped

export const MIN_REPLICATION_FACTOR = 3;
/** Tempo's flush queue waits up to 120 s between attempts (maxBackoff in modules/ingester/flush.go). */
const FLUSH_MAX_BACKOFF_SECONDS = 120;
const DEFAULTS = { replicationFactor: 1, walPath: '/var/tempo/wal', flushOpTimeout: '5m' }; // Tempo 2.10.8's

interface TempoPod {
  pod: PodTemplate;
  container: IContainer;
  config: Any;
}

/** Pods of a Tempo component, each with the config file its `-config.file` argument points into. */
export function tempoPods(cluster: Cluster, component: TempoComponent): Array<TempoPod | { pod: PodTemplate; error: string }> {
  return cluster.pods
    .filter((p) => matchesMap(selectorLabels(component), p.labels))
    .map((pod) => {
      for (const container of pod.spec.containers) {
        const file = container.args?.find((a) => a.startsWith('-config.file='))?.slice('-config.file='.length);
        if (!file) continue;
        const dir = file.slice(0, file.lastIndexOf('/'));
        const mount = container.volumeMounts?.find((m) => m.mountPath === dir || m.mountPath === file);
        const volume = pod.spec.volumes?.find((v) => v.name === mount?.name);
        const key = mount?.mountPath === file ? mount.subPath : file.slice(file.lastIndexOf('/') + 1);
        const cm = cluster.kind('ConfigMap').find((c) => c.metadata.name === volume?.configMap?.name && namespaceOf(c) === pod.namespace);
        const text = key ? cm?.data?.[key] : undefined;
        if (text === undefined) return { pod, error: `-config.file=${file}: no ConfigMap key is mounted there` };
        return { pod, container, config: parse(text) ?? {} };
      }
      return { pod, error: 'no container has a -config.file argument' };
    });
}

const loaded = (cluster: Cluster, component: TempoComponent): TempoPod[] => tempoPods(cluster, component).filter((t): t is TempoPod => 'config' in t);
const at = (config: Any, path: string): Any => path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), config);

/** Seconds in a Go duration such as 5m0s or 1h30m. */
export function goDurationSeconds(d: string): number {
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  const parts = [...d.matchAll(/([0-9.]+)(ns|us|µs|ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== d) throw new Error(`not a Go duration: ${d}`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0);
}

/** The volume a path lives on in a container (the longest mountPath that contains it). */
function volumeBehind(t: TempoPod, path: string): { name: string; persistent: boolean; kind: string } | undefined {
  const mount = (t.container.volumeMounts ?? [])
    .filter((m) => path === m.mountPath || path.startsWith(`${m.mountPath.replace(/\/$/, '')}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  if (!mount) return undefined;
  const claims: Any[] = (t.pod.owner as Any).spec?.volumeClaimTemplates ?? [];
  if (claims.some((c) => c.metadata?.name === mount.name)) return { name: mount.name, persistent: true, kind: 'volumeClaimTemplate' };
  const volume: Any = t.pod.spec.volumes?.find((v) => v.name === mount.name) ?? {};
  const kind = Object.keys(volume).find((k) => k !== 'name') ?? 'unknown';
  return { name: mount.name, persistent: kind === 'persistentVolumeClaim', kind };
}

export const tempoRules: Rule[] = [
  {
    id: 'tempo-replication',
    reason: `Every trace is written to ${MIN_REPLICATION_FACTOR} ingesters, so losing one loses nothing before the flush`,
    severity: 'error',
    check: (cluster) =>
      tempoPods(cluster, 'ingester').flatMap((t): Violation[] => {
        if ('error' in t) return [{ object: t.pod.owner, message: `cannot read the Tempo config: ${t.error}` }];
        const rf = at(t.config, 'ingester.lifecycler.ring.replication_factor') ?? DEFAULTS.replicationFactor;
        const replicas = t.pod.replicas?.min ?? 1;
        const out: Violation[] = [];
        if (rf < MIN_REPLICATION_FACTOR) out.push({ object: t.pod.owner, message: `replication factor is ${rf}; expected >= ${MIN_REPLICATION_FACTOR}` });
        if (replicas < Math.max(rf, MIN_REPLICATION_FACTOR)) {
          out.push({ object: t.pod.owner, message: `runs ${replicas} ingester(s); expected >= ${Math.max(rf, MIN_REPLICATION_FACTOR)} for replication factor ${rf}` });
        }
        return out;
      }),
  },
  {
    id: 'tempo-wal-persistent',
    reason: 'WALs (ingester traces, generator metrics) live on persistent volumes, so a restart replays them instead of losing them',
    severity: 'error',
    check: (cluster) => {
      const wal = [
        ...loaded(cluster, 'ingester').map((t) => ({ t, path: at(t.config, 'storage.trace.wal.path') ?? DEFAULTS.walPath, key: 'storage.trace.wal.path' })),
        ...loaded(cluster, 'metrics-generator').map((t) => ({ t, path: at(t.config, 'metrics_generator.storage.path'), key: 'metrics_generator.storage.path' })),
      ];
      return wal.flatMap(({ t, path, key }) => {
        if (!path) return [{ object: t.pod.owner, message: `${key} is not set` }];
        const volume = volumeBehind(t, path);
        if (!volume) return [{ object: t.pod.owner, message: `${key} ${path} is on the container's root filesystem` }];
        return volume.persistent ? [] : [{ object: t.pod.owner, message: `${key} ${path} is on volume "${volume.name}" (${volume.kind}), which does not outlive the pod` }];
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
        const flushOp = goDurationSeconds(at(t.config, 'ingester.flush_op_timeout') ?? DEFAULTS.flushOpTimeout);
        const needed = 2 * flushOp + FLUSH_MAX_BACKOFF_SECONDS;
        const grace = t.pod.spec.terminationGracePeriodSeconds ?? 30;
        return grace >= needed
          ? []
          : [{ object: t.pod.owner, message: `terminationGracePeriodSeconds is ${grace}; flushing needs up to ${needed} (2 x flush_op_timeout ${flushOp}s + ${FLUSH_MAX_BACKOFF_SECONDS}s backoff)` }];
      }),
  },
  {
    id: 'tempo-ingester-rollout',
    reason: 'A rollout replaces one ingester at a time: two down at once can lose the write quorum of replication factor 3',
    severity: 'error',
    check: (cluster) =>
      tempoPods(cluster, 'ingester').flatMap(({ pod }): Violation[] => {
        const o = pod.owner as Any;
        if (o.kind !== 'StatefulSet') return [{ object: o, message: `ingesters run as a ${o.kind}; expected a StatefulSet (stable ring identity and a volume per pod)` }];
        const strategy = o.spec.updateStrategy ?? {};
        if ((strategy.type ?? 'RollingUpdate') !== 'RollingUpdate') return [{ object: o, message: `updateStrategy is ${strategy.type}; expected RollingUpdate (one pod at a time)` }];
        const max = strategy.rollingUpdate?.maxUnavailable ?? 1;
        return max === 1 ? [] : [{ object: o, message: `updateStrategy.rollingUpdate.maxUnavailable is ${max}; expected 1` }];
      }),
  },
  {
    id: 'tempo-ingester-pdb',
    reason: 'A node drain evicts at most one ingester at a time (PodDisruptionBudget maxUnavailable: 1)',
    severity: 'error',
    check: (cluster) =>
      tempoPods(cluster, 'ingester')
        .filter(({ pod }) => (pod.replicas?.max ?? 1) > 1)
        .flatMap(({ pod }): Violation[] => {
          const pdbs = cluster.kind('PodDisruptionBudget').filter((b) => namespaceOf(b) === pod.namespace && matches(b.spec?.selector, pod.labels));
          if (pdbs.length === 0) return [{ object: pod.owner, message: 'no PodDisruptionBudget selects the ingesters' }];
          return pdbs
            .filter((b) => b.spec.maxUnavailable !== 1)
            .map((b) => ({ object: b, message: `expected maxUnavailable: 1, got ${JSON.stringify(b.spec.maxUnavailable ?? { minAvailable: b.spec.minAvailable })}` }));
        }),
  },
];
