// Tempo / Reads: the query path. The query-frontend queues and shards each query into jobs; queriers
// run them against ingesters (recent traces) and S3 blocks, with memcached in front of S3.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, row, timeseries, variables } from './panels';
import { job, quantile, ratio, stack, sumRate } from './queries';

const api = 'route=~"api_.*"';
const querierApi = 'route=~"querier_api_.*"';
const ingesterQueries = 'route=~"/tempopb.Querier/.*"';
const cacheReads = 'method=~"Memcache.Get|Memcache.GetMulti"';
const readers = 'job=~"$namespace/(querier|query-frontend)"';

export function reads(): Dashboard {
  return dashboard({
    uid: 'tempo-reads',
    title: 'Tempo / Reads',
    description: 'The query path: query-frontend queue, querier jobs, ingesters, memcached and S3.',
    tags: ['tempo'],
    variables: [variables.datasource(), variables.cluster(), variables.namespace()],
    rows: [
      row(
        'Query-frontend',
        timeseries(
          'Requests by route',
          [{ expr: sumRate('tempo_request_duration_seconds_count', job('query-frontend', api), 'route', 'status_code'), legend: '{{route}} {{status_code}}' }],
          {
            unit: 'reqps',
            w: 8,
          },
        ),
        timeseries(
          'Latency p99 by route',
          [{ expr: quantile(0.99, 'tempo_request_duration_seconds', job('query-frontend', api), 'route'), legend: '{{route}}' }],
          {
            unit: 's',
            w: 8,
          },
        ),
        timeseries(
          'Errors by route',
          [
            {
              expr: ratio('tempo_request_duration_seconds_count', job('query-frontend', api, 'status_code=~"5.."'), job('query-frontend', api), 'route'),
              legend: '{{route}}',
            },
          ],
          { unit: 'percentunit', w: 8 },
        ),
        timeseries('Queue length', [{ expr: `sum by (user) (tempo_query_frontend_queue_length{${job('query-frontend')}})`, legend: '{{user}}' }], {
          unit: 'suffix: jobs',
          w: 8,
          description: 'Jobs waiting for a querier, per tenant. A queue that does not drain needs more queriers.',
        }),
        timeseries(
          'Queue wait',
          [0.5, 0.99].map((q) => ({ expr: quantile(q, 'tempo_query_frontend_queue_duration_seconds', job('query-frontend')), legend: `p${q * 100}` })),
          { unit: 's', w: 8 },
        ),
        timeseries(
          'Connected queriers and bytes inspected',
          [
            { expr: `sum(tempo_query_frontend_connected_clients{${job('query-frontend')}})`, legend: 'connected querier workers' },
            { expr: sumRate('tempo_query_frontend_bytes_inspected_total', job('query-frontend'), 'op'), legend: 'bytes inspected/s: {{op}}' },
          ],
          { w: 8 },
        ),
      ),
      row(
        'Querier',
        timeseries(
          'Jobs by route',
          [{ expr: sumRate('tempo_request_duration_seconds_count', job('querier', querierApi), 'route', 'status_code'), legend: '{{route}} {{status_code}}' }],
          {
            unit: 'reqps',
            w: 8,
          },
        ),
        timeseries(
          'Job latency p99 by route',
          [{ expr: quantile(0.99, 'tempo_request_duration_seconds', job('querier', querierApi), 'route'), legend: '{{route}}' }],
          {
            unit: 's',
            w: 8,
          },
        ),
        timeseries(
          'Block work queue',
          [
            { expr: `max by (pod) (tempodb_work_queue_length{${job('querier')}})`, legend: '{{pod}}' },
            { expr: `max(tempodb_work_queue_max{${job('querier')}})`, legend: 'max' },
          ],
          { w: 8, description: 'Block reads waiting inside each querier; at the max, searches are refused.' },
        ),
      ),
      row(
        'Ingesters (recent traces)',
        timeseries(
          'Requests by route',
          [{ expr: sumRate('tempo_request_duration_seconds_count', job('ingester', ingesterQueries), 'route'), legend: '{{route}}' }],
          {
            unit: 'reqps',
            w: 12,
          },
        ),
        timeseries(
          'Latency p99 by route',
          [{ expr: quantile(0.99, 'tempo_request_duration_seconds', job('ingester', ingesterQueries), 'route'), legend: '{{route}}' }],
          {
            unit: 's',
            w: 12,
          },
        ),
      ),
      row(
        'Cache (memcached)',
        timeseries(
          'Hit ratio',
          [
            {
              expr: ratio('memcached_commands_total', job('memcached', 'command="get"', 'status="hit"'), job('memcached', 'command="get"')),
              legend: 'get hits',
            },
          ],
          { unit: 'percentunit', min: 0, max: 1, w: 6, description: 'Bloom filters, parquet footers and search results served from memcached instead of S3.' },
        ),
        timeseries(
          'Cache read latency p99',
          [{ expr: quantile(0.99, 'tempo_memcache_request_duration_seconds', stack(readers, cacheReads), 'method'), legend: '{{method}}' }],
          {
            unit: 's',
            w: 6,
          },
        ),
        timeseries(
          'Memory used',
          [
            { expr: `sum by (pod) (memcached_current_bytes{${job('memcached')}})`, legend: '{{pod}} used' },
            { expr: `sum by (pod) (memcached_limit_bytes{${job('memcached')}})`, legend: '{{pod}} limit' },
          ],
          { unit: 'bytes', w: 6 },
        ),
        timeseries('Evictions', [{ expr: sumRate('memcached_items_evicted_total', job('memcached'), 'pod'), legend: '{{pod}}' }], {
          unit: 'ops',
          w: 6,
          description: 'Items pushed out to make room; steady evictions with a low hit ratio mean the cache is too small.',
        }),
      ),
      row(
        'S3 reads',
        timeseries(
          'GET requests by status',
          [{ expr: sumRate('tempodb_backend_request_duration_seconds_count', job('querier', 'operation="GET"'), 'status_code'), legend: '{{status_code}}' }],
          {
            unit: 'reqps',
            w: 12,
          },
        ),
        timeseries(
          'GET latency',
          [0.5, 0.99].map((q) => ({ expr: quantile(q, 'tempodb_backend_request_duration_seconds', job('querier', 'operation="GET"')), legend: `p${q * 100}` })),
          { unit: 's', w: 12 },
        ),
      ),
    ],
  });
}
