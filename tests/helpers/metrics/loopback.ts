// The one list of catalogued metrics a healthy loopback stack (`npm run e2e`: every Tempo process, tempo-vulture,
// memcached, Prometheus, no Kubernetes) does not expose, each with its reason. The e2e's scrape check
// fails on any other catalogued metric, dashboard panel or rule input that has no series, and on a
// declaration that turns out wrong (the metric was there after all); the dashboards test holds every
// query over an error-only counter to reading 0 instead of "No data". Tempo 3.0.3's own metrics
// (catalogue-3.ts) are declared absent from a 2.10 stack by version; the Tempo 3 e2e requires them.
import { ERROR_ONLY_IN_TEMPO3, TEMPO2_ONLY, TEMPO3_METRICS } from './catalogue-3';

export type Absence =
  /** Needs what only a cluster runs: kube-state-metrics, the kubelet, cAdvisor, the collector agent and gateway, memcached's exporter. */
  | 'cluster-only'
  /** A counter vector Tempo creates on its first error (labelled by tenant, ingester ...): a healthy stack has none. */
  | 'error-only'
  /** Exists only for tenants with limits of their own (environment.yaml `limits.tenants`). */
  | 'tenant-overrides'
  /** Exists only where the ingester ring is zone-aware (the e2e requires it there, and only there). */
  | 'zone-aware-ring'
  /** Registered only by Tempo 3.x (catalogue-3.ts): a 2.10 stack has none; the Tempo 3 e2e requires them. */
  | 'tempo3-only'
  /** A 2.10.8 metric Tempo 3.0.3 does not register (TEMPO2_ONLY in catalogue-3.ts): the 2.10 e2e requires it, the Tempo 3 e2e its absence. */
  | 'tempo2-only'
  /** A selector whose job names only components the environment does not render (a 2.10-drawn panel of the ingester or compactor on 3.x). */
  | 'component-not-rendered';

export interface Declaration {
  absence: Absence;
  reason: string;
}

const cluster = (reason: string): Declaration => ({ absence: 'cluster-only', reason });
const error = (reason: string): Declaration => ({ absence: 'error-only', reason });

const KSM = cluster('kube-state-metrics: no Kubernetes on loopback');
const KUBELET = cluster('the kubelet (volume stats): no Kubernetes on loopback');
const CADVISOR = cluster('cAdvisor (kubelet): no containers on loopback');
const COLLECTOR = cluster('the OpenTelemetry Collector agent is not run on loopback (the e2e pushes to the distributor)');
const GATEWAY = cluster('the tail-sampling gateway (an OpenTelemetry Collector) is not run on loopback');
const MEMCACHED_EXPORTER = cluster('memcached runs on loopback, its exporter does not (no Debian or npm package)');

