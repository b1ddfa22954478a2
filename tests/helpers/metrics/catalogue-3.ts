// Tempo 3.0.3's own metrics the Tempo 3 alerts and dashboards select (the rest of what they read is
// shared with 2.10.8 in catalogue.ts). Each checked where it is registered at tag v3.0.3 and seen on the
// loopback stack's /metrics (Vec counters appear after their first event).
/** The shape of catalogue.ts's MetricInfo (not imported: catalogue.ts imports this file). */
interface MetricInfo {
  type: 'counter' | 'gauge';
  source: string;
  labels?: string[];
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
};
