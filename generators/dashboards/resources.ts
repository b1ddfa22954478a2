// Tempo / Resources: what the pods use against what they were given: CPU, memory against the limit and
// GOMEMLIMIT, volumes, restarts and OOM kills, per component.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { TEMPO_TARGETS } from '../components/index';
import { INSTANCE } from '../stack';
import { dashboard, row, timeseries, variables } from './panels';
import { pods, stack } from './queries';

// The stack's containers (a container is named after its component; memcached pods add `exporter`).
const containers = pods(`pod=~"${INSTANCE}-.*"`, 'container=~"$component"');
const perContainer = 'pod, container';
const volumes = pods(`persistentvolumeclaim=~"data-${INSTANCE}-.*"`);

const cpu = `sum by (${perContainer}) (rate(container_cpu_usage_seconds_total{${containers}}[$__rate_interval]))`;
const limit = (resource: 'cpu' | 'memory') => `sum by (${perContainer}) (kube_pod_container_resource_limits{${containers}, resource="${resource}"})`;
const memory = `sum by (${perContainer}) (container_memory_working_set_bytes{${containers}})`;
const increase = (metric: string) => `sum by (${perContainer}) (increase(${metric}{${containers}}[$__rate_interval]))`;

export function resources(): Dashboard {
  return dashboard({
    uid: 'tempo-resources',
    title: 'Tempo / Resources',
    description: 'CPU, memory (against the limit and GOMEMLIMIT), volumes, restarts and OOM kills per component.',
    tags: ['tempo'],
    from: 'now-24h',
    variables: [
      variables.datasource(),
      variables.cluster(),
      variables.namespace(),
      variables.custom('component', 'Component', [...TEMPO_TARGETS, 'memcached']),
    ],
    rows: [
      row(
        'CPU',
        timeseries('CPU used', [{ expr: cpu, legend: '{{pod}}' }], { unit: 'short', w: 8, description: 'Cores.' }),
        timeseries('CPU used / limit', [{ expr: `${cpu} / ${limit('cpu')}`, legend: '{{pod}}' }], {
          unit: 'percentunit',
          thresholds: [[0.9, 'red']],
          w: 8,
        }),
        timeseries(
          'CPU throttled',
          [
            {
              expr: `sum by (${perContainer}) (rate(container_cpu_cfs_throttled_periods_total{${containers}}[$__rate_interval])) / sum by (${perContainer}) (rate(container_cpu_cfs_periods_total{${containers}}[$__rate_interval]))`,
              legend: '{{pod}}',
            },
          ],
          { unit: 'percentunit', w: 8, description: 'Share of CPU periods in which the container hit its CPU limit.' },
        ),
      ),
      row(
        'Memory',
        timeseries('Memory (working set) / limit', [{ expr: `${memory} / ${limit('memory')}`, legend: '{{pod}}' }], {
          unit: 'percentunit',
          thresholds: [
            [0.8, 'orange'],
            [0.95, 'red'],
          ],
          w: 8,
          description: 'The kubelet OOM-kills a container whose working set reaches its limit.',
        }),
        timeseries('Memory (working set)', [{ expr: memory, legend: '{{pod}}' }], { unit: 'bytes', w: 8 }),
        timeseries(
          'Go heap and GOMEMLIMIT',
          [
            { expr: `max by (pod) (go_memstats_heap_inuse_bytes{${stack('job=~"$namespace/($component)"')}})`, legend: '{{pod}} heap' },
            { expr: `max by (pod) (go_gc_gomemlimit_bytes{${stack('job=~"$namespace/($component)"')}})`, legend: '{{pod}} GOMEMLIMIT' },
          ],
          {
            unit: 'bytes',
            w: 8,
            description:
              'GOMEMLIMIT is set a little under the memory limit: the Go GC works harder as the heap nears it instead of letting the pod be OOM-killed.',
          },
        ),
      ),
      row(
        'Volumes (ingester WAL and blocks, metrics-generator WAL)',
        timeseries(
          'Volume used',
          [
            {
              expr: `max by (persistentvolumeclaim) (kubelet_volume_stats_used_bytes{${volumes}}) / max by (persistentvolumeclaim) (kubelet_volume_stats_capacity_bytes{${volumes}})`,
              legend: '{{persistentvolumeclaim}}',
            },
          ],
          {
            unit: 'percentunit',
            thresholds: [
              [0.8, 'orange'],
              [0.9, 'red'],
            ],
            w: 12,
          },
        ),
        timeseries(
          'Inodes used',
          [
            {
              expr: `1 - max by (persistentvolumeclaim) (kubelet_volume_stats_inodes_free{${volumes}}) / max by (persistentvolumeclaim) (kubelet_volume_stats_inodes{${volumes}})`,
              legend: '{{persistentvolumeclaim}}',
            },
          ],
          { unit: 'percentunit', w: 12 },
        ),
      ),
      row(
        'Restarts and OOM kills',
        timeseries('Container restarts', [{ expr: increase('kube_pod_container_status_restarts_total'), legend: '{{pod}}/{{container}}' }], { w: 8 }),
        timeseries('OOM kills', [{ expr: increase('container_oom_events_total'), legend: '{{pod}}/{{container}}' }], { w: 8 }),
        timeseries(
          'Last termination was an OOM kill',
          [
            {
              expr: `sum by (${perContainer}) (kube_pod_container_status_last_terminated_reason{${containers}, reason="OOMKilled"})`,
              legend: '{{pod}}/{{container}}',
            },
          ],
          { w: 8, description: '1 while the last time the container stopped, it was OOM-killed.' },
        ),
      ),
    ],
  });
}
