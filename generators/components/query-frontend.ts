// The query-frontend: the query API (Grafana, tempo-vulture). It shards each query into jobs that the
// queriers pull over gRPC through a headless discovery Service.
import { replicas, resources } from '../environment/fields';
import { labels, selectorLabels } from '../stack';
import { SERVICES, TEMPO_PORTS } from '../tempo/facts';
import { servicePort } from './pod';
import { namespaces, pods } from './peers';
import { TEMPO_MEMORY_FLOOR, tempoComponent } from './tempo';
import { preferSameZone } from './zones';

/** The port the design documents (…query-frontend…:3100); the Service maps it to Tempo's 3200. */
export const LEGACY_HTTP_PORT = 3100;

export const queryFrontend = tempoComponent({
  name: 'query-frontend',
  description: 'Shards and queues queries',
  settings: {
    replicas: replicas(2, 20),
    resources: resources(
      {
        requests: { cpu: '250m', memory: '512Mi', 'ephemeral-storage': '256Mi' },
        limits: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '1Gi' },
      },
      TEMPO_MEMORY_FLOOR,
    ),
  },
  traits: { ringMember: false, opensStore: true, stateful: false, grpcServer: true },
  serviceAliases: [servicePort('http-legacy', LEGACY_HTTP_PORT, 'http')],
  // Grafana's queries (and their results) stay in its zone when a frontend runs there.
  serviceSpec: preferSameZone,
  ingress: (env) => [
    // Queriers dial the frontend and pull jobs over that stream; the frontend never dials a querier.
    { from: [pods('querier')], ports: [TEMPO_PORTS.grpc] },
    // Grafana; the Service's 3100 is translated to the pod's 3200 before the policy applies.
    { from: namespaces(env.networkPolicies.grafanaNamespaces), ports: [TEMPO_PORTS.http] },
  ],
  // The vulture reads back what it wrote through the query-frontend, like Grafana.
  laterIngress: (env) => (env.features.vulture ? [{ from: [pods('vulture')], ports: [TEMPO_PORTS.http] }] : []),
  extraObjects: (env) => [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SERVICES.queryFrontendDiscovery, labels: labels('query-frontend', env.tempo.tag) },
      spec: {
        clusterIP: 'None',
        // Queriers must reach every frontend, ready or not, or a starting frontend gets no workers.
        publishNotReadyAddresses: true,
        selector: selectorLabels('query-frontend'),
        ports: [servicePort('grpc', TEMPO_PORTS.grpc)],
      },
    },
  ],
});
