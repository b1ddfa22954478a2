// The ingester: holds recent traces (WAL on its volume), cuts blocks and flushes them to S3. Every
// trace is written to tempo.replicationFactor ingesters, so one never shares a node with another.
// Zone-aware (zoneAware, the default): one StatefulSet per cluster.zones entry and the ring places a
// trace's copies in distinct zones, so losing a whole zone loses no copy twice (zones.ts).
import { bool, replicas, resources, volume } from '../environment/fields';
import type { EnvironmentSettings } from '../environment/settings';
import { TEMPO_PORTS } from '../tempo/facts';
import { pods } from './peers';
import { TEMPO_MEMORY_FLOOR, tempoComponent } from './tempo';
import { AVAILABILITY_ZONE_ENV, zoneAwareBudget, zonedStatefulSets } from './zones';

/** Ingesters flush every block to S3 on shutdown: give them as long as Tempo's own jsonnet does. */
export const INGESTER_TERMINATION_GRACE_SECONDS = 1200;
/** The rollout group of the zone StatefulSets (rollout-operator, ZoneAwarePodDisruptionBudget). */
export const INGESTER_ROLLOUT_GROUP = 'ingester';
/**
 * The ring zone of the single StatefulSet kept during the move to zones (legacyStatefulSet). Not "": dskit
 * 2.10.8's ring (ring.go findInstancesForKey) limits each named zone to one copy of a key but never counts
 * zone "", so several copies of a trace could land on the old pods. Named, they hold at most one copy.
 */
export const LEGACY_ZONE = 'legacy';

export const ingester = tempoComponent({
  name: 'ingester',
  description: 'Buffers traces, writes the WAL and flushes blocks to S3',
  settings: {
    replicas: replicas(3, 100, 'Number of pods in all zones together (a multiple of the zones when zoneAware)'),
    resources: resources(
      {
        requests: { cpu: '1', memory: '4Gi', 'ephemeral-storage': '256Mi' },
        limits: { cpu: '2', memory: '6Gi', 'ephemeral-storage': '1Gi' },
      },
      TEMPO_MEMORY_FLOOR,
    ),
    storage: volume('50Gi'),
    zoneAware: bool(
      "One StatefulSet per cluster.zones entry (tempo-stack-ingester-zone-<letter>); the ring puts each trace's copies in distinct zones; the rollout-operator rolls them out zone by zone",
      true,
    ),
    legacyStatefulSet: bool(
      'While moving to zoneAware: keep the single StatefulSet tempo-stack-ingester running beside the zones; remove it in a second PR, an hour later (README "Zones")',
      false,
    ),
  },
  traits: { ringMember: true, opensStore: true, stateful: true, grpcServer: true },
  versions: ['2.10'],
  replacedBy: { '3.0': '3.0 has no ingester; size the live-store instead (components.live-store: replicas per zone = Kafka partitions)' },
  // Writes (distributor) and recent-data reads (querier) arrive over gRPC.
  ingress: () => [{ from: [pods('distributor'), pods('querier')], ports: [TEMPO_PORTS.grpc] }],
  pod: { terminationGracePeriodSeconds: INGESTER_TERMINATION_GRACE_SECONDS, oneReplicaPerNode: true },
  // Kept when the StatefulSet is deleted (a migration or a volume resize deletes it; its pods may still
  // hold the only copy of a block whose flush failed). Deleted on scale-down only where other copies
  // exist: the scaled-down pod has flushed on SIGTERM (flush_all_on_shutdown waits until the flush queue
  // is empty, or until the 1200 s grace ends), and its traces have other copies, on ingesters that stay or
  // (the zones scale down together) on other leaving pods that flush theirs too. A kept claim would be
  // billed forever and replay a stale WAL if scaled up again.
  claimRetention: (env: EnvironmentSettings) => ({ whenDeleted: 'Retain', whenScaled: env.tempo.replicationFactor >= 2 ? 'Delete' : 'Retain' }),
  reshape(env, own, workload, budget) {
    if (!own.zoneAware || workload.kind !== 'StatefulSet') return [workload, ...(budget ? [budget] : [])];
    const zones = env.cluster.zones;
    const zoned = zonedStatefulSets(workload, { zones, group: INGESTER_ROLLOUT_GROUP, replicasPerZone: Math.max(1, Math.floor(own.replicas / zones.length)) });
    // The migration's first step keeps today's StatefulSet (and its budget) beside the zones; it is not in
    // the rollout group, so the rollout-operator and the zone budget leave it alone.
    const legacy = own.legacyStatefulSet ? [inLegacyZone(workload), ...(budget ? [budget] : [])] : [];
    return [...zoned, zoneAwareBudget('ingester', workload.metadata.labels ?? {}, INGESTER_ROLLOUT_GROUP), ...legacy];
  },
});

/** The single StatefulSet announcing LEGACY_ZONE (tempo.yaml expands AVAILABILITY_ZONE into availability_zone). */
function inLegacyZone<W extends { spec?: { template: { spec?: { containers: Array<{ env?: Array<{ name: string; value?: string }> }> } } } }>(w: W): W {
  const pod = w.spec!.template.spec!;
  const containers = pod.containers.map((c) => ({ ...c, env: [...(c.env ?? []), { name: AVAILABILITY_ZONE_ENV, value: LEGACY_ZONE }] }));
  return { ...w, spec: { ...w.spec!, template: { ...w.spec!.template, spec: { ...pod, containers } } } };
}
