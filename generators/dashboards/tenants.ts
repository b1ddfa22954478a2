// Tempo / Tenants: each tenant's use against its limits (environment.yaml `limits`, served to Tempo as
// runtime overrides). Tempo exports the limits themselves: tempo_limits_overrides{limit_name, user} for
// each tenant with a block of its own (user="*": every tenant not named), tempo_limits_defaults{limit_name}
// for the others.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { ComponentName } from '../components/index';
import { dashboard, row, table, timeseries, variables } from './panels';
import { job, stack, sumRate } from './queries';

const tenant = 'tenant=~"$tenant"';

/**
 * A tenant's limit as Tempo resolves it (getOverridesForUser): its own block, else the block of "*", else
 * the defaults. `usage` is a vector by tenant: the fallbacks give each of its tenants the value.
 */
function limit(component: ComponentName, limitName: string, usage: string): string {
  const name = `limit_name="${limitName}"`;
  const own = `label_replace(max by (user) (tempo_limits_overrides{${job(component, name, 'user=~"$tenant"', 'user!="*"')}}), "tenant", "$1", "user", "(.*)")`;
  const each = (limits: string) => `(0 * (${usage}) + on () group_left () max(${limits}))`;
  return `${own} or on (tenant) ${each(`tempo_limits_overrides{${job(component, name, 'user="*"')}}`)} or on (tenant) ${each(`tempo_limits_defaults{${job(component, name)}}`)}`;
}

/** One limit of every tenant with a block of its own, for the table of limits in force. */
const blockLimit = (limitName: string, scale = '') => `max by (user) (tempo_limits_overrides{${job('distributor', `limit_name="${limitName}"`)}})${scale}`;

/** `usage` (a vector by tenant) as a share of each tenant's limit. */
const againstLimit = (component: ComponentName, limitName: string, usage: string) => `(${usage}) / on (tenant) (${limit(component, limitName, usage)})`;

// Before the rate limit (tempo_distributor_bytes_received_total counts what passed it, so never much above it).
const bytesReceived = sumRate('tempo_distributor_ingress_bytes_total', job('distributor', tenant), 'tenant');
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
          'Bytes sent and limit',
          [
            { expr: bytesReceived, legend: '{{tenant}}' },
            { expr: limit('distributor', 'ingestion_rate_limit_bytes', bytesReceived), legend: '{{tenant}} limit' },
          ],
          {
            unit: 'Bps',
            w: 12,
            description:
              'What the tenant sends, before the limit is applied. With rateStrategy global (the default) the limit is shared by all distributors, so it is compared with the sum over them.',
          },
        ),
        timeseries('Bytes sent / limit', [{ expr: againstLimit('distributor', 'ingestion_rate_limit_bytes', bytesReceived), legend: '{{tenant}}' }], {
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
      row(
        'Limits in force',
        table(
          'Tenants with settings of their own (* = every tenant not named)',
          [
            { name: 'rate limit', unit: 'Bps', expr: blockLimit('ingestion_rate_limit_bytes') },
            { name: 'burst', unit: 'bytes', expr: blockLimit('ingestion_burst_size_bytes') },
            { name: 'live traces per ingester', expr: blockLimit('max_local_traces_per_user') },
            { name: 'largest trace', unit: 'bytes', expr: blockLimit('max_bytes_per_trace') },
            { name: 'retention', unit: 's', expr: blockLimit('block_retention', ' / 1e9') },
          ],
          {
            description:
              'As Tempo read them from overrides.yaml (environment.yaml limits.tenants). A tenant not listed here has the defaults, or the limits of * when it is listed.',
          },
        ),
      ),
    ],
  });
}
