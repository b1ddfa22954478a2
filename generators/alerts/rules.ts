// Alerting and recording rules for one environment, on metrics Tempo 2.10.8 and the exporters really
// expose (tests/helpers/metrics/catalogue.ts; a test fails on any other name). Thresholds come from
// `alerts.thresholds` in environment.yaml. Conventions:
// - selectors carry job="<namespace>/<component>" (set by the ServiceMonitors) or the namespace;
// - every expression aggregates `by` the labels its alert keeps, so alert labels are predictable;
// - descriptions use only {{ $labels.<name> }} and {{ printf "%.<n>f" $value }} (tests render them).
import type { Environment } from '../environment/index';
import type { Severity } from '../environment/settings';
import { runningComponents } from '../render';
import { scrapeJob } from '../servicemonitors';
import { INSTANCE } from '../stack';
import type { ComponentName } from '../components/index';
import { ALERT_GROUPS, type AlertDefinition, type AlertGroup, type AlertName } from './names';
import { ONLY_IN, tempo3Alerts } from './rules-3';
import { zoneAlerts } from './zones';

export type { AlertDefinition };

export interface RecordingRule {
  record: string;
  expr: string;
}

/** Strips the common indentation of a multi-line expression written in a template literal. */
export function promql(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values)
    .replace(/^\n/, '')
    .trimEnd();
  const indent = Math.min(
    ...text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => /^ */.exec(l)![0].length),
  );
  return text
    .split('\n')
    .map((l) => l.slice(indent))
    .join('\n');
}

/** The selectors of one stack's series: its namespace, and a component's job in it. */
const selectors = (namespace: string) => ({ ns: `namespace="${namespace}"`, job: (c: string) => `job="${scrapeJob(namespace, c)}"` });
const value = (digits: number) => `{{ printf "%.${digits}f" $value }}`;
const where = '{{ $labels.cluster }}/{{ $labels.namespace }}';
const BY_CLUSTER = 'cluster, namespace';

/** The PVCs of the StatefulSets this environment renders with volumes: data-tempo-stack-ingester-0, ... */
export function volumeClaimsRegex(env: Environment): string {
  return `data-(${statefulSetsWithVolumes(env).join('|')})-[0-9]+`;
}

/** The StatefulSets with volume claims this environment renders (zone StatefulSets each). */
export function statefulSetsWithVolumes(env: Environment): string[] {
  return runningComponents(env).flatMap(({ component, own }) =>
    component.tempo?.stateful
      ? component
          .objects(env, own)
          .filter((o) => o.kind === 'StatefulSet' && (o.spec?.volumeClaimTemplates?.length ?? 0) > 0)
          .map((o) => o.metadata.name)
      : [],
  );
}

/** Routes that are long-lived streams, scrapes or readiness probes (503 while a pod starts), not requests a user waits for. */
const NOT_USER_REQUESTS = 'metrics|ready|/frontend.Frontend/Process|debug_pprof';

/** Request-duration aggregates by cluster, namespace, job and route, for alerts and dashboards. */
export const REQUEST_DURATION = 'cluster_namespace_job_route:tempo_request_duration_seconds';

export function recordingRules(namespace: string): RecordingRule[] {
  const { ns } = selectors(namespace);
  const by = 'cluster, namespace, job, route';
  return [
    { record: `${REQUEST_DURATION}_bucket:sum_rate`, expr: `sum by (${by}, le) (rate(tempo_request_duration_seconds_bucket{${ns}}[5m]))` },
    { record: `${REQUEST_DURATION}_sum:sum_rate`, expr: `sum by (${by}) (rate(tempo_request_duration_seconds_sum{${ns}}[5m]))` },
    { record: `${REQUEST_DURATION}_count:sum_rate`, expr: `sum by (${by}) (rate(tempo_request_duration_seconds_count{${ns}}[5m]))` },
    { record: `${REQUEST_DURATION}:99quantile`, expr: `histogram_quantile(0.99, ${REQUEST_DURATION}_bucket:sum_rate)` },
    { record: `${REQUEST_DURATION}:50quantile`, expr: `histogram_quantile(0.50, ${REQUEST_DURATION}_bucket:sum_rate)` },
    { record: `${REQUEST_DURATION}:avg`, expr: `${REQUEST_DURATION}_sum:sum_rate / ${REQUEST_DURATION}_count:sum_rate` },
  ];
}

