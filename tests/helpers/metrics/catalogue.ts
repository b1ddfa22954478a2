// The metrics this repo's alerts, recording rules and dashboards may select, each checked against its
// source: Tempo 2.10.8 (tag v2.10.8, its own code and the dskit / client_golang / Prometheus code it
// vendors), tempo-vulture 2.10.8, memcached-exporter v0.15.4, kube-state-metrics, the kubelet and
// cAdvisor. Names are the sample names as Prometheus scrapes and stores them, which for Tempo are the same
// in OpenMetrics 1.0.0 and text 0.0.4 (scraped from a running 2.10.8 in both; `npm run e2e` checks it on
// every run, see exposition() below): a counter Tempo registers without `_total`
// (tempo_receiver_accepted_spans, the service-graph processor counters) keeps that name in both formats.
// Histograms are listed by base name; their series are <name>_bucket, <name>_sum and <name>_count.
// Add a metric here only after reading where it is registered; a test fails on any name not listed.

import { TEMPO3_METRICS } from './catalogue-3';

/** The text formats Tempo's /metrics answers in, by the Accept header that asks for each. */
export const FORMATS = {
  openmetrics: 'application/openmetrics-text;version=1.0.0',
  text: 'text/plain;version=0.0.4',
} as const;
export type Format = keyof typeof FORMATS;

export interface MetricInfo {
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
  /** Who exposes it (and, for Tempo, which components). */
  source: string;
  /** Labels set by the exporter itself; scrape labels (job, cluster, namespace, pod, container) come on top. */
  labels?: string[];
  /**
   * A counter registered without `_total`: OpenMetrics requires that suffix of a counter, so client_golang
   * declares the family `# TYPE <name> unknown` there (text 0.0.4 says counter); the samples keep the name.
   */
  registeredWithoutTotal?: true;
}

const TEMPO = 'tempo 2.10.8';
const DSKIT_SERVER = `${TEMPO}, dskit server (every component)`;
const RING = `${TEMPO}, dskit ring client (distributor, ingester, querier, compactor, metrics-generator)`;
const GENERATOR = `${TEMPO} metrics-generator`;
const REMOTE_WRITE = `${GENERATOR}, vendored Prometheus remote-write queue (one per tenant)`;
const GENERATED = 'metrics-generator output, remote-written (never on /metrics)';
const KSM = 'kube-state-metrics';
const KUBELET = 'kubelet (volume stats)';
const CADVISOR = 'cAdvisor (kubelet /metrics/cadvisor)';
const MEMCACHED = 'memcached-exporter v0.15.4';
const VULTURE = 'tempo-vulture 2.10.8';
// Names as the pinned collector exposes them with the Prometheus reader of generators/collector.ts
// (without_units, counters with _total): exporterhelper, receiverhelper metadata.yaml of v0.159.0.
const COLLECTOR = 'opentelemetry-collector-contrib 0.159.0 (service telemetry, level normal)';
const GO = 'client_golang Go/process collectors (every Go binary)';

const SPANMETRICS_LABELS = ['service', 'span_name', 'span_kind', 'status_code'];
const SERVICE_GRAPH_LABELS = ['client', 'server', 'connection_type'];
const REMOTE_WRITE_LABELS = ['tenant', 'remote_name', 'url'];
const POD = ['namespace', 'pod', 'container'];

