// promtool unit tests for one environment's rules: for every alert, a case where it fires (with the
// exact labels and annotations it must carry) and a near miss where it stays quiet. Input series carry
// the labels the ServiceMonitors give them (scrapeLabels), or kube-state-metrics' and the kubelet's.
// Values are derived from the environment's thresholds, so the same cases prove every environment.
import { COMPONENTS, COMPONENT_NAMES, type ComponentName, STATEFUL_TARGETS } from '../components/index';
import type { Environment } from '../environment/index';
import { scrapeLabels } from '../servicemonitors';
import { objectName } from '../stack';
import type { AlertName } from './names';
import {
  GATEWAY_TICK_MS,
  REQUEST_DURATION,
  compactionJobs,
  liveTracesHolder,
  deployedDefinitions,
  effectiveSeverity,
  runbookAnchor,
  type AlertDefinition,
  statefulSetsWithVolumes,
} from './rules';
import { zoneCases } from './zones';

type Labels = Record<string, string>;

export interface InputSeries {
  series: string;
  values: string;
}

export interface ExpectedAlert {
  /** Which rule of the alert fires (the rule's own severity; alerts with two levels have two rules). */
  level?: 'warning' | 'critical';
  labels: Labels;
  /** $value, for descriptions that print it. */
  value?: number;
}

export interface AlertCase {
  /** What the case shows, in a few words. */
  shows: string;
  series: InputSeries[];
  evalTime: string;
  /** Empty: the alert must stay quiet. */
  expect: ExpectedAlert[];
  /** Spans days: samples and rule evaluations are an hour apart (minutes would take promtool minutes). */
  hourly?: boolean;
}

/** Go's prometheus.DefBuckets (distributor push) and dskit's instrument.DefBuckets (HTTP/gRPC server). */
const GO_DEF_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const DSKIT_DEF_BUCKETS = [...GO_DEF_BUCKETS, 25, 50, 100];
const TENANT = 'single-tenant';
/** Every case runs this long (minutes) unless it needs longer. */
const SAMPLES = 40;

const selector = (metric: string, labels: Labels): string =>
  `${metric}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`;
const series = (metric: string, labels: Labels, values: string): InputSeries => ({ series: selector(metric, labels), values });
/** A counter growing by `perMinute` each minute for `minutes` minutes. */
const counter = (perMinute: number, minutes = SAMPLES) => `0+${perMinute}x${minutes}`;
const constant = (value: number, minutes = SAMPLES) => `${value}x${minutes}`;
const pick = (labels: Labels, ...names: string[]): Labels => Object.fromEntries(names.filter((n) => n in labels).map((n) => [n, labels[n]!]));
/** A value comfortably past a percent threshold, still below 100. */
const overPercent = (threshold: number) => Math.min(Math.max(threshold * 2, 1), (threshold + 100) / 2);

/** Pod names as Kubernetes gives them: StatefulSet ordinals, Deployment hashes. */
function podName(component: ComponentName, i: number): string {
  return STATEFUL_TARGETS.includes(component) ? `${objectName(component)}-${i}` : `${objectName(component)}-7d4b9c8f6-${['x2kqp', 'm8tzr', 'q5wvn'][i]}`;
}

/** Histogram bounds with the threshold and twice the threshold added (so a case can sit on either side). */
function bounds(defaults: number[], threshold: number): number[] {
  return [...new Set([...defaults, threshold, threshold * 2])].sort((a, b) => a - b);
}

/** Bucket series of a histogram whose observations all take `at` seconds, one per second. */
function histogram(metric: string, labels: Labels, les: number[], at: number): InputSeries[] {
  return [...les.map(String), '+Inf'].map((le) => series(`${metric}_bucket`, { ...labels, le }, counter(le === '+Inf' || Number(le) >= at ? 60 : 0)));
}

/** What histogram_quantile returns for such a histogram: linear interpolation inside the bucket of `at`. */
function quantile(les: number[], at: number, q: number): number {
  const i = les.findIndex((le) => le >= at);
  const lower = i > 0 ? les[i - 1]! : 0;
  return lower + (les[i]! - lower) * q;
}

