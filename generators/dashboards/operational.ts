// Tempo / Operational: the page on-call opens first. Is data coming in, is any of it lost, is it reaching
// S3, is compaction keeping up, are queries answered?
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, row, stat, timeseries, variables } from './panels';
import { errorRate, job, quantile, ratio, stack, sumRate } from './queries';
import { zonesRow } from './zones';

const tenant = 'tenant=~"$tenant"';
const api = 'route=~"api_.*"';
const completed = job('query-frontend', tenant, 'result="completed"');

export function operational(): Dashboard {
  return dashboard({
    uid: 'tempo-operational',
    title: 'Tempo / Operational',
    description: 'Ingestion, loss, flushes, compaction and queries of one Tempo stack: start here.',
    tags: ['tempo'],
    from: 'now-3h',
    variables: [variables.datasource(), variables.cluster(), variables.namespace(), variables.tenant()],
    rows: [
      row(
        'At a glance',
        stat('Spans received', { expr: sumRate('tempo_distributor_spans_received_total', job('distributor', tenant)) }, { unit: 'suffix: spans/s' }),
        stat('Bytes received', { expr: sumRate('tempo_distributor_bytes_received_total', job('distributor', tenant)) }, { unit: 'Bps' }),
        stat(
          'Spans discarded',
          { expr: errorRate('tempo_discarded_spans_total', stack(tenant)) },
          {
            unit: 'suffix: spans/s',
            thresholds: [[0.001, 'red']],
            description: 'Spans Tempo accepted and then dropped (rate limit, live-trace limit, trace too large). Details below and in Tempo / Tenants.',
          },
        ),
        stat(
          'Live traces',
          { expr: `sum(tempo_ingester_live_traces{${job('ingester', tenant)}})` },
          { description: 'Traces held in ingester memory, summed over ingesters: each trace counts once per replica.' },
        ),
        stat(
          'Compaction backlog',
          { expr: `sum(tempodb_compaction_outstanding_blocks{${job('compactor', tenant)}})` },
          {
            unit: 'suffix: blocks',
            thresholds: [
              [100, 'orange'],
              [250, 'red'],
            ],
            description: 'Blocks waiting to be compacted. A growing backlog slows every search.',
          },
        ),
        stat(
          'Queries within SLO',
          { expr: `${sumRate('tempo_query_frontend_queries_within_slo_total', completed)} / ${sumRate('tempo_query_frontend_queries_total', completed)}` },
          {
            unit: 'percentunit',
            baseColor: 'red',
            thresholds: [
              [0.95, 'orange'],
              [0.99, 'green'],
            ],
            description: 'Share of completed queries answered without error and within the query-frontend SLO.',
          },
        ),
      ),
      row(
        'Ingestion',
        timeseries(
          'Spans received by tenant',
          [{ expr: sumRate('tempo_distributor_spans_received_total', job('distributor', tenant), 'tenant'), legend: '{{tenant}}' }],
          {
            unit: 'suffix: spans/s',
            stack: true,
            w: 8,
          },
        ),
        timeseries(
          'Bytes received by tenant',
          [{ expr: sumRate('tempo_distributor_bytes_received_total', job('distributor', tenant), 'tenant'), legend: '{{tenant}}' }],
          {
            unit: 'Bps',
            stack: true,
            w: 8,
          },
        ),
        timeseries(
          'Spans refused and discarded',
          [
            { expr: sumRate('tempo_receiver_refused_spans', job('distributor'), 'receiver'), legend: 'refused by the {{receiver}} receiver' },
            { expr: sumRate('tempo_discarded_spans_total', stack(tenant), 'reason'), legend: 'discarded: {{reason}}' },
          ],
          {
            unit: 'suffix: spans/s',
            w: 8,
            description: 'Refused: a receiver turned the request away (the client may retry). Discarded: accepted, then dropped.',
          },
        ),
        timeseries('Live traces by tenant', [{ expr: `sum by (tenant) (tempo_ingester_live_traces{${job('ingester', tenant)}})`, legend: '{{tenant}}' }], {
          stack: true,
          w: 8,
        }),
        timeseries('Ingester flush queue', [{ expr: `sum by (pod) (tempo_ingester_flush_queue_length{${job('ingester')}})`, legend: '{{pod}}' }], {
          unit: 'suffix: blocks',
          w: 8,
          description: 'Blocks cut and waiting to be written to S3; it should drain to zero between flushes.',
        }),
        timeseries(
          'Flushes to S3',
          [
            { expr: sumRate('tempo_ingester_blocks_flushed_total', job('ingester')), legend: 'blocks flushed' },
            { expr: sumRate('tempo_ingester_failed_flushes_total', job('ingester')), legend: 'failed flushes' },
            { expr: sumRate('tempo_ingester_flush_failed_retries_total', job('ingester')), legend: 'failed retries' },
          ],
          { unit: 'ops', w: 8 },
        ),
      ),
      row(
        'Storage',
        timeseries('Blocklist length by tenant', [{ expr: `max by (tenant) (tempodb_blocklist_length{${job('compactor', tenant)}})`, legend: '{{tenant}}' }], {
          unit: 'suffix: blocks',
          w: 8,
          description: 'Blocks in S3 per tenant as the compactor polls them; it should level off once retention deletes as fast as ingesters flush.',
        }),
        timeseries(
          'Outstanding compaction blocks',
          [{ expr: `sum by (tenant) (tempodb_compaction_outstanding_blocks{${job('compactor', tenant)}})`, legend: '{{tenant}}' }],
          {
            unit: 'suffix: blocks',
            thresholds: [
              [100, 'orange'],
              [250, 'red'],
            ],
            w: 8,
          },
        ),
        timeseries(
          'Compaction and retention errors',
          [
            { expr: sumRate('tempodb_compaction_errors_total', job('compactor')), legend: 'compaction' },
            { expr: sumRate('tempodb_retention_errors_total', job('compactor')), legend: 'retention' },
            { expr: errorRate('tempodb_blocklist_poll_errors_total', stack()), legend: 'blocklist poll' },
          ],
          { unit: 'ops', w: 8 },
        ),
      ),
      row(
        'Queries',
        timeseries('Queries by type', [{ expr: sumRate('tempo_query_frontend_queries_total', job('query-frontend', tenant), 'op'), legend: '{{op}}' }], {
          unit: 'reqps',
          w: 8,
          description: 'traces = trace by id, search = TraceQL search, metadata = tag names and values, metrics = TraceQL metrics.',
        }),
        timeseries(
          'Query latency p99 by route',
          [{ expr: quantile(0.99, 'tempo_request_duration_seconds', job('query-frontend', api), 'route'), legend: '{{route}}' }],
          {
            unit: 's',
            w: 8,
          },
        ),
        timeseries(
          'Query errors by route',
          [
            {
              expr: ratio('tempo_request_duration_seconds_count', job('query-frontend', api, 'status_code=~"5.."'), job('query-frontend', api), 'route'),
              legend: '{{route}}',
            },
          ],
          { unit: 'percentunit', w: 8, description: 'Share of API requests answered with a 5xx.' },
        ),
      ),
      zonesRow(),
    ],
  });
}
