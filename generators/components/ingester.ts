// The ingester: holds recent traces (WAL on its volume), cuts blocks and flushes them to S3. Every
// trace is written to tempo.replicationFactor ingesters, so one never shares a node with another.
import { replicas, resources, volume } from '../environment/fields';
import { TEMPO_PORTS } from '../tempo/facts';
import { pods } from './peers';
import { TEMPO_MEMORY_FLOOR, tempoComponent } from './tempo';

/** Ingesters flush every block to S3 on shutdown: give them as long as Tempo's own jsonnet does. */
export const INGESTER_TERMINATION_GRACE_SECONDS = 1200;

export const ingester = tempoComponent({
  name: 'ingester',
  description: 'Buffers traces, writes the WAL and flushes blocks to S3',
  settings: {
    replicas: replicas(3, 100),
    resources: resources(
      {
        requests: { cpu: '1', memory: '4Gi', 'ephemeral-storage': '256Mi' },
        limits: { cpu: '2', memory: '6Gi', 'ephemeral-storage': '1Gi' },
      },
      TEMPO_MEMORY_FLOOR,
    ),
    storage: volume('50Gi'),
  },
  traits: { ringMember: true, opensStore: true, stateful: true, grpcServer: true },
  versions: ['2.10'],
  replacedBy: { '3.0': '3.0 has no ingester; size the live-store instead (components.live-store: replicas per zone = Kafka partitions)' },
  // Writes (distributor) and recent-data reads (querier) arrive over gRPC.
  ingress: () => [{ from: [pods('distributor'), pods('querier')], ports: [TEMPO_PORTS.grpc] }],
  pod: { terminationGracePeriodSeconds: INGESTER_TERMINATION_GRACE_SECONDS, oneReplicaPerNode: true },
});