/** An alert's cases for this environment, keyed by alert name. */
export function alertCases(env: Environment): Partial<Record<AlertName, { firing: AlertCase; quiet: AlertCase }>> {
  const t = env.alerts.thresholds;
  const target = (component: ComponentName, i = 0) =>
    scrapeLabels(env, COMPONENTS[component], podName(component, i), `10.1.${COMPONENT_NAMES.indexOf(component)}.${10 + i}`);
  const where = (labels: Labels) => pick(labels, 'cluster', 'namespace');
  const ksm = (pod: string, container: string, extra: Labels = {}): Labels => ({
    job: 'kube-state-metrics',
    instance: '10.2.0.5:8080',
    namespace: env.namespace,
    pod,
    container,
    uid: 'd2f7a1c4-5b6e-4c3d-9a8b-7e6f5d4c3b2a',
    ...extra,
  });

  /** Counter cases for "more than N failures an hour, and still failing". */
  const failing = (metric: string, labels: Labels, evalMinutes: number): { firing: AlertCase; quiet: AlertCase } => {
    const n = t.failuresPerHour;
    const step = Math.max(1, Math.ceil((2 * (n + 1)) / 60));
    return {
      firing: {
        shows: `${60 * step} failures in the last hour, still failing`,
        series: [series(metric, labels, counter(step, evalMinutes + 5))],
        evalTime: `${evalMinutes}m`,
        expect: [{ labels: where(labels), value: 60 * step }],
      },
      quiet: {
        shows: `${n} failures (the threshold) half an hour ago, none since`,
        series: [series(metric, labels, `0x30 ${n} ${n}x${evalMinutes - 25}`)],
        evalTime: `${evalMinutes}m`,
        expect: [],
      },
    };
  };

  const ringCase = (ring: string, exporter: ComponentName) => {
    const labels = target(exporter);
    const members = (unhealthy: number): InputSeries[] => [
      series('tempo_ring_members', { ...labels, name: ring, state: 'ACTIVE' }, constant(3 - unhealthy)),
      series('tempo_ring_members', { ...labels, name: ring, state: 'Unhealthy' }, constant(unhealthy)),
    ];
    return {
      firing: { shows: `one ${ring} unhealthy for 20 minutes`, series: members(1), evalTime: '20m', expect: [{ labels: where(labels), value: 1 }] },
      quiet: { shows: 'every member healthy', series: members(0), evalTime: '20m', expect: [] },
    };
  };

  const distributor = target('distributor');
  const ingesters = [target('ingester', 0), target('ingester', 1)];
  const queryFrontend = target('query-frontend');
  const queriers = [target('querier', 0), target('querier', 1)];
  // Who compacts and who holds recent traces, in this environment's Tempo version.
  const compaction = compactionJobs(env);
  const compactors = [target(compaction.worker, 0), target(compaction.worker, 1)];
  const outstanding = target(compaction.outstanding);
  const store: ComponentName = env.tempo.version === '3.0' ? 'live-store' : 'ingester';
  const generator = target('metrics-generator');
  const memcached = target('memcached');
  const tenant = { tenant: TENANT };

  const pushBounds = bounds(GO_DEF_BUCKETS, t.ingestionLatencyP99Seconds);
  const queryBounds = bounds(DSKIT_DEF_BUCKETS, t.queryLatencyP95Seconds);
  const traceById = { method: 'GET', route: 'api_traces_traceid', status_code: '200', ws: 'false' };
  const compactorBlocks = (perCompactor: number, minutes: number): InputSeries[] =>
    compactors.flatMap((c) => [
      series('tempodb_compaction_outstanding_blocks', { ...c, ...tenant }, constant(perCompactor, minutes)),
      series('tempo_build_info', { ...c, branch: 'HEAD', goversion: 'go1.25.7', revision: 'f0f3ed59', version: env.tempo.tag }, constant(1, minutes)),
    ]);
  const claim = `data-${statefulSetsWithVolumes(env)[0]}-0`;
  const capacity = env.components[store].storage.size.value;
  const volume = (freePercent: number): InputSeries[] => {
    const labels = { job: 'kubelet', instance: '10.0.12.34:10250', node: 'ip-10-0-12-34.ec2.internal', namespace: env.namespace, persistentvolumeclaim: claim };
    return [
      series('kubelet_volume_stats_capacity_bytes', labels, constant(capacity)),
      series('kubelet_volume_stats_available_bytes', labels, constant((capacity * freePercent) / 100)),
    ];
  };
  const remoteWrite = { ...generator, ...tenant, remote_name: 'a1b2c3', url: env.metricsGenerator.remoteWriteUrl };
  const start = 1_700_000_000;
  const behind = (seconds: number): InputSeries[] => [
    series('prometheus_remote_storage_queue_highest_timestamp_seconds', remoteWrite, `${start}+60x${SAMPLES}`),
    series('prometheus_remote_storage_queue_highest_sent_timestamp_seconds', remoteWrite, `${start - seconds}+60x${SAMPLES}`),
  ];
  const week = 7 * 24;
  const blocklist = (now: number): InputSeries[] => [series('tempodb_blocklist_length', { ...compactors[0]!, ...tenant }, `1000x${week} ${now}x3`)];

  const cases: Partial<Record<AlertName, { firing: AlertCase; quiet: AlertCase }>> = {
    TempoHighIngestionLatency: {
      firing: {
        shows: `every push takes ${t.ingestionLatencyP99Seconds * 2}s`,
        series: histogram('tempo_distributor_push_duration_seconds', distributor, pushBounds, t.ingestionLatencyP99Seconds * 2),
        evalTime: '10m',
        expect: [{ labels: where(distributor), value: quantile(pushBounds, t.ingestionLatencyP99Seconds * 2, 0.99) }],
      },
      quiet: {
        shows: 'every push takes just under the threshold',
        series: histogram('tempo_distributor_push_duration_seconds', distributor, pushBounds, t.ingestionLatencyP99Seconds),
        evalTime: '10m',
        expect: [],
      },
    },
    TempoReceiverRefusingSpans: (() => {
      const otlp = { ...distributor, receiver: 'otlp/otlp_receiver', transport: 'grpc' };
      const spans = (refused: number) => [
        series('tempo_receiver_accepted_spans', otlp, counter(100 - refused)),
        series('tempo_receiver_refused_spans', otlp, counter(refused)),
      ];
      return {
        firing: {
          shows: `${overPercent(t.refusedSpansPercent)}% refused`,
          series: spans(overPercent(t.refusedSpansPercent)),
          evalTime: '25m',
          expect: [{ labels: pick(otlp, 'cluster', 'namespace', 'receiver', 'transport'), value: overPercent(t.refusedSpansPercent) }],
        },
        quiet: { shows: `${t.refusedSpansPercent / 2}% refused`, series: spans(t.refusedSpansPercent / 2), evalTime: '25m', expect: [] },
      };
    })(),
    TempoDiscardingSpans: (() => {
      const spans = (discarded: number) => [
        series('tempo_distributor_spans_received_total', { ...distributor, ...tenant }, counter(100)),
        series('tempo_discarded_spans_total', { ...distributor, reason: 'rate_limited', ...tenant }, counter(discarded)),
      ];
      return {
        firing: {
          shows: `${overPercent(t.discardedSpansPercent)}% rate-limited`,
          series: spans(overPercent(t.discardedSpansPercent)),
          evalTime: '25m',
          expect: [{ labels: { ...where(distributor), ...tenant, reason: 'rate_limited' }, value: overPercent(t.discardedSpansPercent) }],
        },
        quiet: { shows: `${t.discardedSpansPercent / 2}% rate-limited`, series: spans(t.discardedSpansPercent / 2), evalTime: '25m', expect: [] },
      };
    })(),
    TempoTenantNearLimit: (() => {
      // The three ways a tenant gets a limit: its own block (acme), the block of "*" (gamma), the defaults (beta).
      const limits = (exporter: Labels, limitName: string, blocks: Record<string, number>, defaults: number) => [
        ...Object.entries(blocks).map(([user, v]) => series('tempo_limits_overrides', { ...exporter, limit_name: limitName, user }, constant(v))),
        series('tempo_limits_defaults', { ...exporter, limit_name: limitName }, constant(defaults)),
      ];
      const holder = liveTracesHolder(env);
      const live = target(holder.component, 0);
      const atPercent = (p: number): InputSeries[] => [
        ...limits(live, 'max_local_traces_per_user', { acme: 1000, '*': 4000 }, 10000),
        ...limits(distributor, 'ingestion_rate_limit_bytes', { acme: 6e6 }, 3e6),
        series(holder.metric, { ...live, tenant: 'acme' }, constant(10 * p)),
        series(holder.metric, { ...live, tenant: 'gamma' }, constant(40 * p)),
        series('tempo_distributor_ingress_bytes_total', { ...distributor, tenant: 'beta' }, counter(3e6 * 0.6 * p)),
        series('tempo_distributor_ingress_bytes_total', { ...distributor, tenant: 'acme' }, counter(3e6 * 0.6 * p)),
      ];
      const p = overPercent(t.tenantLimitPercent);
      return {
        firing: {
          shows: `live traces of acme (its block) and gamma ("*"), the rate of beta (the defaults) at ${p}%; acme's rate at half that`,
          series: atPercent(p),
          evalTime: '25m',
          expect: [
            { labels: { ...where(distributor), tenant: 'beta', limit: 'ingestion rate' }, value: p },
            { labels: { ...where(live), tenant: 'acme', limit: 'live traces' }, value: p },
            { labels: { ...where(live), tenant: 'gamma', limit: 'live traces' }, value: p },
          ],
        },
        quiet: {
          shows: `every tenant at ${t.tenantLimitPercent / 2}% of its limits`,
          series: atPercent(t.tenantLimitPercent / 2),
          evalTime: '25m',
          expect: [],
        },
      };
    })(),
    TempoProvisioningTooManyWrites: (() => {
      const writes = (mib: number) =>
        ingesters.map((i) => series('tempo_ingester_bytes_received_total', { ...i, data_type: 'trace', ...tenant }, counter(mib * 2 ** 20 * 60)));
      return {
        firing: {
          shows: `${t.ingesterWriteMiBPerSecond * 2} MiB/s per ingester`,
          series: writes(t.ingesterWriteMiBPerSecond * 2),
          evalTime: '25m',
          expect: [{ labels: where(ingesters[0]!), value: t.ingesterWriteMiBPerSecond * 2 }],
        },
        quiet: { shows: `${t.ingesterWriteMiBPerSecond / 2} MiB/s per ingester`, series: writes(t.ingesterWriteMiBPerSecond / 2), evalTime: '25m', expect: [] },
      };
    })(),
    TempoIngesterFlushFailures: {
      firing: {
        shows: 'a failed flush every minute',
        series: [series('tempo_ingester_failed_flushes_total', ingesters[0]!, counter(1))],
        evalTime: '15m',
        expect: [{ labels: pick(ingesters[0]!, 'cluster', 'namespace', 'pod'), value: 5 }],
      },
      quiet: {
        shows: 'one failed flush ten minutes ago, retried successfully',
        series: [series('tempo_ingester_failed_flushes_total', ingesters[0]!, `0x5 1x${SAMPLES - 6}`)],
        evalTime: '15m',
        expect: [],
      },
    },
    TempoIngesterFlushesUnhealthy: failing('tempo_ingester_failed_flushes_total', ingesters[0]!, 70),
    TempoIngesterFlushesFailing: failing('tempo_ingester_flush_failed_retries_total', ingesters[0]!, 70),
    TempoIngesterReplayErrors: {
      firing: {
        shows: 'an ingester restarted 5 minutes ago with a replay error (a new series)',
        series: [series('tempo_ingester_replay_errors_total', { ...ingesters[0]!, ...tenant }, `_x20 1x10`)],
        evalTime: '25m',
        expect: [{ labels: { ...pick(ingesters[0]!, 'cluster', 'namespace', 'pod'), ...tenant } }],
      },
      quiet: {
        shows: 'a replay error 40 minutes ago, nothing since',
        series: [series('tempo_ingester_replay_errors_total', { ...ingesters[0]!, ...tenant }, constant(1, 45))],
        evalTime: '40m',
        expect: [],
      },
    },
    TempoHighQueryLatency: {
      firing: {
        shows: `every trace-by-ID request takes ${t.queryLatencyP95Seconds * 2}s`,
        series: histogram('tempo_request_duration_seconds', { ...queryFrontend, ...traceById }, queryBounds, t.queryLatencyP95Seconds * 2),
        evalTime: '10m',
        expect: [{ labels: { ...where(queryFrontend), route: traceById.route }, value: quantile(queryBounds, t.queryLatencyP95Seconds * 2, 0.95) }],
      },
      quiet: {
        shows: 'every trace-by-ID request takes just under the threshold',
        series: histogram('tempo_request_duration_seconds', { ...queryFrontend, ...traceById }, queryBounds, t.queryLatencyP95Seconds),
        evalTime: '10m',
        expect: [],
      },
    },
    TempoRequestErrors: (() => {
      const search = { ...queryFrontend, method: 'GET', route: 'api_search', ws: 'false' };
      const requests = (errors: number) => [
        series('tempo_request_duration_seconds_count', { ...search, status_code: '200' }, counter(100 - errors)),
        series('tempo_request_duration_seconds_count', { ...search, status_code: '500' }, counter(errors)),
      ];
      return {
        firing: {
          shows: `${overPercent(t.requestErrorsPercent)}% of searches fail`,
          series: requests(overPercent(t.requestErrorsPercent)),
          evalTime: '25m',
          expect: [{ labels: pick(search, 'cluster', 'namespace', 'job', 'route'), value: overPercent(t.requestErrorsPercent) }],
        },
        quiet: {
          // /ready answers 503 until a pod is ready (seen on the loopback e2e): a probe, not a user's request.
          shows: `${t.requestErrorsPercent / 2}% of searches fail, and /ready answers 503 (a pod starting)`,
          series: [
            ...requests(t.requestErrorsPercent / 2),
            series('tempo_request_duration_seconds_count', { ...search, route: 'ready', status_code: '503' }, counter(100)),
          ],
          evalTime: '25m',
          expect: [],
        },
      };
    })(),
    TempoLowCacheHitRate: (() => {
      const gets = (hitPercent: number) => [
        series('memcached_commands_total', { ...memcached, command: 'get', status: 'hit' }, counter(hitPercent)),
        series('memcached_commands_total', { ...memcached, command: 'get', status: 'miss' }, counter(100 - hitPercent)),
        series('memcached_commands_total', { ...memcached, command: 'set', status: 'hit' }, counter(100)),
      ];
      return {
        firing: {
          shows: `${t.cacheHitPercent / 2}% hits`,
          series: gets(t.cacheHitPercent / 2),
          evalTime: '25m',
          expect: [{ labels: where(memcached), value: t.cacheHitPercent / 2 }],
        },
        quiet: { shows: `${(t.cacheHitPercent + 100) / 2}% hits`, series: gets((t.cacheHitPercent + 100) / 2), evalTime: '25m', expect: [] },
      };
    })(),
    TempoDistributorUnhealthy: ringCase('distributor', 'distributor'),
    TempoIngesterUnhealthy: ringCase('ingester', 'querier'),
    TempoCompactorUnhealthy: ringCase('compactor', 'compactor'),
    TempoMetricsGeneratorUnhealthy: ringCase('metrics-generator', 'distributor'),
    TempoBadOverrides: (() => {
      const reloads = (ok: [number, number]) =>
        queriers.map((q, i) => series('tempo_runtime_config_last_reload_successful', { ...q, config: 'overrides' }, constant(ok[i]!)));
      return {
        firing: {
          shows: 'one querier cannot reload',
          series: reloads([0, 1]),
          evalTime: '20m',
          expect: [{ labels: pick(queriers[0]!, 'cluster', 'namespace', 'job'), value: 1 }],
        },
        quiet: { shows: 'every querier reloaded', series: reloads([1, 1]), evalTime: '20m', expect: [] },
      };
    })(),
    TempoCompactorBehind: {
      firing: {
        shows: `${t.compactorBehindBlocks * 2 + 1} outstanding blocks for 40 minutes`,
        series: [series('tempodb_compaction_outstanding_blocks', { ...outstanding, ...tenant }, constant(t.compactorBehindBlocks * 2 + 1, 45))],
        evalTime: '40m',
        expect: [{ labels: { ...where(outstanding), ...tenant }, value: t.compactorBehindBlocks * 2 + 1 }],
      },
      quiet: {
        shows: 'exactly the threshold',
        series: [series('tempodb_compaction_outstanding_blocks', { ...outstanding, ...tenant }, constant(t.compactorBehindBlocks, 45))],
        evalTime: '40m',
        expect: [],
      },
    },
    TempoCompactorsTooManyOutstandingBlocks: (() => {
      const over = t.outstandingBlocksPerCompactor.critical + 1;
      const labels = { ...where(compactors[0]!), ...tenant };
      return {
        firing: {
          shows: `${over} blocks per compactor for 25 hours: warning and critical`,
          series: compactorBlocks(over, 26),
          evalTime: '25h',
          hourly: true,
          expect: [
            { level: 'warning', labels, value: over },
            { level: 'critical', labels, value: over },
          ],
        },
        quiet: {
          shows: 'exactly the warning level per compactor for 25 hours',
          series: compactorBlocks(t.outstandingBlocksPerCompactor.warning, 26),
          evalTime: '25h',
          hourly: true,
          expect: [],
        },
      };
    })(),
    TempoCompactionsFailing: failing('tempodb_compaction_errors_total', compactors[0]!, 80),
    TempoPollsFailing: failing('tempodb_blocklist_poll_errors_total', { ...queriers[0]!, ...tenant }, 80),
    TempoTenantIndexFailures: failing('tempodb_blocklist_tenant_index_errors_total', { ...compactors[0]!, ...tenant }, 80),
    TempoNoTenantIndexBuilders: (() => {
      const index = (compactorBuilds: boolean) => [
        series('tempodb_blocklist_tenant_index_builder', { ...queriers[0]!, ...tenant }, constant(0)),
        series('tempodb_blocklist_length', { ...queriers[0]!, ...tenant }, constant(50)),
        ...(compactorBuilds ? [series('tempodb_blocklist_tenant_index_builder', { ...compactors[0]!, ...tenant }, constant(1))] : []),
      ];
      return {
        firing: {
          shows: 'the compactors are gone; the queriers report no builder',
          series: index(false),
          evalTime: '10m',
          expect: [{ labels: { ...where(queriers[0]!), ...tenant } }],
        },
        quiet: { shows: 'a compactor builds the index', series: index(true), evalTime: '10m', expect: [] },
      };
    })(),
    TempoTenantIndexTooOld: {
      firing: {
        shows: `an index ${t.tenantIndexMaxAgeSeconds * 2}s old`,
        series: [series('tempodb_blocklist_tenant_index_age_seconds', { ...queriers[0]!, ...tenant }, constant(t.tenantIndexMaxAgeSeconds * 2))],
        evalTime: '10m',
        expect: [{ labels: { ...where(queriers[0]!), ...tenant }, value: t.tenantIndexMaxAgeSeconds * 2 }],
      },
      quiet: {
        shows: 'an index exactly at the limit',
        series: [series('tempodb_blocklist_tenant_index_age_seconds', { ...queriers[0]!, ...tenant }, constant(t.tenantIndexMaxAgeSeconds))],
        evalTime: '10m',
        expect: [],
      },
    },
    TempoBlockListRisingQuickly: (() => {
      const grown = Math.ceil(1000 * (t.blocklistGrowthRatio7d + 0.2));
      return {
        firing: {
          shows: `the blocklist grew from 1000 to ${grown} blocks in a week`,
          series: blocklist(grown),
          evalTime: `${week + 2}h`,
          expect: [{ labels: where(compactors[0]!), value: grown / 1000 }],
          hourly: true,
        },
        quiet: { shows: 'the blocklist is as long as a week ago', series: blocklist(1000), evalTime: `${week + 2}h`, expect: [], hourly: true },
      };
    })(),
    TempoMetricsGeneratorRemoteWriteFailing: {
      firing: {
        shows: '10 samples/s fail',
        series: [
          series('prometheus_remote_storage_samples_failed_total', remoteWrite, counter(600)),
          series('prometheus_remote_storage_samples_total', remoteWrite, counter(6000)),
        ],
        evalTime: '25m',
        expect: [{ labels: pick(remoteWrite, 'cluster', 'namespace', 'pod', 'tenant', 'remote_name', 'url'), value: 10 }],
      },
      quiet: {
        shows: 'every sample is sent',
        series: [
          series('prometheus_remote_storage_samples_failed_total', remoteWrite, counter(0)),
          series('prometheus_remote_storage_samples_total', remoteWrite, counter(6000)),
        ],
        evalTime: '25m',
        expect: [],
      },
    },
    TempoMetricsGeneratorRemoteWriteBehind: {
      firing: {
        shows: `the queue ${t.remoteWriteBehindSeconds + 60}s behind`,
        series: behind(t.remoteWriteBehindSeconds + 60),
        evalTime: '25m',
        expect: [{ labels: pick(remoteWrite, 'cluster', 'namespace', 'pod', 'tenant', 'remote_name', 'url'), value: t.remoteWriteBehindSeconds + 60 }],
      },
      quiet: { shows: 'the queue exactly at the limit', series: behind(t.remoteWriteBehindSeconds), evalTime: '25m', expect: [] },
    },
    TempoComponentDown: {
      firing: {
        shows: `the only ${compaction.worker} is down`,
        series: [series('up', compactors[0]!, constant(0))],
        evalTime: '10m',
        expect: [{ labels: pick(compactors[0]!, 'cluster', 'namespace', 'job') }],
      },
      quiet: {
        shows: 'one of two queriers is down',
        series: queriers.map((q, i) => series('up', q, constant(i))),
        evalTime: '10m',
        expect: [],
      },
    },
    TempoTargetDown: {
      firing: {
        shows: 'one of two queriers is down',
        series: queriers.map((q, i) => series('up', q, constant(i))),
        evalTime: '20m',
        expect: [{ labels: pick(queriers[0]!, 'cluster', 'namespace', 'job', 'pod') }],
      },
      quiet: {
        shows: `the whole ${compaction.worker} is down (TempoComponentDown fires instead)`,
        series: [series('up', compactors[0]!, constant(0))],
        evalTime: '20m',
        expect: [],
      },
    },
    TempoPodCrashLooping: (() => {
      const pod = podName(store, 0);
      return {
        firing: {
          shows: `${store === 'ingester' ? 'an' : 'a'} ${store} in CrashLoopBackOff for 25 minutes`,
          series: [series('kube_pod_container_status_waiting_reason', ksm(pod, store, { reason: 'CrashLoopBackOff' }), constant(1))],
          evalTime: '25m',
          expect: [{ labels: { namespace: env.namespace, pod, container: store } }],
        },
        quiet: {
          shows: `${store === 'ingester' ? 'an' : 'a'} ${store} still creating its container`,
          series: [series('kube_pod_container_status_waiting_reason', ksm(pod, store, { reason: 'ContainerCreating' }), constant(1))],
          evalTime: '25m',
          expect: [],
        },
      };
    })(),
    TempoContainerOOMKilled: (() => {
      const pod = podName('querier', 0);
      return {
        firing: {
          shows: 'a querier restarted after an OOM kill 5 minutes ago',
          series: [
            series('kube_pod_container_status_restarts_total', ksm(pod, 'querier'), `0x10 1x10`),
            series('kube_pod_container_status_last_terminated_reason', ksm(pod, 'querier', { reason: 'OOMKilled' }), `_x10 1x10`),
          ],
          evalTime: '15m',
          expect: [{ labels: { namespace: env.namespace, pod, container: 'querier' } }],
        },
        quiet: {
          shows: 'the last OOM kill was 40 minutes ago',
          series: [
            series('kube_pod_container_status_restarts_total', ksm(pod, 'querier'), constant(1, 45)),
            series('kube_pod_container_status_last_terminated_reason', ksm(pod, 'querier', { reason: 'OOMKilled' }), constant(1, 45)),
          ],
          evalTime: '40m',
          expect: [],
        },
      };
    })(),
    TempoVolumeFillingUp: (() => {
      const free = t.volumeFreePercent.critical / 2;
      const labels = { namespace: env.namespace, persistentvolumeclaim: claim };
      return {
        firing: {
          shows: `${free}% free: warning and critical`,
          series: volume(free),
          evalTime: '20m',
          expect: [
            { level: 'warning', labels, value: free },
            { level: 'critical', labels, value: free },
          ],
        },
        quiet: {
          shows: `${(t.volumeFreePercent.warning + 100) / 2}% free`,
          series: volume((t.volumeFreePercent.warning + 100) / 2),
          evalTime: '20m',
          expect: [],
        },
      };
    })(),
    ...edgeCases(env),
  };
  if (env.tempo.version === '3.0') Object.assign(cases, tempo3Cases(env, target));
  return cases;
}

