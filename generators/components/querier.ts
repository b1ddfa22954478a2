// The querier: pulls query jobs from the query-frontends and runs them against ingesters (recent
// data) and S3 (blocks).
import { autoscaling, replicas, resources } from '../environment/fields';
import { TEMPO_MEMORY_FLOOR, tempoComponent } from './tempo';

export const querier = tempoComponent({
  name: 'querier',
  description: 'Executes query jobs against ingesters and S3',
  settings: {
    replicas: replicas(2, 100),
    resources: resources(
      {
        requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '256Mi' },
        limits: { cpu: '2', memory: '4Gi', 'ephemeral-storage': '1Gi' },
      },
      TEMPO_MEMORY_FLOOR,
    ),
    autoscaling: autoscaling(2, 6, 100),
  },
  traits: { ringMember: true, opensStore: true, stateful: false, grpcServer: false },
  // It dials the frontends; nobody dials it.
  ingress: () => [],
});
