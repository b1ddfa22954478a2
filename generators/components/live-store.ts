// The live-store (Tempo 3): consumes the Kafka topic and serves the most recent traces to the queriers
// until the block-builders' blocks cover them. Two zones, each a StatefulSet that consumes every
// partition: pod <name>-<n> owns partition n (Tempo 3.0.3 reads the partition from the instance id's
// "-<n>" suffix and the consumer group from the rest, pkg/ingest/util.go). Losing a zone loses no read.
import { replicas, resources, volume } from '../environment/fields';
import { TEMPO_PORTS } from '../tempo/facts';
import { pods } from './peers';
import { kafkaEgress } from '../kafka/facts';
import { TEMPO_MEMORY_FLOOR, tempoComponent } from './tempo';

/** Each zone consumes every partition, so one zone alone still answers every recent read. */
export const LIVE_STORE_ZONES = ['zone-a', 'zone-b'] as const;
/** Like the ingesters (and upstream's jsonnet): time to finish cutting blocks before the pod goes. */
export const LIVE_STORE_TERMINATION_GRACE_SECONDS = 1200;

export const liveStore = tempoComponent({
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
});