/** Cases of Tempo 3's own alerts (rules-3.ts), on series labelled as the ServiceMonitors label them. */
function tempo3Cases(env: Environment, target: (c: ComponentName, i?: number) => Labels): Partial<Record<AlertName, { firing: AlertCase; quiet: AlertCase }>> {
  const t = env.alerts.thresholds;
  const where = (labels: Labels) => pick(labels, 'cluster', 'namespace');
  const distributor = target('distributor');
  const scheduler = target('backend-scheduler');
  const worker = target('backend-worker');
  const lagCase = (component: ComponentName, group: string, threshold: number) => {
    const labels = { ...target(component), group, partition: '0' };
    const lagging = (seconds: number) => [series('tempo_ingest_group_partition_lag_seconds', labels, constant(seconds))];
    return {
      firing: {
        shows: `partition 0 ${threshold * 2}s behind for 25 minutes`,
        series: lagging(threshold * 2),
        evalTime: '25m',
        expect: [{ labels: { ...where(labels), group, partition: '0' }, value: threshold * 2 }],
      },
      quiet: { shows: 'exactly at the threshold', series: lagging(threshold), evalTime: '25m', expect: [] },
    };
  };
  const partitions = (notActive: number) => [
    series('tempo_partition_ring_partitions', { ...distributor, name: 'livestore-partitions', state: 'Active' }, constant(2)),
    series('tempo_partition_ring_partitions', { ...distributor, name: 'livestore-partitions', state: 'Inactive' }, constant(notActive)),
  ];
  const jobs = (failedPerMinute: number) => [
    series('tempo_backend_scheduler_jobs_created_total', { ...scheduler, tenant: TENANT, job_type: 'JOB_TYPE_COMPACTION' }, counter(10, 90)),
    series('tempo_backend_scheduler_jobs_failed_total', { ...scheduler, tenant: TENANT, job_type: 'JOB_TYPE_COMPACTION' }, counter(failedPerMinute, 90)),
  ];
  const retries = (perMinute: number) => [
    series(
      'tempo_backend_scheduler_jobs_retry_total',
      { ...scheduler, tenant: TENANT, job_type: 'JOB_TYPE_COMPACTION', worker_id: 'tempo-stack-backend-worker-0' },
      counter(perMinute),
    ),
  ];
  const ring = target('querier');
  const members = (unhealthy: number) => [
    series('tempo_ring_members', { ...ring, name: 'live-store', state: 'ACTIVE' }, constant(2 - unhealthy)),
    series('tempo_ring_members', { ...ring, name: 'live-store', state: 'Unhealthy' }, constant(unhealthy)),
  ];
  const failedShare = (2 * t.backendJobFailurePercent) / 100;
  return {
    TempoLiveStoreUnhealthy: {
      firing: { shows: 'one live-store unhealthy for 20 minutes', series: members(1), evalTime: '20m', expect: [{ labels: where(ring), value: 1 }] },
      quiet: { shows: 'every live-store healthy', series: members(0), evalTime: '20m', expect: [] },
    },
    TempoPartitionsNotActive: {
      firing: {
        shows: 'one partition Inactive for 20 minutes',
        series: partitions(1),
        evalTime: '20m',
        expect: [{ labels: { ...where(distributor), state: 'Inactive' }, value: 1 }],
      },
      quiet: { shows: 'every partition Active', series: partitions(0), evalTime: '20m', expect: [] },
    },
    TempoLiveStorePartitionLag: lagCase('live-store', `${objectName('live-store')}-zone-a`, t.partitionLagSeconds.liveStore),
    TempoBlockBuilderPartitionLag: lagCase('block-builder', 'block-builder', t.partitionLagSeconds.blockBuilder),
    TempoMetricsGeneratorPartitionLag: lagCase('metrics-generator', 'metrics-generator', t.partitionLagSeconds.metricsGenerator),
    TempoBackendSchedulerJobsFailing: {
      firing: {
        shows: `${2 * t.backendJobFailurePercent}% of the compaction jobs fail`,
        series: jobs(10 * failedShare),
        evalTime: '80m',
        expect: [{ labels: { ...where(scheduler), job_type: 'JOB_TYPE_COMPACTION' }, value: 2 * t.backendJobFailurePercent }],
      },
      quiet: { shows: 'no job fails', series: jobs(0), evalTime: '80m', expect: [] },
    },
    TempoBackendSchedulerJobRetries: {
      firing: {
        shows: `${2 * t.backendJobRetriesPerMinute} retries a minute`,
        series: retries(2 * t.backendJobRetriesPerMinute),
        evalTime: '25m',
        expect: [{ labels: { ...where(scheduler), job_type: 'JOB_TYPE_COMPACTION' }, value: 2 * t.backendJobRetriesPerMinute }],
      },
      quiet: { shows: `${t.backendJobRetriesPerMinute / 2} retries a minute`, series: retries(t.backendJobRetriesPerMinute / 2), evalTime: '25m', expect: [] },
    },
    TempoBackendWorkerBadJobs: {
      firing: {
        shows: 'a worker received a bad job 5 minutes ago (a new series)',
        series: [series('tempo_backend_worker_bad_jobs_received_total', { ...worker, status: 'unknown_job_type' }, '_x20 1x10')],
        evalTime: '30m',
        expect: [{ labels: { ...where(worker), status: 'unknown_job_type' } }],
      },
      quiet: {
        shows: 'one bad job an hour ago, none since',
        series: [series('tempo_backend_worker_bad_jobs_received_total', { ...worker, status: 'unknown_job_type' }, constant(1, 45))],
        evalTime: '40m',
        expect: [],
      },
    },
  };
}