/** "More than N in the last hour, and still happening": retries heal single failures. */
export function failuresPerHour(metric: string, selector: string, by: string, limit: number): string {
  return promql`
    sum by (${by}) (increase(${metric}{${selector}}[1h])) > ${limit}
    and
    sum by (${by}) (increase(${metric}{${selector}}[5m])) > 0`;
}

export function ringAlert(ns: string, name: AlertName, ring: string, severity: Severity, impact: string): AlertDefinition {
  return {
    name,
    severity,
    for: '15m',
    expr: `max by (cluster, namespace) (tempo_ring_members{${ns}, name="${ring}", state="Unhealthy"}) > 0`,
    summary: `Tempo ${ring} ring has unhealthy members.`,
    description: `${value(0)} ${ring} ring member(s) in ${where} have missed their heartbeats for 15 minutes. ${impact}`,
  };
}

/**
 * A tenant's limit by (cluster, namespace, tenant), as Tempo resolves it (getOverridesForUser): its own
 * block, else the block of "*", else the defaults; every tenant of `usage` gets one. 0 means no limit.
 */
function tenantLimit(job: (c: string) => string, component: string, limitName: string, usage: string): string {
  const where = `${job(component)}, limit_name="${limitName}"`;
  const each = (limits: string) => `(0 * ${usage} + on (cluster, namespace) group_left max by (cluster, namespace) (${limits}))`;
  return promql`
    ((
      label_replace(max by (cluster, namespace, user) (tempo_limits_overrides{${where}, user!="*"}), "tenant", "$1", "user", "(.*)")
      or on (cluster, namespace, tenant) ${each(`tempo_limits_overrides{${where}, user="*"}`)}
      or on (cluster, namespace, tenant) ${each(`tempo_limits_defaults{${where}}`)}
    ) > 0)`;
}

/** Who holds live traces (and enforces max_local_traces_per_user): the ingesters; in Tempo 3 the live-stores. */
export const liveTracesHolder = (env: Environment): { component: ComponentName; metric: string } =>
  env.tempo.version === '3.0'
    ? { component: 'live-store', metric: 'tempo_live_store_live_traces' }
    : { component: 'ingester', metric: 'tempo_ingester_live_traces' };

/** A tenant's use of its own limits, percent, labelled with the limit: ingestion rate (shared by the distributors with the global strategy) and live traces on its busiest ingester. */
function tenantNearLimit(env: Environment): string {
  const { job } = selectors(env.namespace);
  const bytes = `rate(tempo_distributor_ingress_bytes_total{${job('distributor')}}[5m])`;
  const rate =
    env.limits.defaults.rateStrategy === 'global'
      ? `sum by (cluster, namespace, tenant) (${bytes})`
      : `max by (cluster, namespace, tenant) (sum by (cluster, namespace, pod, tenant) (${bytes}))`;
  // Live traces are held (and max_local_traces_per_user enforced) by the ingesters, in Tempo 3 by the live-stores.
  const holder =
    env.tempo.version === '3.0'
      ? { component: 'live-store', metric: 'tempo_live_store_live_traces' }
      : { component: 'ingester', metric: 'tempo_ingester_live_traces' };
  const live = `max by (cluster, namespace, tenant) (${holder.metric}{${job(holder.component)}})`;
  const share = (name: string, usage: string, component: string, limitName: string) =>
    `label_replace(100 * ${usage} / on (cluster, namespace, tenant) group_left () ${tenantLimit(job, component, limitName, usage).replace(/\n/g, '\n  ')}, "limit", "${name}", "", "")`;
  return `(\n  ${share('ingestion rate', rate, 'distributor', 'ingestion_rate_limit_bytes')}\n  or\n  ${share('live traces', live, holder.component, 'max_local_traces_per_user')}\n) > ${env.alerts.thresholds.tenantLimitPercent}`;
}

/** Who compacts: the compactor (2.10); the backend-workers, planned by the backend-scheduler that reports the backlog (3.0). */
export function compactionJobs(env: Environment): { outstanding: ComponentName; worker: ComponentName } {
  return env.tempo.version === '3.0' ? { outstanding: 'backend-scheduler', worker: 'backend-worker' } : { outstanding: 'compactor', worker: 'compactor' };
}