export const NOT_ON_LOOPBACK: Record<string, Declaration> = {
  kube_pod_container_status_restarts_total: KSM,
  kube_pod_container_status_waiting_reason: KSM,
  kube_pod_container_status_last_terminated_reason: KSM,
  kube_pod_container_resource_requests: KSM,
  kube_pod_container_resource_limits: KSM,
  kube_deployment_spec_replicas: KSM,
  kube_deployment_status_replicas_available: KSM,
  kube_statefulset_replicas: KSM,
  kube_statefulset_status_replicas_ready: KSM,
  kube_statefulset_status_replicas_updated: KSM,
  kubelet_volume_stats_available_bytes: KUBELET,
  kubelet_volume_stats_capacity_bytes: KUBELET,
  kubelet_volume_stats_used_bytes: KUBELET,
  kubelet_volume_stats_inodes: KUBELET,
  kubelet_volume_stats_inodes_free: KUBELET,
  container_cpu_usage_seconds_total: CADVISOR,
  container_cpu_cfs_periods_total: CADVISOR,
  container_cpu_cfs_throttled_periods_total: CADVISOR,
  container_memory_working_set_bytes: CADVISOR,
  container_memory_rss: CADVISOR,
  container_oom_events_total: CADVISOR,
  container_network_receive_bytes_total: CADVISOR,
  container_network_transmit_bytes_total: CADVISOR,
  otelcol_receiver_accepted_spans_total: COLLECTOR,
  otelcol_receiver_refused_spans_total: COLLECTOR,
  otelcol_exporter_sent_spans_total: COLLECTOR,
  otelcol_exporter_send_failed_spans_total: COLLECTOR,
  otelcol_exporter_enqueue_failed_spans_total: COLLECTOR,
  otelcol_exporter_queue_size: COLLECTOR,
  otelcol_exporter_queue_capacity: COLLECTOR,
  otelcol_processor_tail_sampling_sampling_trace_dropped_too_early_total: GATEWAY,
  otelcol_processor_tail_sampling_sampling_decision_timer_latency: GATEWAY,
  memcached_up: MEMCACHED_EXPORTER,
  memcached_commands_total: MEMCACHED_EXPORTER,
  memcached_current_bytes: MEMCACHED_EXPORTER,
  memcached_limit_bytes: MEMCACHED_EXPORTER,
  memcached_current_items: MEMCACHED_EXPORTER,
  memcached_items_evicted_total: MEMCACHED_EXPORTER,
  memcached_current_connections: MEMCACHED_EXPORTER,
  memcached_max_connections: MEMCACHED_EXPORTER,
  memcached_read_bytes_total: MEMCACHED_EXPORTER,
  memcached_written_bytes_total: MEMCACHED_EXPORTER,

  tempo_warnings_total: error('one series per tenant and reason, added by the first data-quality warning'),
  tempo_distributor_ingester_append_failures_total: error('one series per ingester, added by the first failed append'),
  tempo_distributor_metrics_generator_pushes_failures_total: error('one series per metrics-generator, added by the first failed push'),
  tempo_ingester_replay_errors_total: error('one series per tenant, added by the first WAL replay error'),
  tempodb_blocklist_poll_errors_total: error('one series per tenant, added by the first failed blocklist poll'),
  tempodb_blocklist_tenant_index_errors_total: error('one series per tenant, added by the first tenant index error'),
  tempo_metrics_generator_registry_collections_failed_total: error('one series per tenant and error type, added by the first failed collection'),
  // Tempo 3.0.3 (catalogue-3.ts).
  tempo_distributor_produce_failures_total: error('one series per reason, added by the first record Kafka refuses'),
  tempo_live_store_records_dropped_total: error('one series per tenant and reason, added by the first dropped record'),
  tempo_block_builder_fetch_errors_total: error('one series per partition, added by the first failed fetch'),
  tempo_backend_scheduler_jobs_failed_total: error('one series per tenant and job type, added by the first failed job'),
  tempo_backend_scheduler_jobs_retry_total: error('one series per tenant, job type and worker, added by the first retried job'),
  tempo_backend_worker_bad_jobs_received_total: error('one series per status, added by the first bad job a backend-worker receives'),

  tempo_ring_zone_members: {
    absence: 'zone-aware-ring',
    reason: 'dskit sets it only for a zone-aware ingester ring (ingester.lifecycler.ring.zone_awareness_enabled); Tempo 3 has no ingester ring',
  },
  tempo_limits_overrides: {
    absence: 'tenant-overrides',
    reason: 'one series per limit of each tenant the runtime overrides name; the environments set none by default',
  },
};

const TEMPO3_ONLY: Declaration = { absence: 'tempo3-only', reason: 'Tempo 3 only (catalogue-3.ts): the 2.10 stack does not register it' };

export type TempoLine = '2.10' | '3.0';

/**
 * The declaration covering a series name (a histogram's _bucket/_sum/_count count as its base name) on a
 * stack of `tempo` (2.10 unless said): on 3.x, Tempo 3's own metrics must be there and 2.10's own must not.
 */
export function declarationOf(metric: string, tempo: TempoLine = '2.10'): Declaration | undefined {
  const base = metric.replace(/_(bucket|sum|count)$/, '');
  const declared = NOT_ON_LOOPBACK[metric] ?? NOT_ON_LOOPBACK[base];
  if (declared) return declared;
  if (tempo === '2.10') return (TEMPO3_METRICS[metric] ?? TEMPO3_METRICS[base]) ? TEMPO3_ONLY : undefined;
  const errorOnly = ERROR_ONLY_IN_TEMPO3[metric];
  if (errorOnly) return error(errorOnly);
  const only2 = TEMPO2_ONLY[metric] ?? TEMPO2_ONLY[base];
  return only2 ? { absence: 'tempo2-only', reason: `Tempo 2.10 only on a 3.0.3 stack: ${only2}` } : undefined;
}