/** tempo-vulture and collector agent cases, on the series their ServiceMonitors produce. */
function edgeCases(env: Environment): Partial<Record<AlertName, { firing: AlertCase; quiet: AlertCase }>> {
  const t = env.alerts.thresholds;
  const vulture = scrapeLabels(env, COMPONENTS.vulture, `${objectName('vulture')}-6d8f7b9c5-k2x7q`, '10.1.9.10');
  const agent = scrapeLabels(env, COMPONENTS.collector, `${objectName('collector')}-8xk2p`, '10.1.9.20');
  const checks = (failingPerHundred: number): InputSeries[] => [
    series('tempo_vulture_trace_total', vulture, counter(100)),
    series('tempo_vulture_trace_error_total', { ...vulture, error: 'notfound_byid' }, counter(failingPerHundred)),
    series('tempo_vulture_trace_error_total', { ...vulture, error: 'notfound_search' }, counter(0)),
  ];
  const agentCases = (metric: string, extra: Labels) => ({
    firing: {
      shows: 'one span a second for 25 minutes',
      series: [series(metric, { ...agent, ...extra }, counter(60))],
      evalTime: '25m',
      expect: [{ labels: pick(agent, 'cluster', 'namespace', 'pod'), value: 1 }],
    },
    quiet: { shows: 'the counter stands still', series: [series(metric, { ...agent, ...extra }, constant(120))], evalTime: '25m', expect: [] },
  });
  const exporter = { exporter: 'otlp_grpc' };
  return {
    TempoVultureHighErrorRate: {
      firing: {
        shows: `${2 * t.vultureErrorPercent}% of trace-by-id checks fail`,
        series: checks(2 * t.vultureErrorPercent),
        evalTime: '25m',
        expect: [{ labels: { ...pick(vulture, 'cluster', 'namespace'), error: 'notfound_byid' }, value: 2 * t.vultureErrorPercent }],
      },
      quiet: { shows: `${t.vultureErrorPercent / 2}% fail`, series: checks(t.vultureErrorPercent / 2), evalTime: '25m', expect: [] },
    },
    TempoCollectorSpansDropped: agentCases('otelcol_exporter_enqueue_failed_spans_total', exporter),
    TempoCollectorExportFailing: agentCases('otelcol_exporter_send_failed_spans_total', exporter),
    TempoCollectorRefusingSpans: agentCases('otelcol_receiver_refused_spans_total', { receiver: 'otlp', transport: 'grpc' }),
    ...gatewayCases(env),
    ...zoneCases(env),
  };
}

