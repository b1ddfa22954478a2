// The backend-scheduler (Tempo 3): plans compaction and retention jobs for the backend-workers, which
// pull them over gRPC. Exactly one: it owns the work list (kept on its volume and flushed to S3).
import { int, resources, volume } from '../environment/fields';
import { TEMPO_PORTS } from '../tempo/facts';
import { pods } from './peers';
import { TEMPO_MEMORY_FLOOR, tempoComponent } from './tempo';

export const backendScheduler = tempoComponent({
  name: 'backend-scheduler',
  description: 'Tempo 3: schedules compaction and retention jobs (one replica)',
  settings: {
    // One scheduler owns the work list: a second would hand out the same jobs.
    replicas: int('Pods: always 1 (a second scheduler would hand out the same jobs)', 1, 1, 1),
    resources: resources(
      {
        requests: { cpu: '250m', memory: '512Mi', 'ephemeral-storage': '256Mi' },
        limits: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '1Gi' },
      },
      TEMPO_MEMORY_FLOOR,
    ),
    storage: volume('1Gi'),
  },
  traits: { ringMember: false, opensStore: true, stateful: true, grpcServer: true },
  versions: ['3.0'],
  replacedBy: { '2.10': '2.10 has no backend-scheduler: its compactor compacts (components.compactor)' },
  // The workers pull jobs over gRPC.
  ingress: () => [{ from: [pods('backend-worker')], ports: [TEMPO_PORTS.grpc] }],
  // Its volume holds the work list (3.0.3 reads it before the copy it flushes to S3, which lags) and the
  // redaction batch manifest (on the volume only): kept on deletion and when scaled to 0 by hand.
  claimRetention: () => ({ whenDeleted: 'Retain', whenScaled: 'Retain' }),
});
