// Tempo 3.0.3's own metrics the Tempo 3 alerts and dashboards select (the rest of what they read is
// shared with 2.10.8 in catalogue.ts). Each checked where it is registered at tag v3.0.3 and seen on the
// loopback stack's /metrics (Vec counters appear after their first event).
/** The shape of catalogue.ts's MetricInfo (not imported: catalogue.ts imports this file). */
interface MetricInfo {
  type: 'counter' | 'gauge' | 'histogram';
  source: string;
  labels?: string[];
  registeredWithoutTotal?: true;
}

const TEMPO3 = 'tempo 3.0.3';

export const TEMPO3_METRICS: Record<string, MetricInfo> = {
  // pkg/ingest/metrics.go: lag per consumer group and partition (live-stores, block-builder, metrics-generator).
  tempo_ingest_group_partition_lag_seconds: { type: 'gauge', source: `${TEMPO3} pkg/ingest`, labels: ['group', 'partition'] },
  tempo_ingest_group_partition_lag: { type: 'gauge', source: `${TEMPO3} pkg/ingest`, labels: ['group', 'partition'] },
  // dskit PartitionRingWatcher registered with the tempo_ prefix (distributor, querier, block-builder, generator).
  tempo_partition_ring_partitions: { type: 'gauge', source: `${TEMPO3}, dskit partition ring watcher`, labels: ['name', 'state'] },
  tempo_live_store_partition_owned: { type: 'gauge', source: `${TEMPO3} modules/livestore/partition_reader.go`, labels: ['partition', 'zone'] },
  tempo_block_builder_owned_partitions: { type: 'gauge', source: `${TEMPO3} modules/blockbuilder`, labels: ['partition', 'state'] },
  tempo_backend_scheduler_jobs_created_total: { type: 'counter', source: `${TEMPO3} modules/backendscheduler/metrics.go`, labels: ['tenant', 'job_type'] },
  tempo_backend_scheduler_jobs_failed_total: { type: 'counter', source: `${TEMPO3} modules/backendscheduler/metrics.go`, labels: ['tenant', 'job_type'] },
  tempo_backend_scheduler_jobs_completed_total: { type: 'counter', source: `${TEMPO3} modules/backendscheduler/metrics.go`, labels: ['tenant', 'job_type'] },
  tempo_backend_scheduler_jobs_retry_total: {
    type: 'counter',
    source: `${TEMPO3} modules/backendscheduler/metrics.go`,
    labels: ['tenant', 'job_type', 'worker_id'],
  },
  // modules/livestore/instance.go: live traces per tenant (what max_local_traces_per_user caps in 3.x).
  tempo_live_store_live_traces: { type: 'gauge', source: `${TEMPO3} modules/livestore/instance.go`, labels: ['tenant'] },
  tempo_backend_worker_bad_jobs_received_total: { type: 'counter', source: `${TEMPO3} modules/backendworker/metrics.go`, labels: ['status'] },

  // Tempo / Tempo 3 ingest (generators/dashboards/ingest-3.ts).
  // modules/distributor/distributor.go: the distributor's Kafka writes.
  tempo_distributor_kafka_write_bytes_total: { type: 'counter', source: `${TEMPO3} modules/distributor/distributor.go`, labels: ['partition'] },
  tempo_distributor_kafka_write_latency_seconds: { type: 'histogram', source: `${TEMPO3} modules/distributor/distributor.go` },
  // franz-go kprom (pkg/ingest/writer_client.go, no prefix of its own) registered under tempo_distributor_; no detail labels.
  tempo_distributor_produce_records_total: { type: 'counter', source: `${TEMPO3} pkg/ingest/writer_client.go (kprom)` },
  tempo_distributor_produce_failures_total: { type: 'counter', source: `${TEMPO3} pkg/ingest/writer_client.go`, labels: ['reason'] },
  // modules/livestore/live_store.go: Kafka records and readiness.
  tempo_live_store_ready: { type: 'gauge', source: `${TEMPO3} modules/livestore/live_store.go` },
  tempo_live_store_catch_up_duration_seconds: { type: 'gauge', source: `${TEMPO3} modules/livestore/live_store.go` },
  tempo_live_store_records_processed_total: { type: 'counter', source: `${TEMPO3} modules/livestore/live_store.go`, labels: ['tenant'] },
  tempo_live_store_records_dropped_total: { type: 'counter', source: `${TEMPO3} modules/livestore/live_store.go`, labels: ['tenant', 'reason'] },
  // modules/blockbuilder: fetches and flushes (flushed_blocks is a counter registered without _total).
  tempo_block_builder_fetch_records_total: { type: 'counter', source: `${TEMPO3} modules/blockbuilder/blockbuilder.go`, labels: ['partition'] },
  tempo_block_builder_fetch_errors_total: { type: 'counter', source: `${TEMPO3} modules/blockbuilder/blockbuilder.go`, labels: ['partition'] },
  tempo_block_builder_flushed_blocks: {
    type: 'counter',
    source: `${TEMPO3} modules/blockbuilder/tenant_store.go`,
    labels: ['tenant'],
    registeredWithoutTotal: true,
  },
  tempo_backend_scheduler_jobs_active: { type: 'gauge', source: `${TEMPO3} modules/backendscheduler/metrics.go`, labels: ['tenant', 'job_type'] },
  tempo_backend_worker_jobs_total: { type: 'counter', source: `${TEMPO3} modules/backendworker/metrics.go` },
};

/**
 * The 2.10.8 metrics of catalogue.ts that Tempo 3.0.3 does not register, each with why: the Tempo 3 e2e
 * requires every other Tempo metric of the catalogue on its scrape and fails if one of these appears.
 * The 2.10-drawn dashboards that read them stay empty on a 3.x stack (the Tempo 3 ingest dashboard is its page).
 */
const NO_INGESTER = 'modules/ingester is gone: the live-stores and the block-builder take its place';
export const TEMPO2_ONLY: Record<string, string> = {
  tempo_ingester_bytes_received_total: NO_INGESTER,
  tempo_ingester_live_traces: NO_INGESTER,
  tempo_ingester_live_trace_bytes: NO_INGESTER,
  tempo_ingester_traces_created_total: NO_INGESTER,
  tempo_ingester_blocks_flushed_total: NO_INGESTER,
  tempo_ingester_blocks_cleared_total: NO_INGESTER,
  tempo_ingester_failed_flushes_total: NO_INGESTER,
  tempo_ingester_flush_retries_total: NO_INGESTER,
  tempo_ingester_flush_failed_retries_total: NO_INGESTER,
  tempo_ingester_flush_queue_length: NO_INGESTER,
  tempo_ingester_flush_duration_seconds: NO_INGESTER,
  tempo_ingester_flush_size_bytes: NO_INGESTER,
  tempo_distributor_ingester_appends_total: 'the distributor writes to Kafka, not to ingesters (modules/distributor/distributor.go)',
  tempo_distributor_metrics_generator_pushes_total:
    'registered, but counted only for pushes to an in-process generator (label "local", single binary): distributed metrics-generators read Kafka',
};

/**
 * Counters 2.10.8 creates with the first push (the distributor adds 0 per reason after each ingester
 * append) that 3.0.3 creates only with the first event: a healthy 3.x stack has none.
 */
export const ERROR_ONLY_IN_TEMPO3: Record<string, string> = {
  tempo_discarded_spans_total:
    'one series per reason and tenant, added by the first discarded span (3.0.3 writes to Kafka and no longer adds 0 per reason after each push)',
};
