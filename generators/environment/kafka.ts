// Kafka for Tempo 3's ingest path (tempo.version 3.0): distributors write spans to one topic, live-stores,
// block-builders and the metrics-generator read it. Its own file to keep settings.ts readable. What
// Tempo 3.0.3's client can do decides the options (pkg/ingest/config.go, writer_client.go): one seed
// address, SASL/PLAIN or nothing, no TLS, no SCRAM, no IAM.
import { bool, duration, INT32_MAX, int, object, oneOf, PATTERNS, resources, str, volume } from './fields';

/** alerts.thresholds.partitionLagSeconds: the tempo-mixin's defaults (block-builder: two of its 5m cycles). */
export const partitionLagSeconds = object(
  {
    liveStore: int('TempoLiveStorePartitionLag: seconds a live-store zone is behind the topic', 1, 200),
    blockBuilder: int('TempoBlockBuilderPartitionLag: seconds the block-builders are behind (a cycle is 5 min)', 1, 600),
    metricsGenerator: int('TempoMetricsGeneratorPartitionLag: seconds the metrics-generators are behind', 1, 900),
  },
  'Tempo 3: Kafka consumer lag per partition (tempo_ingest_group_partition_lag_seconds)',
);

/** Strimzi's Kafka pods (JVM, KRaft controller and broker in one) do not start in less. */
const KAFKA_MEMORY_FLOOR = { least: '1Gi', why: 'a Kafka node (JVM heap, page cache and the KRaft controller) does not start in less' };

export const kafka = object(
  {
    cluster: oneOf(
      ['strimzi', 'external'],
      'strimzi: a Kafka cluster in the namespace, managed by the Strimzi operator (Kafka, KafkaNodePool, KafkaTopic); external: one you run (Amazon MSK on its plaintext listener, or SASL/PLAIN)',
      'strimzi',
    ),
    topic: str('Topic the distributors write spans to (partitions: one per live-store of a zone)', PATTERNS.kafkaTopic, 'tempo-ingest'),
    retention: duration('How long Kafka keeps spans (retention.ms): at least a block-builder cycle, a restart and a live-store replay; a Go duration', '24h'),
    external: object(
      {
        address: str(
          'One bootstrap broker host:port, plaintext (Tempo 3.0.3 takes a single seed and has no TLS; MSK: a broker of the PLAINTEXT listener, port 9092)',
          PATTERNS.hostPortOrEmpty,
          '',
        ),
        partitions: int(
          `Partitions the topic was created with (the bootstrap creates it); at least the live-stores of a zone, at most ${INT32_MAX} (Kafka counts partitions in an int32)`,
          1,
          3,
          INT32_MAX,
        ),
        sasl: bool(
          'SASL/PLAIN (the only mechanism Tempo 3.0.3 speaks): username and password from AWS Secrets Manager tempo/kafka-credentials, through External Secrets',
          false,
        ),
      },
      'kafka.cluster external: the cluster, its topic and how Tempo authenticates',
    ),
    strimzi: object(
      {
        nodes: int('Kafka nodes, each KRaft controller and broker (topic replication: up to 3 of them)', 1, 3, 9),
        storage: volume('100Gi'),
        resources: resources({ requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } }, KAFKA_MEMORY_FLOOR),
      },
      'kafka.cluster strimzi: the in-cluster Kafka (the Strimzi operator must run in the cluster)',
    ),
  },
  'Kafka for Tempo 3 ingest (tempo.version 3.0 only)',
);