export function alertDefinitions(env: Environment): AlertDefinition[] {
  const t = env.alerts.thresholds;
  const compaction = compactionJobs(env);
  const components = runningComponents(env).map((r) => r.component.name);
  const { ns, job } = selectors(env.namespace);
  const ringUnhealthy = (name: AlertName, ring: string, severity: Severity, impact: string) => ringAlert(ns, name, ring, severity, impact);
  const tempoJobs = `job=~"${env.namespace}/(${components.join('|')})"`;
  const stackPods = `${ns}, pod=~"${INSTANCE}-.+"`;
  const claims = volumeClaimsRegex(env);
  // Where a distributor's push ends: the ingesters (2.10), the Kafka write (3.0).
  const writeTarget = env.tempo.version === '3.0' ? 'Kafka' : 'the ingesters';
  const defs: AlertDefinition[] = [
    // --- write path ---------------------------------------------------------------------------------
    {
      name: 'TempoHighIngestionLatency',
      severity: 'warning',
      for: '5m',
      // The distributor's push histogram: receiver traffic is not in tempo_request_duration_seconds.
      expr: promql`
        histogram_quantile(0.99,
          sum by (cluster, namespace, le) (rate(tempo_distributor_push_duration_seconds_bucket{${job('distributor')}}[5m]))
        ) > ${t.ingestionLatencyP99Seconds}`,
      summary: `Tempo distributors are slow to push spans to ${writeTarget}.`,
      description: `p99 latency of distributor pushes to ${writeTarget} in ${where} is ${value(2)}s (threshold ${t.ingestionLatencyP99Seconds}s).`,
    },
    {
      name: 'TempoReceiverRefusingSpans',
      severity: 'warning',
      for: '15m',
      expr: promql`
        100 * sum by (cluster, namespace, receiver, transport) (rate(tempo_receiver_refused_spans{${job('distributor')}}[5m]))
        /
        (
          sum by (cluster, namespace, receiver, transport) (rate(tempo_receiver_accepted_spans{${job('distributor')}}[5m]))
          +
          sum by (cluster, namespace, receiver, transport) (rate(tempo_receiver_refused_spans{${job('distributor')}}[5m]))
        ) > ${t.refusedSpansPercent}`,
      summary: 'Tempo receivers are refusing spans.',
      description: `The {{ $labels.receiver }}/{{ $labels.transport }} receiver in ${where} refuses ${value(1)}% of the spans sent to it (threshold ${t.refusedSpansPercent}%).`,
    },
    {
      name: 'TempoDiscardingSpans',
      severity: 'warning',
      for: '15m',
      expr: promql`
        100 * sum by (cluster, namespace, tenant, reason) (rate(tempo_discarded_spans_total{${ns}}[5m]))
        / on (cluster, namespace, tenant) group_left
        sum by (cluster, namespace, tenant) (rate(tempo_distributor_spans_received_total{${job('distributor')}}[5m]))
        > ${t.discardedSpansPercent}`,
      summary: 'Tempo is discarding spans.',
      description: `Tempo in ${where} discards ${value(1)}% of the spans of tenant {{ $labels.tenant }} for reason {{ $labels.reason }} (threshold ${t.discardedSpansPercent}%).`,
    },
    {
      name: 'TempoTenantNearLimit',
      severity: 'warning',
      for: '15m',
      expr: tenantNearLimit(env),
      summary: 'A tenant is close to one of its own limits.',
      description: `Tenant {{ $labels.tenant }} in ${where} is at ${value(0)}% of its {{ $labels.limit }} limit (threshold ${t.tenantLimitPercent}%); at 100% Tempo refuses its spans.`,
    },
    {
      name: 'TempoProvisioningTooManyWrites',
      severity: 'warning',
      for: '15m',
      expr: promql`
        avg by (cluster, namespace) (
          sum by (cluster, namespace, pod) (rate(tempo_ingester_bytes_received_total{${job('ingester')}}[5m]))
        ) / 2^20 > ${t.ingesterWriteMiBPerSecond}`,
      summary: 'Tempo ingesters receive more data than they are sized for.',
      description: `Each ingester in ${where} receives ${value(1)} MiB/s on average (threshold ${t.ingesterWriteMiBPerSecond} MiB/s); add ingesters.`,
    },
    {
      name: 'TempoIngesterFlushFailures',
      severity: 'critical',
      for: '5m',
      expr: `sum by (cluster, namespace, pod) (increase(tempo_ingester_failed_flushes_total{${job('ingester')}}[5m])) > 0`,
      summary: 'A Tempo ingester keeps failing to flush blocks.',
      description: `Ingester {{ $labels.pod }} in ${where} failed ${value(0)} block flushes in the last 5 minutes and has been failing for 5 minutes.`,
    },
    {
      name: 'TempoIngesterFlushesUnhealthy',
      severity: 'warning',
      for: '5m',
      expr: failuresPerHour('tempo_ingester_failed_flushes_total', job('ingester'), BY_CLUSTER, t.failuresPerHour),
      summary: 'Tempo ingester flushes are failing.',
      description: `${value(0)} ingester flushes failed in ${where} in the last hour (threshold ${t.failuresPerHour}); flushes are retried.`,
    },
    {
      name: 'TempoIngesterFlushesFailing',
      severity: 'critical',
      for: '5m',
      expr: failuresPerHour('tempo_ingester_flush_failed_retries_total', job('ingester'), BY_CLUSTER, t.failuresPerHour),
      summary: 'Tempo ingester flush retries are failing.',
      description: `${value(0)} ingester flush retries failed in ${where} in the last hour (threshold ${t.failuresPerHour}); blocks stay on the ingester disks.`,
    },
    {
      name: 'TempoIngesterReplayErrors',
      severity: 'critical',
      // The counter is created by its first error (it is labelled by tenant), so increase() cannot see
      // that error: a series that did not exist 15 minutes ago counts too.
      expr: promql`
        sum by (cluster, namespace, pod, tenant) (
          increase(tempo_ingester_replay_errors_total{${job('ingester')}}[15m]) > 0
          or
          (tempo_ingester_replay_errors_total{${job('ingester')}} unless tempo_ingester_replay_errors_total{${job('ingester')}} offset 15m)
        ) > 0`,
      summary: 'A Tempo ingester failed to replay its WAL.',
      description: `Ingester {{ $labels.pod }} in ${where} hit errors replaying the WAL of tenant {{ $labels.tenant }} on startup; traces in those blocks may be lost.`,
    },

    // --- read path ----------------------------------------------------------------------------------
    {
      name: 'TempoHighQueryLatency',
      severity: 'warning',
      for: '5m',
      expr: promql`
        histogram_quantile(0.95,
          sum by (cluster, namespace, route, le) (
            ${REQUEST_DURATION}_bucket:sum_rate{${job('query-frontend')}, route=~"api_traces_traceid|api_v2_traces_traceid"}
          )
        ) > ${t.queryLatencyP95Seconds}`,
      summary: 'Tempo trace-by-ID queries are slow.',
      description: `p95 latency of {{ $labels.route }} on the query-frontend in ${where} is ${value(2)}s (threshold ${t.queryLatencyP95Seconds}s).`,
    },
    {
      name: 'TempoRequestErrors',
      severity: 'critical',
      for: '15m',
      expr: promql`
        100 * sum by (cluster, namespace, job, route) (rate(tempo_request_duration_seconds_count{${ns}, status_code=~"5..", route!~"${NOT_USER_REQUESTS}"}[5m]))
        /
        sum by (cluster, namespace, job, route) (rate(tempo_request_duration_seconds_count{${ns}, route!~"${NOT_USER_REQUESTS}"}[5m]))
        > ${t.requestErrorsPercent}`,
      summary: 'Tempo answers requests with errors.',
      description: `{{ $labels.job }} in {{ $labels.cluster }} answers ${value(1)}% of {{ $labels.route }} requests with a 5xx error (threshold ${t.requestErrorsPercent}%).`,
    },

    // --- rings --------------------------------------------------------------------------------------
    ringUnhealthy(
      'TempoDistributorUnhealthy',
      'distributor',
      'warning',
      "Little impact: with the global rate strategy, each distributor's share of the limit is computed from this ring.",
    ),
    ringUnhealthy('TempoIngesterUnhealthy', 'ingester', 'critical', "Writes fail once a quorum of a trace's ingesters is unhealthy."),
    ringUnhealthy('TempoCompactorUnhealthy', 'compactor', 'critical', 'Blocks owned by the unhealthy compactors are not compacted.'),
    ringUnhealthy('TempoMetricsGeneratorUnhealthy', 'metrics-generator', 'critical', 'Span metrics and service graphs of the series they own are lost.'),
    {
      name: 'TempoBadOverrides',
      severity: 'warning',
      for: '15m',
      expr: `count by (cluster, namespace, job) (tempo_runtime_config_last_reload_successful{${ns}} == 0)`,
      summary: 'Tempo cannot load its runtime overrides.',
      description: `${value(0)} pod(s) of {{ $labels.job }} in {{ $labels.cluster }} failed to reload the runtime overrides for 15 minutes; they keep the last good ones.`,
    },

    // --- backend: compaction, polling, tenant index -------------------------------------------------
    {
      name: 'TempoCompactorBehind',
      severity: 'warning',
      for: '30m',
      expr: `sum by (cluster, namespace, tenant) (tempodb_compaction_outstanding_blocks{${job(compaction.outstanding)}}) > ${t.compactorBehindBlocks}`,
      summary: 'Tempo compactors are behind.',
      description: `${value(0)} blocks of tenant {{ $labels.tenant }} in ${where} are waiting for compaction (threshold ${t.compactorBehindBlocks}).`,
    },
    ...(['warning', 'critical'] as const).map(
      (level): AlertDefinition => ({
        name: 'TempoCompactorsTooManyOutstandingBlocks',
        severity: level,
        for: level === 'warning' ? '6h' : '24h',
        expr: promql`
          sum by (cluster, namespace, tenant) (tempodb_compaction_outstanding_blocks{${job('compactor')}})
          / on (cluster, namespace) group_left
          count by (cluster, namespace) (tempo_build_info{${job('compactor')}})
          > ${t.outstandingBlocksPerCompactor[level]}`,
        summary: 'Tempo compactors have too many outstanding blocks.',
        description: `Each compactor in ${where} has ${value(0)} outstanding blocks of tenant {{ $labels.tenant }} (threshold ${t.outstandingBlocksPerCompactor[level]} for ${level === 'warning' ? '6h' : '24h'}); give the compactors more CPU or add compactors.`,
      }),
    ),
    {
      name: 'TempoCompactionsFailing',
      severity: 'critical',
      for: '15m',
      expr: failuresPerHour('tempodb_compaction_errors_total', job(compaction.worker), BY_CLUSTER, t.failuresPerHour),
      summary: 'Tempo compactions are failing.',
      description: `${value(0)} compactions failed in ${where} in the last hour (threshold ${t.failuresPerHour}).`,
    },
    {
      name: 'TempoPollsFailing',
      severity: 'critical',
      for: '15m',
      expr: failuresPerHour('tempodb_blocklist_poll_errors_total', ns, BY_CLUSTER, t.failuresPerHour),
      summary: 'Tempo cannot poll the blocklist.',
      description: `${value(0)} blocklist polls failed in ${where} in the last hour (threshold ${t.failuresPerHour}); queries go stale.`,
    },
    {
      name: 'TempoTenantIndexFailures',
      severity: 'critical',
      for: '15m',
      expr: failuresPerHour('tempodb_blocklist_tenant_index_errors_total', ns, BY_CLUSTER, t.failuresPerHour),
      summary: 'Tempo cannot build or read tenant indexes.',
      description: `${value(0)} tenant index operations failed in ${where} in the last hour (threshold ${t.failuresPerHour}).`,
    },
    {
      name: 'TempoNoTenantIndexBuilders',
      severity: 'critical',
      for: '5m',
      // Every poller reports the gauge (1 on builders, 0 elsewhere): with all compactors gone, the
      // queriers' zeros keep the series alive, so the alert still fires.
      expr: promql`
        sum by (cluster, namespace, tenant) (tempodb_blocklist_tenant_index_builder{${ns}}) == 0
        and on (cluster, namespace, tenant)
        max by (cluster, namespace, tenant) (tempodb_blocklist_length{${ns}}) > 0`,
      summary: 'No Tempo compactor builds the tenant index.',
      description: `Nothing in ${where} builds the tenant index of tenant {{ $labels.tenant }}; it will go stale.`,
    },
    {
      name: 'TempoTenantIndexTooOld',
      severity: 'critical',
      for: '5m',
      expr: `max by (cluster, namespace, tenant) (tempodb_blocklist_tenant_index_age_seconds{${ns}}) > ${t.tenantIndexMaxAgeSeconds}`,
      summary: 'A Tempo tenant index is too old.',
      description: `The tenant index of tenant {{ $labels.tenant }} in ${where} is ${value(0)}s old (threshold ${t.tenantIndexMaxAgeSeconds}s).`,
    },
    {
      name: 'TempoBlockListRisingQuickly',
      severity: 'warning',
      for: '15m',
      // Every compactor reports each tenant's whole blocklist: max per tenant, then sum the tenants.
      expr: promql`
        sum by (cluster, namespace) (max by (cluster, namespace, tenant) (tempodb_blocklist_length{${job(compaction.worker)}}))
        /
        sum by (cluster, namespace) (max by (cluster, namespace, tenant) (tempodb_blocklist_length{${job(compaction.worker)}} offset 7d))
        > ${t.blocklistGrowthRatio7d}`,
      summary: 'The Tempo blocklist is growing quickly.',
      description: `The blocklist in ${where} is ${value(2)} times as long as a week ago (threshold ${t.blocklistGrowthRatio7d}); compaction may not keep up.`,
    },

    // --- metrics-generator --------------------------------------------------------------------------
    {
      name: 'TempoMetricsGeneratorRemoteWriteFailing',
      severity: 'warning',
      for: '15m',
      expr: `sum by (cluster, namespace, pod, tenant, remote_name, url) (rate(prometheus_remote_storage_samples_failed_total{${job('metrics-generator')}}[5m])) > 0`,
      summary: 'The Tempo metrics-generator cannot remote-write.',
      description: `Metrics-generator {{ $labels.pod }} in ${where} fails to send ${value(1)} samples/s of tenant {{ $labels.tenant }} to {{ $labels.url }}; span metrics and service graphs are lost.`,
    },
    {
      name: 'TempoMetricsGeneratorRemoteWriteBehind',
      severity: 'warning',
      for: '15m',
      expr: promql`
        max by (cluster, namespace, pod, tenant, remote_name, url) (prometheus_remote_storage_queue_highest_timestamp_seconds{${job('metrics-generator')}})
        -
        max by (cluster, namespace, pod, tenant, remote_name, url) (prometheus_remote_storage_queue_highest_sent_timestamp_seconds{${job('metrics-generator')}})
        > ${t.remoteWriteBehindSeconds}`,
      summary: 'The Tempo metrics-generator remote-write queue is behind.',
      description: `Metrics-generator {{ $labels.pod }} in ${where} is ${value(0)}s behind sending tenant {{ $labels.tenant }}'s series to {{ $labels.url }} (threshold ${t.remoteWriteBehindSeconds}s).`,
    },

    // --- Kubernetes -------------------------------------------------------------------------------------
    {
      name: 'TempoComponentDown',
      severity: 'critical',
      for: '5m',
      expr: `sum by (cluster, namespace, job) (up{${tempoJobs}}) == 0`,
      summary: 'A Tempo component is down.',
      description: 'No target of {{ $labels.job }} in {{ $labels.cluster }} has answered a scrape for 5 minutes.',
    },
    {
      name: 'TempoTargetDown',
      severity: 'warning',
      for: '15m',
      // A whole component down is TempoComponentDown: one page, not one per pod.
      expr: promql`
        max by (cluster, namespace, job, pod) (up{${tempoJobs}}) == 0
        unless on (cluster, namespace, job)
        sum by (cluster, namespace, job) (up{${tempoJobs}}) == 0`,
      summary: 'A Tempo pod cannot be scraped.',
      description: 'Pod {{ $labels.pod }} of {{ $labels.job }} in {{ $labels.cluster }} has not answered a scrape for 15 minutes.',
    },
    {
      name: 'TempoPodCrashLooping',
      severity: 'warning',
      for: '15m',
      expr: `max by (cluster, namespace, pod, container) (max_over_time(kube_pod_container_status_waiting_reason{${stackPods}, reason="CrashLoopBackOff"}[5m])) >= 1`,
      summary: 'A Tempo container is crash-looping.',
      description: 'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} has been in CrashLoopBackOff for 15 minutes.',
    },
    {
      name: 'TempoContainerOOMKilled',
      severity: 'warning',
      expr: promql`
        max by (cluster, namespace, pod, container) (kube_pod_container_status_last_terminated_reason{${stackPods}, reason="OOMKilled"}) == 1
        and on (cluster, namespace, pod, container)
        sum by (cluster, namespace, pod, container) (increase(kube_pod_container_status_restarts_total{${stackPods}}[15m])) > 0`,
      summary: 'A Tempo container was OOM-killed.',
      description:
        'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} was restarted in the last 15 minutes after running out of memory.',
    },
    ...(['warning', 'critical'] as const).map(
      (level): AlertDefinition => ({
        name: 'TempoVolumeFillingUp',
        severity: level,
        for: level === 'warning' ? '15m' : '5m',
        expr: promql`
          100 * max by (cluster, namespace, persistentvolumeclaim) (kubelet_volume_stats_available_bytes{${ns}, persistentvolumeclaim=~"${claims}"})
          /
          max by (cluster, namespace, persistentvolumeclaim) (kubelet_volume_stats_capacity_bytes{${ns}, persistentvolumeclaim=~"${claims}"})
          < ${t.volumeFreePercent[level]}`,
        summary: 'A Tempo volume is filling up.',
        description: `Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has ${value(1)}% free space left (threshold ${t.volumeFreePercent[level]}%).`,
      }),
    ),
  ];

  if (env.features.memcached) {
    defs.push({
      name: 'TempoLowCacheHitRate',
      severity: 'info',
      for: '15m',
      // Tempo exports no cache hit counters; the memcached exporter does.
      expr: promql`
        100 * sum by (cluster, namespace) (rate(memcached_commands_total{${job('memcached')}, command="get", status="hit"}[5m]))
        /
        sum by (cluster, namespace) (rate(memcached_commands_total{${job('memcached')}, command="get"}[5m]))
        < ${t.cacheHitPercent}`,
      summary: 'The Tempo cache hit rate is low.',
      description: `Only ${value(1)}% of memcached gets in ${where} are hits (threshold ${t.cacheHitPercent}%).`,
    });
  }

  // --- ingestion edge -------------------------------------------------------------------------------
  if (env.features.vulture) {
    defs.push({
      name: 'TempoVultureHighErrorRate',
      severity: 'critical',
      for: '15m',
      // Every check adds 1 to trace_total and, when it fails, 1 to trace_error_total{error=<kind>}.
      expr: promql`
        100 * sum by (cluster, namespace, error) (rate(tempo_vulture_trace_error_total{${job('vulture')}}[5m]))
        / ignoring (error) group_left
        sum by (cluster, namespace) (rate(tempo_vulture_trace_total{${job('vulture')}}[5m]))
        > ${t.vultureErrorPercent}`,
      summary: 'Traces written to Tempo cannot be read back.',
      description: `${value(1)}% of tempo-vulture's checks in ${where} fail with "{{ $labels.error }}" (threshold ${t.vultureErrorPercent}%): traces written to the distributor are missing or wrong when read back through the query-frontend.`,
    });
  }
  if (env.features.collector) {
    const perAgent = (metric: string) => `sum by (cluster, namespace, pod) (rate(${metric}{${job('collector')}}[5m])) > 0`;
    defs.push(
      {
        name: 'TempoCollectorSpansDropped',
        severity: 'critical',
        for: '5m',
        expr: perAgent('otelcol_exporter_enqueue_failed_spans_total'),
        summary: 'A collector agent is dropping spans.',
        description: `Collector {{ $labels.pod }} in ${where} drops ${value(1)} spans/s: its sending queue to the distributor is full.`,
      },
      {
        name: 'TempoCollectorExportFailing',
        severity: 'warning',
        for: '10m',
        expr: perAgent('otelcol_exporter_send_failed_spans_total'),
        summary: 'A collector agent cannot send spans to the distributor.',
        description: `Collector {{ $labels.pod }} in ${where} fails to send ${value(1)} spans/s to the distributor; they wait in its queue and are retried until it fills.`,
      },
      {
        name: 'TempoCollectorRefusingSpans',
        severity: 'warning',
        for: '10m',
        expr: perAgent('otelcol_receiver_refused_spans_total'),
        summary: 'A collector agent refuses spans from applications.',
        description: `Collector {{ $labels.pod }} in ${where} refuses ${value(1)} spans/s (its memory limiter is engaged); applications retry, then drop them.`,
      },
    );
  }
  if (env.sampling.tail.enabled) defs.push(...gatewayAlerts(job));
  defs.push(...zoneAlerts(env));
  if (env.tempo.version === '3.0') defs.push(...tempo3Alerts(env, { job, ns, where, value, promql, ringUnhealthy }));
  return defs;
}

