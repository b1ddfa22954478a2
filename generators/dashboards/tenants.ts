// Tempo / Tenants: each tenant's use against its limits (environment.yaml `limits`, served to Tempo as
// runtime overrides). Tempo exports the limits themselves: tempo_limits_defaults{limit_name} for every
// tenant, tempo_limits_overrides{limit_name, user} for tenants with their own values.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { ComponentName } from '../components/index';
import { dashboard, row, timeseries, variables } from './panels';
import { job, stack, sumRate } from './queries';

const tenant = 'tenant=~"$tenant"';

/** A tenant's limit: its override where it has one, else the default (limit names: modules/overrides). */
function limit(component: ComponentName, limitName: string, usage: string): string {
  const override = `label_replace(max by (user) (tempo_limits_overrides{${job(component, `limit_name="${limitName}"`, 'user=~"$tenant"')}}), "tenant", "$1", "user", "(.*)")`;
  const fallback = `0 * (${usage}) + scalar(max(tempo_limits_defaults{${job(component, `limit_name="${limitName}"`)}}))`;
  return `${override} or on (tenant) (${fallback})`;
}

/** `usage` (a vector by tenant) as a share of each tenant's limit. */
const againstLimit = (component: ComponentName, limitName: string, usage: string) => `(${usage}) / on (tenant) (${limit(component, limitName, usage)})`;

const bytesReceived = sumRate('tempo_distributor_bytes_received_total', job('distributor', tenant), 'tenant');
const liveTraces = `max by (tenant) (tempo_ingester_live_traces{${job('ingester', tenant)}})`;

export function tenants(): Dashboard {
  return dashboard({
    uid: 'tempo-tenants',
    title: 'Tempo / Tenants',
    description: 'Per tenant: ingestion and live traces against their limits, what was discarded, storage, queries and generated series.',
    tags: ['tempo'],
    from: 'now-24h',
    variables: [variables.datasource(), variables.cluster(), variables.namespace(), variables.tenant()],
    rows: [
      row(
        'Ingestion rate',
        timeseries(
          'Bytes received and limit',
          [
            { expr: bytesReceived, legend: '{{tenant}}' },
            { expr: limit('distributor', 'ingestion_rate_limit_bytes', bytesReceived), legend: '{{tenant}} limit' },
          ],
          {
            unit: 'Bps',
            w: 12,
            description: 'With rateStrategy global (the default) the limit is shared by all distributors, so it is compared with the sum over them.',
          },
        ),
        timeseries('Bytes received / limit', [{ expr: againstLimit('distributor', 'ingestion_rate_limit_bytes', bytesReceived), legend: '{{tenant}}' }], {
          unit: 'percentunit',
          thresholds: [
            [0.8, 'orange'],
            [1, 'red'],
          ],
          w: 12,
          description: 'Above 100%, the distributors refuse spans with RATE_LIMITED (see discarded spans).',
        }),
        timeseries(
          'Spans discarded by reason',
          [{ expr: sumRate('tempo_discarded_spans_total', stack(tenant), 'tenant', 'reason'), legend: '{{tenant}}: {{reason}}' }],
          {
            unit: 'suffix: spans/s',
            w: 24,
            description: 'rate_limited: over the ingestion limit; live_traces_exceeded: over the live-trace limit; trace_too_large: over maxBytesPerTrace.',
          },
        ),
      ),
      row(
        'Live traces',
        timeseries(
          'Live traces (busiest ingester) and limit',
          [
            { expr: liveTraces, legend: '{{tenant}}' },
            { expr: limit('ingester', 'max_local_traces_per_user', liveTraces), legend: '{{tenant}} limit' },
          ],
          { w: 12, description: 'maxTracesPerUser applies per ingester.' },
        ),
        timeseries('Live traces / limit', [{ expr: againstLimit('ingester', 'max_local_traces_per_user', liveTraces), legend: '{{tenant}}' }], {
          unit: 'percentunit',
          thresholds: [
            [0.8, 'orange'],
            [1, 'red'],
          ],
          w: 12,
        }),
      ),
      row(
        'Storage, queries and generated series',
        timeseries('Blocks in S3', [{ expr: `max by (tenant) (tempodb_blocklist_length{${job('compactor', tenant)}})`, legend: '{{tenant}}' }], {
          unit: 'suffix: blocks',
          w: 8,
        }),
        timeseries(
          'Queries',
          [{ expr: sumRate('tempo_query_frontend_queries_total', job('query-frontend', tenant), 'tenant', 'op'), legend: '{{tenant}} {{op}}' }],
          { unit: 'reqps', w: 8 },
        ),
        timeseries(
          'Active series (metrics-generator) and limit',
          [
            { expr: `max by (tenant) (tempo_metrics_generator_registry_active_series{${job('metrics-generator', tenant)}})`, legend: '{{tenant}}' },
            { expr: `max by (tenant) (tempo_metrics_generator_registry_max_active_series{${job('metrics-generator', tenant)}})`, legend: '{{tenant}} limit' },
          ],
          { w: 8, description: 'Span-metrics and service-graph series per tenant; at the limit, new series are dropped.' },
        ),
      ),
    ],
  });
}
