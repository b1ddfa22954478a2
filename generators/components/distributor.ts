// The distributor: receives spans (OTLP, Jaeger, Zipkin) and writes each trace to replication-factor
// ingesters and to the metrics-generators (2.10), or to the Kafka topic (3.0). It never opens the store (Tempo 2.10.8 modules.go), so it
// gets no S3 keys: a missing Secret or a key rotation never stops or restarts ingestion.
import { autoscaling, replicas, resources } from '../environment/fields';
import type { ContainerPort } from './component';
import { kafkaEgress } from '../kafka/facts';
import { namespaces, pods, podsIn } from './peers';
import { TEMPO_MEMORY_FLOOR, tempoComponent } from './tempo';
import { preferSameZone } from './zones';

/** The five receivers, each bound to 0.0.0.0 by tempo/config.ts (Tempo >= 2.7 binds localhost by default). */
export const RECEIVERS = [
  { name: 'otlp-grpc', port: 4317, protocol: 'OTLP gRPC' },
  { name: 'otlp-http', port: 4318, protocol: 'OTLP HTTP' },
  { name: 'jaeger-grpc', port: 14250, protocol: 'Jaeger gRPC' },
  { name: 'jaeger-http', port: 14268, protocol: 'Jaeger Thrift HTTP' },
  { name: 'zipkin', port: 9411, protocol: 'Zipkin' },
] as const;
export type ReceiverName = (typeof RECEIVERS)[number]['name'];
export const receiverPort = (name: ReceiverName): number => RECEIVERS.find((r) => r.name === name)!.port;
/** What the collector agent and tempo-vulture push to. */
export const OTLP_GRPC = receiverPort('otlp-grpc');

export const distributor = tempoComponent({
  name: 'distributor',
  description: 'Receives spans (OTLP, Jaeger, Zipkin) and forwards them to ingesters',
  settings: {
    replicas: replicas(3, 100),
    resources: resources(
      {
        requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '256Mi' },
        limits: { cpu: '2', memory: '2Gi', 'ephemeral-storage': '1Gi' },
      },
      TEMPO_MEMORY_FLOOR,
    ),
    autoscaling: autoscaling(3, 6, 100),
  },
  kafkaClient: true,
  traits: { ringMember: true, opensStore: false, stateful: false, grpcServer: false },
  // Tempo 3: spans go to Kafka (2.10: to the ingesters, covered by the stack-wide egress).
  egress: (env) => (env.tempo.version === '3.0' ? [kafkaEgress(env)] : undefined),
  extraPorts: RECEIVERS.map((r): ContainerPort => ({ name: r.name, port: r.port, service: true })),
  // Agents send to a distributor in their own zone: only the replicated writes to other zones' ingesters cross zones.
  serviceSpec: preferSameZone,
  ingress: (env) => [
    // Spans: instrumented applications (and collectors of their own) straight to the distributor...
    { from: namespaces(env.networkPolicies.traceSenderNamespaces), ports: RECEIVERS.map((r) => r.port) },
    // ...or through the collector agent (through the tail-sampling gateway when it runs), which exports
    // OTLP gRPC; tempo-vulture writes the same way.
    {
      from: [
        ...(env.features.collector && !env.sampling.tail.enabled ? [pods('collector')] : []),
        ...(env.sampling.tail.enabled ? [pods('gateway')] : []),
        ...(env.features.vulture ? [pods('vulture')] : []),
        // A dual run's 3.x stack: the 2.10 stack's agents (or gateway) write to it too.
        ...(env.beside ? [podsIn(env.beside.namespace, env.beside.sender)] : []),
      ],
      ports: [OTLP_GRPC],
    },
  ],
});
