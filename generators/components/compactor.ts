// The compactor: merges blocks in S3 and deletes those older than the retention.
import { replicas, resources } from '../environment/fields';
import { TEMPO_MEMORY_FLOOR, tempoComponent } from './tempo';

export const compactor = tempoComponent({
  name: 'compactor',
  description: 'Compacts blocks and enforces retention',
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
  versions: ['2.10'],
  replacedBy: { '3.0': '3.0 has no compactor; size the backend-worker instead (components.backend-worker; the backend-scheduler plans its jobs)' },
  ingress: () => [],
});
