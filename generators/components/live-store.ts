// The live-store (Tempo 3): consumes the Kafka topic and serves the most recent traces to the queriers
// until the block-builders' blocks cover them. Two zones, each a StatefulSet that consumes every
// partition: pod <name>-<n> owns partition n (Tempo 3.0.3 reads the partition from the instance id's
// "-<n>" suffix and the consumer group from the rest, pkg/ingest/util.go). Losing a zone loses no read.
import { replicas, resources, volume } from '../environment/fields';
import { TEMPO_PORTS } from '../tempo/facts';
import { pods } from './peers';
import { kafkaEgress } from '../kafka/facts';
import type { EnvironmentSettings } from '../environment/settings';
import { type KubeObject, isKind } from '../kubernetes/objects';
import { ZONE_LABEL, TEMPO_MEMORY_FLOOR, tempoComponent } from './tempo';
import { pinnedToZone } from './zones';

/** Each zone consumes every partition, so one zone alone still answers every recent read. */
export const LIVE_STORE_ZONES = ['zone-a', 'zone-b'] as const;
/** Like the ingesters (and upstream's jsonnet): time to finish cutting blocks before the pod goes. */
export const LIVE_STORE_TERMINATION_GRACE_SECONDS = 1200;

const component = tempoComponent({
  name: 'live-store',
  description: 'Tempo 3: serves recent traces from Kafka, one StatefulSet per zone; replicas per zone = Kafka partitions',
  settings: {
    replicas: replicas(3, 100, 'Pods per zone, one per Kafka partition (both zones run this many)'),
    resources: resources(
      {
        requests: { cpu: '500m', memory: '2Gi', 'ephemeral-storage': '256Mi' },
        limits: { cpu: '2', memory: '4Gi', 'ephemeral-storage': '1Gi' },
      },
      TEMPO_MEMORY_FLOOR,
    ),
    storage: volume('20Gi'),
  },
  kafkaClient: true,
  traits: { ringMember: true, opensStore: false, stateful: true, grpcServer: true },
  versions: ['3.0'],
  egress: (env) => [kafkaEgress(env)],
  replacedBy: { '2.10': '2.10 has no live-store: its ingesters serve recent traces (components.ingester)' },
  zones: { names: LIVE_STORE_ZONES, flag: '-live-store.instance-availability-zone' },
  // Recent-data reads from the queriers (gRPC).
  ingress: () => [{ from: [pods('querier')], ports: [TEMPO_PORTS.grpc] }],
  pod: { terminationGracePeriodSeconds: LIVE_STORE_TERMINATION_GRACE_SECONDS },
  // Its volume holds recent data only (WAL and complete blocks, the prepare-downscale shutdown marker): Kafka
  // holds the partition and the block-builders its blocks (3.0.3 replays 2 x complete_block_timeout from Kafka
  // when it finds no local data). Kept when the StatefulSet is deleted, like every volume of the stack; deleted
  // on scale-down: a kept claim is billed, and a later scale-up would start from its shutdown marker.
  claimRetention: () => ({ whenDeleted: 'Retain', whenScaled: 'Delete' }),
});

/**
 * With two or more availability zones in cluster.zones, zone-a runs in the first and zone-b in the second
 * (required node affinity): losing an AZ then loses one live-store zone only, and the other still holds
 * every partition. The StatefulSets keep their logical names (each is a Kafka consumer group). Without
 * zones, both may share nodes anywhere. The volumes are created in the pinned zone; pinning live-stores
 * that already have volumes elsewhere leaves them Pending (README "Tempo 3").
 */
export const pinnedZone = (env: EnvironmentSettings, zone: string): string | undefined => {
  const i = LIVE_STORE_ZONES.indexOf(zone as (typeof LIVE_STORE_ZONES)[number]);
  return env.cluster.zones.length >= LIVE_STORE_ZONES.length && i >= 0 ? env.cluster.zones[i] : undefined;
};

export const liveStore: typeof component = {
  ...component,
  objects(env, settings): KubeObject[] {
    return component.objects(env, settings).map((o) => {
      if (!isKind(o, 'StatefulSet') || !o.spec?.template.spec) return o;
      const zone = o.spec.template.metadata?.labels?.[ZONE_LABEL];
      const az = zone ? pinnedZone(env, zone) : undefined;
      return az ? { ...o, spec: { ...o.spec, template: { ...o.spec.template, spec: pinnedToZone(o.spec.template.spec, az) } } } : o;
    });
  },
};