export const METRICS: Record<string, MetricInfo> = {
  // Tempo 3.0.3's own (catalogue-3.ts).
  ...TEMPO3_METRICS,
  // Prometheus itself: one series per scrape target.
  up: { type: 'gauge', source: 'Prometheus scrape (synthetic)' },

  // Every Tempo component: dskit server, build info, runtime config, rings, memberlist.
  tempo_build_info: { type: 'gauge', source: TEMPO, labels: ['version', 'revision', 'branch', 'goversion'] },
  tempo_request_duration_seconds: { type: 'histogram', source: DSKIT_SERVER, labels: ['method', 'route', 'status_code', 'ws'] },
  tempo_inflight_requests: { type: 'gauge', source: DSKIT_SERVER, labels: ['method', 'route'] },
  tempo_request_message_bytes: { type: 'histogram', source: DSKIT_SERVER, labels: ['method', 'route'] },
  tempo_response_message_bytes: { type: 'histogram', source: DSKIT_SERVER, labels: ['method', 'route'] },
  tempo_tcp_connections: { type: 'gauge', source: DSKIT_SERVER, labels: ['protocol'] },
  tempo_runtime_config_last_reload_successful: { type: 'gauge', source: `${TEMPO}, dskit runtimeconfig (every component)`, labels: ['config'] },
  tempo_ring_members: { type: 'gauge', source: RING, labels: ['name', 'state'] },
  // dskit ring.go numZoneMembersGaugeVec: set only when the ring is zone-aware, for every zone the client has seen.
  tempo_ring_zone_members: { type: 'gauge', source: RING, labels: ['name', 'zone', 'state'] },
  tempo_memberlist_client_cluster_members_count: { type: 'gauge', source: `${TEMPO}, dskit memberlist KV` },
  tempo_memberlist_client_kv_store_count: { type: 'gauge', source: `${TEMPO}, dskit memberlist KV` },
  tempo_limits_defaults: { type: 'gauge', source: TEMPO, labels: ['limit_name'] },
  // One series per limit of each tenant listed in the runtime overrides (modules/overrides/overrides.go).
  tempo_limits_overrides: { type: 'gauge', source: TEMPO, labels: ['limit_name', 'user'] },
  tempo_discarded_spans_total: { type: 'counter', source: `${TEMPO} distributor, ingester, compactor`, labels: ['reason', 'tenant'] },
  tempo_warnings_total: { type: 'counter', source: `${TEMPO} distributor`, labels: ['tenant', 'reason'] },

  // Distributor and receivers.
  tempo_receiver_accepted_spans: { type: 'counter', source: `${TEMPO} distributor`, labels: ['receiver', 'transport'], registeredWithoutTotal: true },
  tempo_receiver_refused_spans: { type: 'counter', source: `${TEMPO} distributor`, labels: ['receiver', 'transport'], registeredWithoutTotal: true },
  tempo_distributor_push_duration_seconds: { type: 'histogram', source: `${TEMPO} distributor` },
  tempo_distributor_spans_received_total: { type: 'counter', source: `${TEMPO} distributor`, labels: ['tenant'] },
  tempo_distributor_bytes_received_total: { type: 'counter', source: `${TEMPO} distributor`, labels: ['tenant'] },
  tempo_distributor_ingress_bytes_total: { type: 'counter', source: `${TEMPO} distributor`, labels: ['tenant'] },
  tempo_distributor_traces_per_batch: { type: 'histogram', source: `${TEMPO} distributor` },
  tempo_distributor_ingester_appends_total: { type: 'counter', source: `${TEMPO} distributor`, labels: ['ingester'] },
  tempo_distributor_ingester_append_failures_total: { type: 'counter', source: `${TEMPO} distributor`, labels: ['ingester'] },
  tempo_distributor_metrics_generator_pushes_total: { type: 'counter', source: `${TEMPO} distributor`, labels: ['metrics_generator'] },
  tempo_distributor_metrics_generator_pushes_failures_total: { type: 'counter', source: `${TEMPO} distributor`, labels: ['metrics_generator'] },

  // Ingester.
  tempo_ingester_bytes_received_total: { type: 'counter', source: `${TEMPO} ingester`, labels: ['tenant', 'data_type'] },
  tempo_ingester_live_traces: { type: 'gauge', source: `${TEMPO} ingester`, labels: ['tenant'] },
  tempo_ingester_live_trace_bytes: { type: 'gauge', source: `${TEMPO} ingester`, labels: ['tenant'] },
  tempo_ingester_traces_created_total: { type: 'counter', source: `${TEMPO} ingester`, labels: ['tenant'] },
  tempo_ingester_blocks_flushed_total: { type: 'counter', source: `${TEMPO} ingester` },
  tempo_ingester_blocks_cleared_total: { type: 'counter', source: `${TEMPO} ingester` },
  tempo_ingester_failed_flushes_total: { type: 'counter', source: `${TEMPO} ingester` },
  tempo_ingester_flush_retries_total: { type: 'counter', source: `${TEMPO} ingester` },
  tempo_ingester_flush_failed_retries_total: { type: 'counter', source: `${TEMPO} ingester` },
  tempo_ingester_flush_queue_length: { type: 'gauge', source: `${TEMPO} ingester` },
  tempo_ingester_flush_duration_seconds: { type: 'histogram', source: `${TEMPO} ingester` },
  tempo_ingester_flush_size_bytes: { type: 'histogram', source: `${TEMPO} ingester` },
  tempo_ingester_replay_errors_total: { type: 'counter', source: `${TEMPO} ingester`, labels: ['tenant'] },

  // Query path.
  tempo_query_frontend_queries_total: { type: 'counter', source: `${TEMPO} query-frontend`, labels: ['tenant', 'op', 'result'] },
  tempo_query_frontend_queries_within_slo_total: { type: 'counter', source: `${TEMPO} query-frontend`, labels: ['tenant', 'op', 'result'] },
  tempo_query_frontend_bytes_inspected_total: { type: 'counter', source: `${TEMPO} query-frontend`, labels: ['tenant', 'op'] },
  tempo_query_frontend_queue_duration_seconds: { type: 'histogram', source: `${TEMPO} query-frontend` },
  tempo_query_frontend_queue_length: { type: 'gauge', source: `${TEMPO} query-frontend`, labels: ['user'] },
  tempo_query_frontend_connected_clients: { type: 'gauge', source: `${TEMPO} query-frontend` },
  tempo_querier_worker_request_executed_total: { type: 'counter', source: `${TEMPO} querier` },
  tempo_memcache_request_duration_seconds: {
    type: 'histogram',
    source: `${TEMPO} querier, query-frontend, compactor (memcached client)`,
    labels: ['name', 'method', 'status_code'],
  },
  tempo_memcache_client_servers: { type: 'gauge', source: `${TEMPO} memcached client` },

  // Storage (tempodb): blocklist polling, compaction, retention, backend requests.
  tempodb_blocklist_length: { type: 'gauge', source: `${TEMPO} querier, compactor, query-frontend (blocklist poller)`, labels: ['tenant'] },
  tempodb_blocklist_poll_duration_seconds: { type: 'histogram', source: `${TEMPO} blocklist poller` },
  tempodb_blocklist_poll_errors_total: { type: 'counter', source: `${TEMPO} blocklist poller`, labels: ['tenant'] },
  tempodb_blocklist_tenant_index_errors_total: { type: 'counter', source: `${TEMPO} blocklist poller`, labels: ['tenant'] },
  tempodb_blocklist_tenant_index_builder: { type: 'gauge', source: `${TEMPO} compactor (blocklist poller)`, labels: ['tenant'] },
  tempodb_blocklist_tenant_index_age_seconds: { type: 'gauge', source: `${TEMPO} blocklist poller`, labels: ['tenant'] },
  tempodb_backend_objects_total: { type: 'gauge', source: `${TEMPO} blocklist poller`, labels: ['tenant', 'status'] },
  tempodb_backend_bytes_total: { type: 'gauge', source: `${TEMPO} blocklist poller`, labels: ['tenant', 'status'] },
  tempodb_backend_request_duration_seconds: {
    type: 'histogram',
    source: `${TEMPO} (every component that reads or writes S3)`,
    labels: ['operation', 'status_code'],
  },
  tempodb_compaction_outstanding_blocks: { type: 'gauge', source: `${TEMPO} compactor`, labels: ['tenant'] },
  tempodb_compaction_errors_total: { type: 'counter', source: `${TEMPO} compactor` },
  tempodb_compaction_blocks_total: { type: 'counter', source: `${TEMPO} compactor`, labels: ['level'] },
  tempodb_compaction_bytes_written_total: { type: 'counter', source: `${TEMPO} compactor`, labels: ['level'] },
  // Not here: tempodb_compaction_objects_{written,combined}_total. vParquet4 counts them only when a compaction
  // buffers past flush_size_bytes or merges copies of one trace (seen: absent after a small compaction on
  // loopback), and nothing here reads them.
  tempodb_retention_deleted_total: { type: 'counter', source: `${TEMPO} compactor` },
  tempodb_retention_marked_for_deletion_total: { type: 'counter', source: `${TEMPO} compactor` },
  tempodb_retention_errors_total: { type: 'counter', source: `${TEMPO} compactor` },
  tempodb_work_queue_length: { type: 'gauge', source: `${TEMPO} querier` },
  tempodb_work_queue_max: { type: 'gauge', source: `${TEMPO} querier` },

  // Metrics-generator: its own health, and the remote-write queue that ships its series.
  tempo_metrics_generator_spans_received_total: { type: 'counter', source: GENERATOR, labels: ['tenant'] },
  tempo_metrics_generator_spans_discarded_total: { type: 'counter', source: GENERATOR, labels: ['tenant', 'reason', 'processor'] },
  tempo_metrics_generator_bytes_received_total: { type: 'counter', source: GENERATOR, labels: ['tenant'] },
  tempo_metrics_generator_active_processors: { type: 'gauge', source: GENERATOR, labels: ['tenant', 'processor'] },
  tempo_metrics_generator_registry_active_series: { type: 'gauge', source: GENERATOR, labels: ['tenant'] },
  tempo_metrics_generator_registry_max_active_series: { type: 'gauge', source: GENERATOR, labels: ['tenant'] },
  tempo_metrics_generator_registry_series_limited_total: { type: 'counter', source: GENERATOR, labels: ['tenant'] },
  tempo_metrics_generator_registry_collections_failed_total: { type: 'counter', source: GENERATOR, labels: ['tenant', 'error_type'] },
  tempo_metrics_generator_processor_service_graphs_edges: { type: 'counter', source: GENERATOR, labels: ['tenant'], registeredWithoutTotal: true },
  tempo_metrics_generator_processor_service_graphs_expired_edges: { type: 'counter', source: GENERATOR, labels: ['tenant'], registeredWithoutTotal: true },
  tempo_metrics_generator_processor_service_graphs_dropped_spans: { type: 'counter', source: GENERATOR, labels: ['tenant'], registeredWithoutTotal: true },
  prometheus_remote_storage_samples_total: { type: 'counter', source: REMOTE_WRITE, labels: REMOTE_WRITE_LABELS },
  prometheus_remote_storage_samples_failed_total: { type: 'counter', source: REMOTE_WRITE, labels: REMOTE_WRITE_LABELS },
  prometheus_remote_storage_samples_retried_total: { type: 'counter', source: REMOTE_WRITE, labels: REMOTE_WRITE_LABELS },
  prometheus_remote_storage_samples_pending: { type: 'gauge', source: REMOTE_WRITE, labels: REMOTE_WRITE_LABELS },
  prometheus_remote_storage_queue_highest_timestamp_seconds: { type: 'gauge', source: REMOTE_WRITE, labels: REMOTE_WRITE_LABELS },
  prometheus_remote_storage_queue_highest_sent_timestamp_seconds: { type: 'gauge', source: REMOTE_WRITE, labels: REMOTE_WRITE_LABELS },

  // Series the metrics-generator writes into Prometheus (span metrics and service graphs).
  traces_spanmetrics_calls_total: { type: 'counter', source: GENERATED, labels: SPANMETRICS_LABELS },
  traces_spanmetrics_latency: { type: 'histogram', source: GENERATED, labels: SPANMETRICS_LABELS },
  traces_spanmetrics_size_total: { type: 'counter', source: GENERATED, labels: SPANMETRICS_LABELS },
  traces_service_graph_request_total: { type: 'counter', source: GENERATED, labels: SERVICE_GRAPH_LABELS },
  traces_service_graph_request_failed_total: { type: 'counter', source: GENERATED, labels: SERVICE_GRAPH_LABELS },
  traces_service_graph_request_server_seconds: { type: 'histogram', source: GENERATED, labels: SERVICE_GRAPH_LABELS },
  traces_service_graph_request_client_seconds: { type: 'histogram', source: GENERATED, labels: SERVICE_GRAPH_LABELS },
  // Not here on purpose: traces_service_graph_unpaired_spans_total and traces_service_graph_dropped_spans_total
  // are in Tempo's docs but 2.10.8 never registers them. Unpaired and dropped edges show up as
  // tempo_metrics_generator_processor_service_graphs_expired_edges / _dropped_spans above.

  // tempo-vulture: writes traces and reads them back.
  tempo_vulture_trace_total: { type: 'counter', source: VULTURE },
  tempo_vulture_trace_error_total: { type: 'counter', source: VULTURE, labels: ['error'] },
  tempo_vulture_error_total: { type: 'counter', source: VULTURE },

  // The OpenTelemetry Collector agent: what it accepts, refuses, sends and drops.
  otelcol_receiver_accepted_spans_total: { type: 'counter', source: COLLECTOR, labels: ['receiver', 'transport'] },
  otelcol_receiver_refused_spans_total: { type: 'counter', source: COLLECTOR, labels: ['receiver', 'transport'] },
  otelcol_exporter_sent_spans_total: { type: 'counter', source: COLLECTOR, labels: ['exporter'] },
  otelcol_exporter_send_failed_spans_total: { type: 'counter', source: COLLECTOR, labels: ['exporter'] },
  otelcol_exporter_enqueue_failed_spans_total: { type: 'counter', source: COLLECTOR, labels: ['exporter'] },
  otelcol_exporter_queue_size: { type: 'gauge', source: COLLECTOR, labels: ['exporter'] },
  otelcol_exporter_queue_capacity: { type: 'gauge', source: COLLECTOR, labels: ['exporter'] },
  // The tail-sampling gateway's tail_sampling processor (processor/tailsamplingprocessor documentation.md).
  otelcol_processor_tail_sampling_sampling_trace_dropped_too_early_total: { type: 'counter', source: COLLECTOR, labels: ['worker'] },
  otelcol_processor_tail_sampling_sampling_decision_timer_latency: { type: 'histogram', source: COLLECTOR, labels: ['worker'] },

  // memcached (the exporter sidecar of each memcached pod).
  memcached_up: { type: 'gauge', source: MEMCACHED },
  memcached_commands_total: { type: 'counter', source: MEMCACHED, labels: ['command', 'status'] },
  memcached_current_bytes: { type: 'gauge', source: MEMCACHED },
  memcached_limit_bytes: { type: 'gauge', source: MEMCACHED },
  memcached_current_items: { type: 'gauge', source: MEMCACHED },
  memcached_items_evicted_total: { type: 'counter', source: MEMCACHED },
  memcached_current_connections: { type: 'gauge', source: MEMCACHED },
  memcached_max_connections: { type: 'gauge', source: MEMCACHED },
  memcached_read_bytes_total: { type: 'counter', source: MEMCACHED },
  memcached_written_bytes_total: { type: 'counter', source: MEMCACHED },

  // Go runtime and process (Tempo, vulture and the exporter all expose these).
  go_goroutines: { type: 'gauge', source: GO },
  go_memstats_heap_inuse_bytes: { type: 'gauge', source: GO },
  // GOMEMLIMIT, a default runtime metric since client_golang 1.20 (Tempo 2.10.8 vendors 1.23.2).
  go_gc_gomemlimit_bytes: { type: 'gauge', source: GO },
  process_cpu_seconds_total: { type: 'counter', source: GO },
  process_resident_memory_bytes: { type: 'gauge', source: GO },

  // Kubernetes: pods, workloads and volumes.
  kube_pod_container_status_restarts_total: { type: 'counter', source: KSM, labels: POD },
  kube_pod_container_status_waiting_reason: { type: 'gauge', source: KSM, labels: [...POD, 'reason'] },
  kube_pod_container_status_last_terminated_reason: { type: 'gauge', source: KSM, labels: [...POD, 'reason'] },
  kube_pod_container_resource_requests: { type: 'gauge', source: KSM, labels: [...POD, 'node', 'resource', 'unit'] },
  kube_pod_container_resource_limits: { type: 'gauge', source: KSM, labels: [...POD, 'node', 'resource', 'unit'] },
  kube_deployment_spec_replicas: { type: 'gauge', source: KSM, labels: ['namespace', 'deployment'] },
  kube_deployment_status_replicas_available: { type: 'gauge', source: KSM, labels: ['namespace', 'deployment'] },
  kube_statefulset_replicas: { type: 'gauge', source: KSM, labels: ['namespace', 'statefulset'] },
  kube_statefulset_status_replicas_ready: { type: 'gauge', source: KSM, labels: ['namespace', 'statefulset'] },
  // internal/store/statefulset.go: status.updatedReplicas, kept by the StatefulSet controller whatever the update strategy.
  kube_statefulset_status_replicas_updated: { type: 'gauge', source: KSM, labels: ['namespace', 'statefulset'] },
  kubelet_volume_stats_available_bytes: { type: 'gauge', source: KUBELET, labels: ['namespace', 'persistentvolumeclaim'] },
  kubelet_volume_stats_capacity_bytes: { type: 'gauge', source: KUBELET, labels: ['namespace', 'persistentvolumeclaim'] },
  kubelet_volume_stats_used_bytes: { type: 'gauge', source: KUBELET, labels: ['namespace', 'persistentvolumeclaim'] },
  kubelet_volume_stats_inodes: { type: 'gauge', source: KUBELET, labels: ['namespace', 'persistentvolumeclaim'] },
  kubelet_volume_stats_inodes_free: { type: 'gauge', source: KUBELET, labels: ['namespace', 'persistentvolumeclaim'] },
  container_cpu_usage_seconds_total: { type: 'counter', source: CADVISOR, labels: [...POD, 'cpu'] },
  container_cpu_cfs_periods_total: { type: 'counter', source: CADVISOR, labels: POD },
  container_cpu_cfs_throttled_periods_total: { type: 'counter', source: CADVISOR, labels: POD },
  container_memory_working_set_bytes: { type: 'gauge', source: CADVISOR, labels: POD },
  container_memory_rss: { type: 'gauge', source: CADVISOR, labels: POD },
  container_oom_events_total: { type: 'counter', source: CADVISOR, labels: POD },
  container_network_receive_bytes_total: { type: 'counter', source: CADVISOR, labels: ['namespace', 'pod', 'interface'] },
  container_network_transmit_bytes_total: { type: 'counter', source: CADVISOR, labels: ['namespace', 'pod', 'interface'] },
};

