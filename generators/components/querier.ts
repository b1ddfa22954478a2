// The querier: pulls query jobs from the query-frontends and runs them against ingesters (recent
// data) and S3 (blocks).
import { autoscaling, replicas, resources } from '../environment/fields';
import { tempoComponent } from './tempo';

export const querier = tempoComponent({
  name: 'querier',
  description: 'Executes query jobs against ingesters and S3',
  settings: {
    replicas: replicas(2),
    resources: resources({
      requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '256Mi' },
      limits: { cpu: '2', memory: '4Gi', 'ephemeral-storage': '1Gi' },
    }),
    autoscaling: autoscaling(2, 6),
  },
  traits: { ringMember: true, opensStore: true, stateful: false, grpcServer: false },
  // It dials the frontends; nobody dials it.
  ingress: () => [],
});
