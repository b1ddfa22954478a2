// The metrics-generator: turns spans into span metrics and service graphs (remote-written to
// Prometheus) and keeps local blocks for TraceQL metrics queries, on its own volume.
import { replicas, resources, volume } from '../environment/fields';
import { TEMPO_PORTS } from '../tempo/facts';
import { kafkaEgress } from '../kafka/facts';
import { pods, remoteWrite } from './peers';
import { TEMPO_MEMORY_FLOOR, tempoComponent } from './tempo';

export const metricsGenerator = tempoComponent({
  name: 'metrics-generator',
  description: 'Span metrics and service graphs, remote-written to Prometheus',
  settings: {
    replicas: replicas(1, 50),
    resources: resources(
      {
        requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '256Mi' },
        limits: { cpu: '1', memory: '2Gi', 'ephemeral-storage': '1Gi' },
      },
      TEMPO_MEMORY_FLOOR,
    ),
    storage: volume('10Gi'),
  },
  kafkaClient: true,
  traits: { ringMember: true, opensStore: true, stateful: true, grpcServer: true, grpcServerIn: ['2.10'] },
  // 2.10: spans from the distributor, TraceQL metrics jobs from the querier. 3.0: it reads Kafka; nobody dials it.
  ingress: (env) => (env.tempo.version === '2.10' ? [{ from: [pods('distributor'), pods('querier')], ports: [TEMPO_PORTS.grpc] }] : []),
  egress: (env) => [remoteWrite(env.metricsGenerator.remoteWriteUrl), ...(env.tempo.version === '3.0' ? [kafkaEgress(env)] : [])],
  pod: { terminationGracePeriodSeconds: 300 },
  // Its volume holds derived data only (the remote-write WAL, local blocks for TraceQL metrics): a scaled-down
  // generator's series move to the others, and a claim kept for a later scale-up would replay stale samples.
  // Kept when the StatefulSet is deleted, like every volume of the stack (the namespace keeps them too).
  claimRetention: () => ({ whenDeleted: 'Retain', whenScaled: 'Delete' }),
});