/** The tail-sampling gateway's cases, on the series its ServiceMonitor produces. */
function gatewayCases(env: Environment): Partial<Record<AlertName, { firing: AlertCase; quiet: AlertCase }>> {
  const gw = scrapeLabels(env, COMPONENTS.gateway, `${objectName('gateway')}-7c9d8f6b5-p4m2x`, '10.1.9.30');
  const labels = pick(gw, 'cluster', 'namespace', 'pod');
  const perPod = (metric: string, extra: Labels, perMinute: number) => ({
    firing: {
      shows: `${perMinute} a minute for 25 minutes`,
      series: [series(metric, { ...gw, ...extra }, counter(perMinute))],
      evalTime: '25m',
      expect: [{ labels, value: perMinute / 60 }],
    },
    quiet: { shows: 'the counter stands still', series: [series(metric, { ...gw, ...extra }, constant(120))], evalTime: '25m', expect: [] },
  });
  const les = bounds([5, 10, 25, 50, 100, 250, 500], GATEWAY_TICK_MS);
  const ticks = (ms: number) => histogram('otelcol_processor_tail_sampling_sampling_decision_timer_latency', { ...gw, worker: '0' }, les, ms);
  return {
    TempoGatewayDroppingTraces: perPod('otelcol_processor_tail_sampling_sampling_trace_dropped_too_early_total', { worker: '0' }, 6),
    TempoGatewaySpansDropped: perPod('otelcol_exporter_enqueue_failed_spans_total', { exporter: 'otlp_grpc' }, 60),
    TempoGatewayDecisionsSlow: {
      firing: {
        shows: `every tick takes ${1.5 * GATEWAY_TICK_MS} ms`,
        series: ticks(1.5 * GATEWAY_TICK_MS),
        evalTime: '25m',
        expect: [{ labels, value: quantile(les, 1.5 * GATEWAY_TICK_MS, 0.99) }],
      },
      quiet: { shows: 'every tick takes 40 ms', series: ticks(40), evalTime: '25m', expect: [] },
    },
  };
}

