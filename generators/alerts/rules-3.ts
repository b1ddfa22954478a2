// Tempo 3's own alerts (tempo.version 3.0): the live-store ring and the partition ring, consumer lag of
// the three Kafka consumer groups, and the backend-scheduler's jobs. Written for this repo on metric names
// Tempo 3.0.3 registers and the loopback stack exposed (tests/helpers/metrics/catalogue-3.ts); the
// tempo-mixin's alerts of v3.0.3 were the checklist and its thresholds the defaults. ONLY_IN keeps each
// version's alerts where that version runs.
import type { TempoVersion } from '../environment/settings';
import type { Environment } from '../environment/index';
import type { AlertDefinition, AlertName } from './names';

/** Alerts on what only some Tempo versions have; every other alert is deployed whatever the version. */
export const ONLY_IN: Partial<Record<AlertName, readonly TempoVersion[]>> = {
  TempoProvisioningTooManyWrites: ['2.10'],
  TempoIngesterFlushFailures: ['2.10'],
  TempoIngesterFlushesUnhealthy: ['2.10'],
  TempoIngesterFlushesFailing: ['2.10'],
  TempoIngesterReplayErrors: ['2.10'],
  TempoIngesterUnhealthy: ['2.10'],
  TempoCompactorUnhealthy: ['2.10'],
  TempoCompactorsTooManyOutstandingBlocks: ['2.10'],
  // 3.0.3's generators consume partitions (ring_mode partition): their own ring is never built.
  TempoMetricsGeneratorUnhealthy: ['2.10'],
  TempoLiveStoreUnhealthy: ['3.0'],
  TempoPartitionsNotActive: ['3.0'],
  TempoLiveStorePartitionLag: ['3.0'],
  TempoBlockBuilderPartitionLag: ['3.0'],
  TempoMetricsGeneratorPartitionLag: ['3.0'],
  TempoBackendSchedulerJobsFailing: ['3.0'],
  TempoBackendSchedulerJobRetries: ['3.0'],
  TempoBackendWorkerBadJobs: ['3.0'],
};

/** The helpers rules.ts writes every alert with (passed in: rules.ts imports this file). */
export interface RuleHelpers {
  job(component: string): string;
  ns: string;
  where: string;
  value(digits: number): string;
  promql(strings: TemplateStringsArray, ...values: unknown[]): string;
  ringUnhealthy(name: AlertName, ring: string, severity: AlertDefinition['severity'], impact: string): AlertDefinition;
}

/** The consumer groups Tempo 3.0.3 reads the topic with: live-stores (one group per zone StatefulSet), block-builder, metrics-generator. */
function lag(h: RuleHelpers, name: AlertName, component: string, threshold: number, severity: AlertDefinition['severity'], impact: string): AlertDefinition {
  return {
    name,
    severity,
    for: '15m',
    expr: `max by (cluster, namespace, group, partition) (tempo_ingest_group_partition_lag_seconds{${h.job(component)}}) > ${threshold}`,
    summary: `Tempo ${component}s are behind the Kafka topic.`,
    description: `Consumer group {{ $labels.group }} in ${h.where} is ${h.value(0)}s behind on partition {{ $labels.partition }} (threshold ${threshold}s). ${impact}`,
  };
}

export function tempo3Alerts(env: Environment, h: RuleHelpers): AlertDefinition[] {
  const t = env.alerts.thresholds;
  return [
    h.ringUnhealthy('TempoLiveStoreUnhealthy', 'live-store', 'critical', 'Recent traces of their partitions are read from the other zone only.'),
    {
      name: 'TempoPartitionsNotActive',
      severity: 'critical',
      for: '15m',
      // Distributors write only to ACTIVE partitions of the livestore-partitions ring (seen: 503 "InstancesCount <= 0" before).
      expr: `max by (cluster, namespace, state) (tempo_partition_ring_partitions{${h.job('distributor')}, name="livestore-partitions", state!="Active"}) > 0`,
      summary: 'Tempo partitions are not active.',
      description: `${h.value(0)} partition(s) of the live-store ring in ${h.where} are {{ $labels.state }}, not Active, for 15 minutes: distributors do not write to them.`,
    },
    lag(
      h,
      'TempoLiveStorePartitionLag',
      'live-store',
      t.partitionLagSeconds.liveStore,
      'warning',
      'Recent traces of that partition are missing from searches until it catches up.',
    ),
    lag(
      h,
      'TempoBlockBuilderPartitionLag',
      'block-builder',
      t.partitionLagSeconds.blockBuilder,
      'critical',
      `Blocks are not being built: once the lag reaches the topic's retention (${env.kafka.retention.text}) spans are lost.`,
    ),
    lag(
      h,
      'TempoMetricsGeneratorPartitionLag',
      'metrics-generator',
      t.partitionLagSeconds.metricsGenerator,
      'warning',
      'Span metrics and service graphs are late.',
    ),
    {
      name: 'TempoBackendSchedulerJobsFailing',
      severity: 'warning',
      for: '15m',
      expr: h.promql`
        100 * sum by (cluster, namespace, job_type) (increase(tempo_backend_scheduler_jobs_failed_total{${h.job('backend-scheduler')}}[1h]))
        /
        sum by (cluster, namespace, job_type) (increase(tempo_backend_scheduler_jobs_created_total{${h.job('backend-scheduler')}}[1h]))
        > ${t.backendJobFailurePercent}`,
      summary: 'Tempo backend jobs are failing.',
      description: `${h.value(1)}% of the {{ $labels.job_type }} jobs in ${h.where} failed in the last hour (threshold ${t.backendJobFailurePercent}%): blocks are not compacted or not deleted at retention.`,
    },
    {
      name: 'TempoBackendSchedulerJobRetries',
      severity: 'warning',
      for: '15m',
      expr: `sum by (cluster, namespace, job_type) (rate(tempo_backend_scheduler_jobs_retry_total{${h.job('backend-scheduler')}}[5m])) * 60 > ${t.backendJobRetriesPerMinute}`,
      summary: 'Tempo backend jobs are retried often.',
      description: `${h.value(1)} {{ $labels.job_type }} jobs a minute are retried in ${h.where} (threshold ${t.backendJobRetriesPerMinute}): backend-workers lose their jobs (restarts, timeouts).`,
    },
    {
      name: 'TempoBackendWorkerBadJobs',
      severity: 'warning',
      for: '5m',
      // A Vec counter, created by its first bad job: a series new in the last 15 minutes counts too.
      expr: h.promql`
        sum by (cluster, namespace, status) (
          increase(tempo_backend_worker_bad_jobs_received_total{${h.job('backend-worker')}}[15m]) > 0
          or
          (tempo_backend_worker_bad_jobs_received_total{${h.job('backend-worker')}} unless tempo_backend_worker_bad_jobs_received_total{${h.job('backend-worker')}} offset 15m)
        ) > 0`,
      summary: 'Tempo backend-workers receive bad jobs.',
      description: `Backend-workers in ${h.where} received jobs they could not run (status {{ $labels.status }}): the scheduler and the workers disagree (versions, config).`,
    },
  ];
}
