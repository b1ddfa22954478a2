// Tempo / Writes: the write path hop by hop (receivers → distributor → ingester → flush → S3, and the
// copy the distributor sends to the metrics-generator), with rate, latency and errors at each hop.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, row, timeseries, variables } from './panels';
import { errorRate, job, orZero, quantile, stack, sumRate } from './queries';

const push = 'route=~"/tempopb.Pusher/Push.*"';
const s3Writers = 'job=~"$namespace/(ingester|compactor)"';
const s3Write = 'operation=~"PUT|POST"';

const latency = (title: string, histogram: string, selector: string, by: string[] = [], legendPrefix = '') =>
  timeseries(
    title,
    [0.5, 0.99].map((q) => ({
      expr: quantile(q, histogram, selector, ...by),
      legend: `${legendPrefix}p${q * 100}`,
    })),
    { unit: 's', w: 8 },
  );

export function writes(): Dashboard {
  return dashboard({
    uid: 'tempo-writes',
    title: 'Tempo / Writes',
    description: 'The write path hop by hop: receivers, distributor, ingester, flush, S3, metrics-generator.',
    tags: ['tempo'],
    variables: [variables.datasource(), variables.cluster(), variables.namespace()],
    rows: [
      row(
        'Distributor',
        timeseries(
          'Spans by receiver',
          [
            { expr: sumRate('tempo_receiver_accepted_spans', job('distributor'), 'receiver'), legend: '{{receiver}} accepted' },
            { expr: sumRate('tempo_receiver_refused_spans', job('distributor'), 'receiver'), legend: '{{receiver}} refused' },
          ],
          { unit: 'suffix: spans/s', w: 8, description: 'What the OTLP, Jaeger and Zipkin receivers took in and turned away.' },
        ),
        latency('Push latency', 'tempo_distributor_push_duration_seconds', job('distributor')),
        timeseries(
          'Appends to ingesters',
          [
            { expr: sumRate('tempo_distributor_ingester_appends_total', job('distributor')), legend: 'appends' },
            {
              expr: orZero(
                sumRate('tempo_distributor_ingester_append_failures_total', job('distributor'), 'ingester'),
                sumRate('tempo_distributor_ingester_appends_total', job('distributor'), 'ingester'),
              ),
              legend: 'failed to {{ingester}}',
            },
          ],
          { unit: 'ops', w: 8, description: 'Each batch is written to replication-factor ingesters; a failure to one is tolerated while a quorum succeeds.' },
        ),
      ),
      row(
        'Ingester',
        timeseries(
          'Push requests by status',
          [{ expr: sumRate('tempo_request_duration_seconds_count', job('ingester', push), 'status_code'), legend: '{{status_code}}' }],
          {
            unit: 'reqps',
            w: 8,
          },
        ),
        latency('Push latency', 'tempo_request_duration_seconds', job('ingester', push)),
        timeseries('Bytes received', [{ expr: sumRate('tempo_ingester_bytes_received_total', job('ingester'), 'data_type'), legend: '{{data_type}}' }], {
          unit: 'Bps',
          w: 8,
        }),
      ),
      row(
        'Flush',
        timeseries(
          'Blocks flushed',
          [
            { expr: sumRate('tempo_ingester_blocks_flushed_total', job('ingester')), legend: 'flushed' },
            { expr: sumRate('tempo_ingester_failed_flushes_total', job('ingester')), legend: 'failed' },
            { expr: sumRate('tempo_ingester_flush_retries_total', job('ingester')), legend: 'retried' },
          ],
          { unit: 'ops', w: 8 },
        ),
        latency('Flush duration', 'tempo_ingester_flush_duration_seconds', job('ingester')),
        timeseries('Flush queue', [{ expr: `sum by (pod) (tempo_ingester_flush_queue_length{${job('ingester')}})`, legend: '{{pod}}' }], {
          unit: 'suffix: blocks',
          w: 8,
        }),
      ),
      row(
        'S3 writes (ingester flushes, compactor output)',
        timeseries(
          'Write requests by status',
          [
            {
              expr: sumRate('tempodb_backend_request_duration_seconds_count', stack(s3Writers, s3Write), 'job', 'status_code'),
              legend: '{{job}} {{status_code}}',
            },
          ],
          { unit: 'reqps', w: 12 },
        ),
        timeseries(
          'Write latency p99',
          [{ expr: quantile(0.99, 'tempodb_backend_request_duration_seconds', stack(s3Writers, s3Write), 'job'), legend: '{{job}}' }],
          { unit: 's', w: 12 },
        ),
      ),
      row(
        'Metrics-generator',
        timeseries(
          'Pushes from distributors',
          [
            { expr: sumRate('tempo_distributor_metrics_generator_pushes_total', job('distributor')), legend: 'pushes' },
            { expr: errorRate('tempo_distributor_metrics_generator_pushes_failures_total', job('distributor')), legend: 'failures' },
          ],
          { unit: 'ops', w: 8 },
        ),
        timeseries(
          'Spans received and discarded',
          [
            { expr: sumRate('tempo_metrics_generator_spans_received_total', job('metrics-generator')), legend: 'received' },
            { expr: sumRate('tempo_metrics_generator_spans_discarded_total', job('metrics-generator'), 'reason'), legend: 'discarded: {{reason}}' },
          ],
          { unit: 'suffix: spans/s', w: 8 },
        ),
        timeseries(
          'Remote write to Prometheus',
          [
            { expr: sumRate('prometheus_remote_storage_samples_total', job('metrics-generator')), legend: 'samples sent' },
            { expr: sumRate('prometheus_remote_storage_samples_failed_total', job('metrics-generator')), legend: 'samples failed' },
          ],
          { unit: 'cps', w: 8, description: 'Span metrics and service graph samples shipped to Prometheus; failures mean gaps in Services / RED.' },
        ),
      ),
    ],
  });
}
