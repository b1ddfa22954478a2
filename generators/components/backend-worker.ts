// The backend-worker (Tempo 3): runs the scheduler's compaction and retention jobs against S3 and keeps
// each tenant's index. Replaces the compactor together with the backend-scheduler.
import { replicas, resources } from '../environment/fields';
import { TEMPO_MEMORY_FLOOR, tempoComponent } from './tempo';

export const backendWorker = tempoComponent({
  name: 'backend-worker',
  description: 'Tempo 3: compacts blocks and applies retention, on jobs from the backend-scheduler',
  settings: {
    replicas: replicas(1, 50),
    resources: resources(
      {
        requests: { cpu: '500m', memory: '2Gi', 'ephemeral-storage': '256Mi' },
        limits: { cpu: '2', memory: '4Gi', 'ephemeral-storage': '1Gi' },
      },
      TEMPO_MEMORY_FLOOR,
    ),
  },
  traits: { ringMember: true, opensStore: true, stateful: false, grpcServer: false },
  versions: ['3.0'],
  replacedBy: { '2.10': '2.10 has no backend-worker: its compactor compacts (components.compactor)' },
  // It dials the scheduler; nobody dials it.
  ingress: () => [],
});