const SERIES_SUFFIXES: Record<MetricInfo['type'], string[]> = {
  counter: [],
  gauge: [],
  histogram: ['_bucket', '_sum', '_count'],
  // A summary's quantiles are series of the base name itself.
  summary: ['', '_sum', '_count'],
};

/** The catalogue entry behind a series name (a histogram's _bucket/_sum/_count map to its base name). */
export function lookupMetric(name: string): { name: string; info: MetricInfo } | undefined {
  const direct = METRICS[name];
  if (direct && direct.type !== 'histogram') return { name, info: direct };
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const info = METRICS[base];
    if (info && SERIES_SUFFIXES[info.type].includes(suffix)) return { name: base, info };
  }
  return undefined;
}

/** True for a scraped series name of a catalogued metric. A histogram's bare base name is not a series. */
export function isKnownMetric(name: string): boolean {
  return lookupMetric(name) !== undefined;
}

/** What serves a metric: a Tempo process, tempo-vulture, any Go binary, or what the loopback e2e does not run. */
export type Exporter = 'tempo' | 'tempo3' | 'vulture' | 'go' | 'prometheus' | 'remote-write' | 'memcached-exporter' | 'collector' | 'kubernetes';
const EXPORTERS: Array<[string, Exporter]> = [
  [TEMPO, 'tempo'],
  // Tempo 3.0.3's own (catalogue-3.ts): not served by the 2.10.8 stack the 2.10 e2e scrapes.
  ['tempo 3.0.3', 'tempo3'],
  [VULTURE, 'vulture'],
  [GO, 'go'],
  ['Prometheus', 'prometheus'],
  [GENERATED, 'remote-write'],
  [MEMCACHED, 'memcached-exporter'],
  [COLLECTOR, 'collector'],
  [KSM, 'kubernetes'],
  [KUBELET, 'kubernetes'],
  [CADVISOR, 'kubernetes'],
];
export function exporterOf(info: MetricInfo): Exporter {
  const found = EXPORTERS.find(([prefix]) => info.source.startsWith(prefix));
  if (!found) throw new Error(`catalogue: no exporter for source "${info.source}"`);
  return found[1];
}

/** How a scrape in `format` shows a catalogued metric: its `# TYPE` line and the names of its samples. */
export function exposition(name: string, format: Format): { family: string; type: string; samples: string[] } {
  const info = METRICS[name];
  if (!info) throw new Error(`${name} is not in the catalogue`);
  const samples = SERIES_SUFFIXES[info.type].map((s) => name + s);
  if (info.type !== 'counter') return { family: name, type: info.type, samples: samples.length ? samples : [name] };
  if (format === 'text') return { family: name, type: 'counter', samples: [name] };
  return info.registeredWithoutTotal
    ? { family: name, type: 'unknown', samples: [name] }
    : { family: name.replace(/_total$/, ''), type: 'counter', samples: [name] };
}
