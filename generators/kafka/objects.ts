// The Kafka objects of a Tempo 3 environment. kafka.cluster strimzi: a KRaft cluster for the Strimzi
// operator (Kafka + one KafkaNodePool whose nodes are controllers and brokers) and the topic (KafkaTopic:
// one partition per live-store of a zone, retention from kafka.retention). kafka.cluster external with
// SASL: the ExternalSecret that syncs the PLAIN credentials from AWS Secrets Manager.
import type { EnvironmentSettings } from '../environment/settings';
import type { KubeObject } from '../kubernetes/objects';
import { KAFKA_SECRET_REMOTE } from '../aws/names';
import { SECRET_STORE } from '../credentials';
import { INSTANCE_SELECTOR, stackLabels } from '../stack';
import { KAFKA_CLUSTER, KAFKA_LISTENER, KAFKA_SECRET, KAFKA_SECRET_KEYS, livePartitions, strimziTopicReplicas } from './facts';

type Tempo3Environment = EnvironmentSettings & { components: { 'live-store': { replicas: number } } };

export function kafkaObjects(env: Tempo3Environment): KubeObject[] {
  if (env.tempo.version !== '3.0') return [];
  const labels = stackLabels(env.tempo.tag);
  if (env.kafka.cluster === 'external') {
    if (!env.kafka.external.sasl) return [];
    return [
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: KAFKA_SECRET, labels },
        spec: {
          refreshInterval: '1h',
          secretStoreRef: { kind: 'SecretStore', name: SECRET_STORE },
          target: { name: KAFKA_SECRET, creationPolicy: 'Owner' },
          data: Object.values(KAFKA_SECRET_KEYS).map((key) => ({ secretKey: key, remoteRef: { key: KAFKA_SECRET_REMOTE, property: key } })),
        },
      },
    ];
  }
  const s = env.kafka.strimzi;
  // Topic replicas and the in-sync minimum: 3/2 from three nodes, else what there is (dev: one node, no redundancy).
  const replicas = strimziTopicReplicas(env);
  const minInSync = Math.max(1, Math.min(2, replicas - 1));
  const strimziLabels = { ...labels, 'strimzi.io/cluster': KAFKA_CLUSTER };
  const figures = (f: Record<string, { text: string } | undefined>) => Object.fromEntries(Object.entries(f).flatMap(([k, q]) => (q ? [[k, q.text]] : [])));
  return [
    {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'Kafka',
      metadata: { name: KAFKA_CLUSTER, labels },
      spec: {
        kafka: {
          listeners: [
            {
              // Tempo 3.0.3's Kafka client has no TLS and speaks SASL/PLAIN only: a plain listener, reachable
              // from Tempo's pods alone (Strimzi turns networkPolicyPeers into the listener's NetworkPolicy).
              name: KAFKA_LISTENER.name,
              port: KAFKA_LISTENER.port,
              type: 'internal',
              tls: false,
              networkPolicyPeers: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'tempo', ...INSTANCE_SELECTOR } } }],
            },
          ],
          config: {
            // Tempo creates nothing: the KafkaTopic below is the topic (auto-creation would use broker defaults).
            'auto.create.topics.enable': false,
            'offsets.topic.replication.factor': replicas,
            'transaction.state.log.replication.factor': replicas,
            'transaction.state.log.min.isr': minInSync,
            'default.replication.factor': replicas,
            'min.insync.replicas': minInSync,
          },
        },
        // The topic operator reconciles the KafkaTopic; Tempo's consumer groups need no users (no authentication).
        entityOperator: { topicOperator: {} },
      },
    },
    {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaNodePool',
      metadata: { name: `${KAFKA_CLUSTER}-nodes`, labels: strimziLabels },
      spec: {
        replicas: s.nodes,
        roles: ['controller', 'broker'],
        storage: {
          type: 'jbod',
          volumes: [{ id: 0, type: 'persistent-claim', size: s.storage.size.text, class: s.storage.storageClass, deleteClaim: false, kraftMetadata: 'shared' }],
        },
        resources: { requests: figures(s.resources.requests), limits: figures(s.resources.limits) },
      },
    },
    {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaTopic',
      metadata: { name: env.kafka.topic.toLowerCase().replace(/[^a-z0-9.-]/g, '-'), labels: strimziLabels },
      spec: {
        topicName: env.kafka.topic,
        // One partition per live-store of a zone: live-store -n owns partition n (the block-builders and
        // metrics-generators divide the same partitions between them).
        partitions: livePartitions(env),
        replicas,
        config: { 'retention.ms': env.kafka.retention.seconds * 1000, 'cleanup.policy': 'delete', 'min.insync.replicas': minInSync },
      },
    },
  ];
}
