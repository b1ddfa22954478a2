// Services / Graph: who calls whom. The metrics-generator pairs client and server spans into edges and
// writes traces_service_graph_* (labels client, server, connection_type, plus the external label
// cluster); Tempo draws the node graph from those series through its serviceMap setting.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, row, serviceGraph, timeseries, variables } from './panels';
import { generated, job, quantile, share, sumRate } from './queries';

const REQUESTS = 'traces_service_graph_request_total';
const FAILED = 'traces_service_graph_request_failed_total';
const edges = generated('server=~"$service"');
const edge = '{{client}} → {{server}}';

export function servicesGraph(): Dashboard {
  return dashboard({
    uid: 'tempo-services-graph',
    title: 'Services / Graph',
    description:
      'The service graph and its edges: requests, failures and latency between services, from the metrics-generator service-graphs processor. Requests are scaled by 1/sampling.ratio like the span metrics (README "Sampling"); an edge between services sampled at different percentages is counted only where both spans were kept.',
    tags: ['tempo', 'services'],
    from: 'now-1h',
    variables: [
      variables.datasource(),
      variables.cluster(REQUESTS),
      variables.namespace(),
      variables.label('service', 'Server', `${REQUESTS}{cluster="$cluster"}`, true, 'server'),
    ],
    rows: [
      row(
        'Service graph',
        serviceGraph('Services', '{cluster="$cluster", server=~"$service"}', {
          description: 'Node size: requests; red arc: share of failed requests. Click a node for its RED metrics and traces.',
        }),
      ),
      row(
        'Edges (client → server)',
        timeseries('Requests', [{ expr: sumRate(REQUESTS, edges, 'client', 'server'), legend: edge }], { unit: 'reqps', w: 12 }),
        timeseries(
          'Failed requests',
          [{ expr: share(sumRate(FAILED, edges, 'client', 'server'), sumRate(REQUESTS, edges, 'client', 'server')), legend: edge }],
          {
            unit: 'percentunit',
            w: 12,
          },
        ),
        timeseries('Server latency p95', [{ expr: quantile(0.95, 'traces_service_graph_request_server_seconds', edges, 'client', 'server'), legend: edge }], {
          unit: 's',
          exemplars: true,
          w: 12,
          description: 'Measured by the server span.',
        }),
        timeseries('Client latency p95', [{ expr: quantile(0.95, 'traces_service_graph_request_client_seconds', edges, 'client', 'server'), legend: edge }], {
          unit: 's',
          exemplars: true,
          w: 12,
          description: 'Measured by the client span: server latency plus the network and queueing between them.',
        }),
      ),
      row(
        'Graph health (metrics-generator)',
        timeseries(
          'Edges',
          [
            { expr: sumRate('tempo_metrics_generator_processor_service_graphs_edges', job('metrics-generator')), legend: 'edges' },
            {
              expr: sumRate('tempo_metrics_generator_processor_service_graphs_expired_edges', job('metrics-generator')),
              legend: 'expired without a pair',
            },
            { expr: sumRate('tempo_metrics_generator_processor_service_graphs_dropped_spans', job('metrics-generator')), legend: 'dropped spans' },
          ],
          {
            unit: 'ops',
            w: 24,
            description:
              'An edge expires when only its client or its server span arrived in time (uninstrumented peer, sampling); those calls are missing above.',
          },
        ),
      ),
    ],
  });
}
