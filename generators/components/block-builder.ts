// The block-builder (Tempo 3): consumes its Kafka partitions every cycle and writes blocks to S3. Pod
// <name>-<n> consumes partitions [n*k, n*k+k) (k = block_builder.partitions_per_instance, rendered as
// partitions / replicas), so it is a StatefulSet for the stable ordinal; its WAL is scratch (Kafka is
// the log: a restart consumes the cycle again from the last committed offset).
import { replicas, resources } from '../environment/fields';
import { TEMPO_MEMORY_FLOOR, tempoComponent } from './tempo';
import { kafkaEgress } from '../kafka/facts';

export const blockBuilder = tempoComponent({
  name: 'block-builder',
  description: 'Tempo 3: builds blocks from Kafka and writes them to S3; Kafka partitions must be a multiple of its replicas',
  settings: {
    replicas: replicas(3, 100, 'Pods; each consumes partitions / replicas of the topic'),
    resources: resources(
      {
        requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '1Gi' },
        limits: { cpu: '2', memory: '4Gi', 'ephemeral-storage': '10Gi' },
      },
      TEMPO_MEMORY_FLOOR,
    ),
  },
  kafkaClient: true,
  traits: { ringMember: true, opensStore: true, stateful: false, ordinal: true, grpcServer: false },
  versions: ['3.0'],
  egress: (env) => [kafkaEgress(env)],
  replacedBy: { '2.10': '2.10 has no block-builder: its ingesters flush blocks (components.ingester)' },
  ingress: () => [],
});
