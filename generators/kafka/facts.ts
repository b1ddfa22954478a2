// What the stack needs to know about its Kafka (Tempo 3 ingest): where the brokers are, the topic's
// partitions as the live-stores and block-builders divide them, and the names of what is rendered.
import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
import type { EnvironmentSettings } from '../environment/settings';
import { objectName, serviceHost } from '../stack';

/** The Strimzi Kafka cluster: its pods carry strimzi.io/cluster=<name>; its bootstrap Service is <name>-kafka-bootstrap. */
export const KAFKA_CLUSTER = objectName('kafka');
/** The Strimzi listener Tempo uses: plain (no TLS: Tempo 3.0.3's client has none), no authentication. */
export const KAFKA_LISTENER = { name: 'plain', port: 9092 } as const;
/** SASL/PLAIN credentials (kafka.external.sasl): the Secret External Secrets fills, its keys and the env vars. */
export const KAFKA_SECRET = 'tempo-kafka-credentials';
export const KAFKA_SECRET_KEYS = { username: 'username', password: 'password' } as const;
export const KAFKA_ENV = { username: 'KAFKA_SASL_USERNAME', password: 'KAFKA_SASL_PASSWORD' } as const;

/** Consumer groups Tempo 3.0.3 fixes (modules/blockbuilder, modules/generator; live-stores: their StatefulSet's name). */
export const CONSUMER_GROUPS = { blockBuilder: 'block-builder', metricsGenerator: 'metrics-generator' } as const;

/** ingest.kafka.address: one seed broker. */
export function kafkaAddress(env: EnvironmentSettings): string {
  return env.kafka.cluster === 'external' ? env.kafka.external.address : `${serviceHost(env, `${KAFKA_CLUSTER}-kafka-bootstrap`)}:${KAFKA_LISTENER.port}`;
}

/** Copies of each partition on the Strimzi brokers: 3 from three nodes, else what there is (dev: one node, no redundancy). */
export const strimziTopicReplicas = (env: EnvironmentSettings): number => Math.min(3, env.kafka.strimzi.nodes);

/** The live-store partitions P: one per live-store of a zone (pod -n owns partition n in each zone). */
export const livePartitions = (env: { components: { 'live-store': { replicas: number } } }): number => env.components['live-store'].replicas;

/** Partitions of the topic: P with Strimzi (its KafkaTopic), as created for an external cluster. */
export const topicPartitions = (env: EnvironmentSettings & { components: { 'live-store': { replicas: number } } }): number =>
  env.kafka.cluster === 'external' ? env.kafka.external.partitions : livePartitions(env);

/** Egress to the brokers: the Strimzi pods in the namespace, or any address on the external port. */
export function kafkaEgress(env: EnvironmentSettings): INetworkPolicyEgressRule {
  if (env.kafka.cluster === 'strimzi')
    return {
      to: [{ podSelector: { matchLabels: { 'strimzi.io/cluster': KAFKA_CLUSTER, 'strimzi.io/kind': 'Kafka' } } }],
      ports: [{ protocol: 'TCP', port: KAFKA_LISTENER.port }],
    };
  // A broker answers the bootstrap with every broker's address: their IPs are not known here (MSK: the VPC).
  const port = Number(env.kafka.external.address.split(':').pop() || KAFKA_LISTENER.port);
  return { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: [{ protocol: 'TCP', port }] };
}
