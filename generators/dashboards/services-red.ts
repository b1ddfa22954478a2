// Services / RED: rate, errors and duration of the instrumented services, from the span metrics the
// metrics-generator writes to Prometheus (traces_spanmetrics_*: labels service, span_name, span_kind,
// status_code, plus the external label cluster). Latency points carry exemplars (trace ids), and the
// traces panels search Tempo itself: every graph leads to the traces behind it.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, row, stat, table, timeseries, traces, variables } from './panels';
import { generated, job, quantile, ratio, sumRate } from './queries';

const CALLS = 'traces_spanmetrics_calls_total';
const LATENCY = 'traces_spanmetrics_latency';
const spans = generated('service="$service"', 'span_kind=~"$span_kind"', 'span_name=~"$span_name"');
const errors = generated('service="$service"', 'span_kind=~"$span_kind"', 'span_name=~"$span_name"', 'status_code="STATUS_CODE_ERROR"');

/** TraceQL searches behind the graphs; `$service` and `$slow` are template variables. */
export const RED_TRACEQL = {
  errors: '{ resource.service.name = "$service" && status = error }',
  slow: '{ resource.service.name = "$service" && kind = server && duration > $slow }',
};

export function servicesRed(): Dashboard {
  return dashboard({
    uid: 'tempo-services-red',
    title: 'Services / RED',
    description:
      'Rate, errors and duration per service and span name, from the metrics-generator span metrics, with links to the traces. Rates are what the applications sent: a span the collector agents kept at probability p counts 1/p times (sampling.ratio, README "Sampling"); with the tail-sampling gateway, errors and slow requests are over-represented.',
    tags: ['tempo', 'services'],
    from: 'now-1h',
    variables: [
      variables.datasource(),
      variables.cluster(CALLS),
      variables.namespace(),
      variables.label('service', 'Service', `${CALLS}{cluster="$cluster"}`),
      variables.label('span_kind', 'Span kind', `${CALLS}{cluster="$cluster", service="$service"}`, true),
      variables.label('span_name', 'Span name', `${CALLS}{cluster="$cluster", service="$service", span_kind=~"$span_kind"}`, true),
      variables.textbox('slow', 'Slow above', '500ms'),
    ],
    rows: [
      row(
        '$service',
        stat('Requests', { expr: sumRate(CALLS, spans) }, { unit: 'reqps', w: 6 }),
        stat(
          'Errors',
          { expr: ratio(CALLS, errors, spans) },
          {
            unit: 'percentunit',
            thresholds: [
              [0.01, 'orange'],
              [0.05, 'red'],
            ],
            w: 6,
          },
        ),
        stat('p95 latency', { expr: quantile(0.95, LATENCY, spans) }, { unit: 's', w: 6 }),
        stat('p99 latency', { expr: quantile(0.99, LATENCY, spans) }, { unit: 's', w: 6 }),
      ),
      row(
        'By span name',
        timeseries('Requests by span name', [{ expr: sumRate(CALLS, spans, 'span_name'), legend: '{{span_name}}' }], { unit: 'reqps', w: 12 }),
        timeseries('Error ratio by span name', [{ expr: ratio(CALLS, errors, spans, 'span_name'), legend: '{{span_name}}' }], {
          unit: 'percentunit',
          w: 12,
          description: 'Spans with status error over all spans.',
        }),
        timeseries(
          'Latency',
          [0.5, 0.95, 0.99].map((q) => ({ expr: quantile(q, LATENCY, spans), legend: `p${Math.round(q * 100)}` })),
          { unit: 's', exemplars: true, w: 12, description: 'Diamonds are exemplars: sampled spans; click one to open its trace in Tempo.' },
        ),
        timeseries('p95 latency by span name', [{ expr: quantile(0.95, LATENCY, spans, 'span_name'), legend: '{{span_name}}' }], {
          unit: 's',
          exemplars: true,
          w: 12,
        }),
        table(
          'Span names',
          [
            { name: 'Requests/s', expr: sumRate(CALLS, spans, 'span_name'), unit: 'reqps' },
            { name: 'Errors', expr: ratio(CALLS, errors, spans, 'span_name'), unit: 'percentunit' },
            { name: 'p50', expr: quantile(0.5, LATENCY, spans, 'span_name'), unit: 's' },
            { name: 'p95', expr: quantile(0.95, LATENCY, spans, 'span_name'), unit: 's' },
            { name: 'p99', expr: quantile(0.99, LATENCY, spans, 'span_name'), unit: 's' },
          ],
          { h: 10 },
        ),
      ),
      row('Traces', traces('Failed traces', RED_TRACEQL.errors, { w: 12 }), traces('Slow server spans (above $slow)', RED_TRACEQL.slow, { w: 12 })),
      row(
        'Metrics-generator',
        timeseries(
          'Spans received and discarded',
          [
            { expr: sumRate('tempo_metrics_generator_spans_received_total', job('metrics-generator')), legend: 'received' },
            { expr: sumRate('tempo_metrics_generator_spans_discarded_total', job('metrics-generator'), 'reason'), legend: 'discarded: {{reason}}' },
          ],
          {
            unit: 'suffix: spans/s',
            w: 12,
            description:
              'Spans as received, after sampling and not scaled; span metrics cover only these (discarded spans are missing from this page) and count each 1/sampling.ratio times.',
          },
        ),
        timeseries(
          'Active series and limit',
          [
            { expr: `sum(tempo_metrics_generator_registry_active_series{${job('metrics-generator')}})`, legend: 'active' },
            { expr: `max(tempo_metrics_generator_registry_max_active_series{${job('metrics-generator')}})`, legend: 'limit' },
          ],
          { w: 12 },
        ),
      ),
    ],
  });
}