/** Renders the two template forms the rules use, as Prometheus would. */
export function renderTemplate(template: string, labels: Labels, value?: number): string {
  return template.replace(/\{\{(.*?)\}\}/g, (whole, inner: string) => {
    const label = /^ \$labels\.([A-Za-z_][A-Za-z0-9_]*) $/.exec(inner);
    if (label) {
      const v = labels[label[1]!];
      if (v === undefined) throw new Error(`template ${whole} names a label the alert does not have (Prometheus would print "<no value>")`);
      return v;
    }
    const printf = /^ printf "%\.(\d)f" \$value $/.exec(inner);
    if (printf) {
      if (value === undefined) throw new Error(`template ${whole} needs the case's expected value`);
      return value.toFixed(Number(printf[1]));
    }
    throw new Error(`template ${whole} is not one of {{ $labels.<name> }} or {{ printf "%.<n>f" $value }}`);
  });
}

function expectedAlert(env: Environment, def: AlertDefinition, e: ExpectedAlert) {
  const labels = { ...e.labels, severity: effectiveSeverity(env, def) };
  return {
    exp_labels: Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))),
    exp_annotations: {
      summary: def.summary,
      description: renderTemplate(def.description, e.labels, e.value),
      runbook_url: `${env.alerts.runbookUrl}#${runbookAnchor(def.name)}`,
    },
  };
}