/** The decision timer of tail_sampling ticks every second: a tick that takes longer puts every decision behind. */
export const GATEWAY_TICK_MS = 1000;

/** The tail-sampling gateway: its own drops and how long its decisions take (otelcol-contrib 0.159.0 metric names). */
function gatewayAlerts(job: (c: string) => string): AlertDefinition[] {
  const perPod = (metric: string) => `sum by (cluster, namespace, pod) (rate(${metric}{${job('gateway')}}[5m])) > 0`;
  return [
    {
      name: 'TempoGatewayDroppingTraces',
      severity: 'critical',
      for: '5m',
      expr: perPod('otelcol_processor_tail_sampling_sampling_trace_dropped_too_early_total'),
      summary: 'The tail-sampling gateway drops traces before deciding on them.',
      description: `Gateway {{ $labels.pod }} in ${where} drops ${value(2)} traces/s before their decision: it holds more traces than num_traces (raise sampling.tail.expectedNewTracesPerSecond or components.gateway.replicas).`,
    },
    {
      name: 'TempoGatewaySpansDropped',
      severity: 'critical',
      for: '5m',
      expr: perPod('otelcol_exporter_enqueue_failed_spans_total'),
      summary: 'The tail-sampling gateway drops kept spans.',
      description: `Gateway {{ $labels.pod }} in ${where} drops ${value(1)} spans/s it decided to keep: its sending queue to the distributor is full.`,
    },
    {
      name: 'TempoGatewayDecisionsSlow',
      severity: 'warning',
      for: '15m',
      expr: promql`
        histogram_quantile(0.99, sum by (cluster, namespace, pod, le) (rate(otelcol_processor_tail_sampling_sampling_decision_timer_latency_bucket{${job('gateway')}}[5m])))
        > ${GATEWAY_TICK_MS}`,
      summary: 'The tail-sampling gateway decides too slowly.',
      description: `The p99 decision tick of gateway {{ $labels.pod }} in ${where} takes ${value(0)} ms, longer than its ${GATEWAY_TICK_MS} ms interval: traces wait past decision_wait and pile up in memory.`,
    },
  ];
}