/**
 * The promtool test files: cases on a one-minute grid, and the few spanning days on an hourly grid (a
 * file has one evaluation interval). rule_files is the PrometheusRule's spec, extracted next to them.
 */
export function unitTestFiles(env: Environment, ruleFile: string): { minutely: Record<string, unknown>; hourly: Record<string, unknown> } {
  const defs = deployedDefinitions(env);
  const cases = alertCases(env);
  const tests = { minutely: [recordingRuleTest(env)], hourly: [] as Array<Record<string, unknown>> };
  for (const name of [...new Set(defs.map((d) => d.name))]) {
    const pair = cases[name];
    if (!pair) throw new Error(`alert ${name} has no promtool cases in generators/alerts/unit-tests.ts`);
    for (const [kind, c] of [
      ['fires', pair.firing],
      ['stays quiet', pair.quiet],
    ] as const) {
      if ((kind === 'fires') !== c.expect.length > 0) throw new Error(`${name}: the ${kind} case expects ${c.expect.length} alerts`);
      (c.hourly ? tests.hourly : tests.minutely).push({
        name: `${name} ${kind}: ${c.shows}`,
        interval: c.hourly ? '1h' : '1m',
        input_series: c.series,
        alert_rule_test: [
          {
            eval_time: c.evalTime,
            alertname: name,
            // A level this environment does not deploy (see deployedDefinitions) is not expected.
            exp_alerts: c.expect.flatMap((e) => {
              const def = defs.find((d) => d.name === name && (e.level === undefined || d.severity === e.level));
              return def ? [expectedAlert(env, def, e)] : [];
            }),
          },
        ],
      });
    }
  }
  return {
    minutely: { rule_files: [ruleFile], evaluation_interval: '1m', tests: tests.minutely },
    hourly: { rule_files: [ruleFile], evaluation_interval: '1h', tests: tests.hourly },
  };
}

/** The request-duration quantile the dashboards and TempoHighQueryLatency read. */
function recordingRuleTest(env: Environment): Record<string, unknown> {
  const frontend = scrapeLabels(env, COMPONENTS['query-frontend'], podName('query-frontend', 0), '10.1.2.10');
  const route = { method: 'GET', route: 'api_search', status_code: '200', ws: 'false' };
  const at = 0.3;
  return {
    name: `${REQUEST_DURATION}:99quantile aggregates by cluster, namespace, job and route`,
    interval: '1m',
    input_series: histogram('tempo_request_duration_seconds', { ...frontend, ...route }, DSKIT_DEF_BUCKETS, at),
    promql_expr_test: [
      {
        expr: `${REQUEST_DURATION}:99quantile`,
        eval_time: '10m',
        exp_samples: [
          {
            labels: selector(`${REQUEST_DURATION}:99quantile`, { ...pick(frontend, 'cluster', 'namespace', 'job'), route: route.route }),
            value: quantile(DSKIT_DEF_BUCKETS, at, 0.99),
          },
        ],
      },
    ],
  };
}