/** The severity an alert carries in this environment. */
export function effectiveSeverity(env: Environment, def: AlertDefinition): Severity {
  const severity = env.alerts.severities[def.name] ?? def.severity;
  return !env.alerts.page && severity === 'critical' ? 'warning' : severity;
}

/**
 * The rules this environment deploys. When the levels of a two-level alert end up with one severity
 * (e.g. `page: false` turns critical into warning), only the first level is kept: two rules with the
 * same name and labels would write the same ALERTS series twice.
 */
export function deployedDefinitions(env: Environment): AlertDefinition[] {
  const seen = new Set<string>();
  return alertDefinitions(env).filter((d) => {
    // Distributors build their ring only for the global rate strategy (modules/distributor/distributor.go):
    // with the local one the series never exists and the alert could never fire.
    if (d.name === 'TempoDistributorUnhealthy' && env.limits.defaults.rateStrategy !== 'global') return false;
    // Alerts on what one Tempo version has only (ingesters, the compactor ring; Kafka ingest).
    if (!(ONLY_IN[d.name]?.includes(env.tempo.version) ?? true)) return false;
    const key = `${d.name}/${effectiveSeverity(env, d)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** GitHub's anchor for a "### <name>" heading. */
export const runbookAnchor = (name: string): string => name.toLowerCase();

/** A promtool rule: a recording rule (`record`) or an alert. */
export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  rules: Rule[];
}

/** The `spec.groups` of the PrometheusRule: what promtool checks. */
export function ruleGroups(env: Environment): RuleGroup[] {
  const defs = deployedDefinitions(env);
  const groups: RuleGroup[] = [{ name: 'tempo_rules', rules: recordingRules(env.namespace).map((r) => ({ ...r })) }];
  for (const [group, names] of Object.entries(ALERT_GROUPS) as Array<[AlertGroup, readonly AlertName[]]>) {
    const rules = names.flatMap((name) =>
      defs
        .filter((d) => d.name === name)
        .map((d) => ({
          alert: d.name,
          expr: d.expr,
          ...(d.for ? { for: d.for } : {}),
          labels: { severity: effectiveSeverity(env, d) },
          annotations: { summary: d.summary, description: d.description, runbook_url: `${env.alerts.runbookUrl}#${runbookAnchor(d.name)}` },
        })),
    );
    if (rules.length) groups.push({ name: group, rules });
  }
  return groups;
}
