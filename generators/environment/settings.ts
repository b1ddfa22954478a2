// The environment's own settings (everything but the components, which declare theirs in
// generators/components/): each field with its description and its default. The defaults are the
// production figures of the design, so an environment file lists only what differs.
import Type, { type Static, type TSchema } from 'typebox';
import { bool, duration, int, list, map, num, object, oneOf, PATTERNS, percent, positive, str } from './fields';
import { kafka, partitionLagSeconds } from './kafka';
import type { Beside, DualRun } from './migration';
import { sampling } from './sampling';
import { GENERATOR_PROCESSORS, dedicatedColumnList, limits, processorList } from './tenant-settings';
import { tls } from './tls';
import { NAMESPACE } from '../stack';

import { TEMPO_VERSIONS } from './tempo-versions';

export { TEMPO_RELEASES, TEMPO_VERSION, TEMPO_VERSIONS, type TempoVersion } from './tempo-versions';

// Commercial AWS regions plus GovCloud and China, as of 2026.
export const AWS_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'cn-north-1',
  'cn-northwest-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-gov-east-1',
  'us-gov-west-1',
  'us-west-1',
  'us-west-2',
];

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

const namespaces = (description: string, fallback: string[]) => list(str('Namespace name', PATTERNS.dnsLabel), description, fallback, true);

export const settings = {
  cluster: object(
    {
      name: str('EKS cluster name (also the `cluster` external label)', PATTERNS.clusterName),
      kubernetesVersion: str('Kubernetes minor version of the cluster, e.g. "1.32"', PATTERNS.kubernetesVersion, '1.32'),
      // The nodes' topology.kubernetes.io/zone values: zone-aware ingesters get one StatefulSet pinned to each.
      zones: list(
        str('Availability zone name', PATTERNS.availabilityZone),
        "Availability zones of the cluster's nodes, e.g. [us-east-1a, us-east-1b, us-east-1c] (required by zone-aware ingesters, components.ingester.zoneAware)",
        [],
        true,
      ),
      server: str('Argo CD destination server URL of the cluster (each environment needs its own)', PATTERNS.httpsUrl, 'https://kubernetes.default.svc'),
      oidcIssuer: str(
        'OIDC issuer of the EKS cluster, as `aws eks describe-cluster --query cluster.identity.oidc.issuer` prints it; IRSA roles trust it',
        PATTERNS.oidcIssuer,
      ),
    },
    'Target cluster',
  ),
  // Objects keep their names (tempo-stack-<component>) in any namespace: a dual run puts its Tempo 3
  // stack in another namespace of the same cluster (README "Migrating to Tempo 3").
  namespace: str('Kubernetes namespace the stack runs in', PATTERNS.dnsLabel, NAMESPACE),
  argocd: object(
    {
      // The repository Argo CD reads (set it once here for every environment) and the revision it syncs.
      repoURL: str(
        'Git repository Argo CD reads this overlay from (the AppProject allows exactly these)',
        PATTERNS.gitUrl,
        'https://github.com/gaming-platform/tempo-gitops.git',
      ),
      targetRevision: str('Branch, tag or commit Argo CD syncs', PATTERNS.gitRevision, 'main'),
    },
    'Argo CD source of this environment',
  ),
  aws: object(
    {
      region: oneOf(AWS_REGIONS, 'AWS region of the cluster and the bucket'),
      accountId: str('12-digit AWS account id', PATTERNS.accountId),
    },
    'AWS account',
  ),
  s3: object(
    {
      bucket: str('S3 bucket for trace blocks', PATTERNS.s3Bucket),
      prefix: str('Key prefix inside the bucket (no leading or trailing slash)', PATTERNS.s3Prefix, 'traces'),
      credentials: oneOf(
        ['externalSecrets', 'irsa'],
        'externalSecrets: static keys from AWS Secrets Manager; irsa: IAM role for the service account',
        'externalSecrets',
      ),
      sse: oneOf(['SSE-S3', 'SSE-KMS'], 'Server-side encryption Tempo requests on writes', 'SSE-S3'),
      kmsKeyId: str('KMS key id or key ARN (SSE-KMS only)', PATTERNS.kmsKey, ''),
      lifecycle: object(
        {
          // Unset: the longest retention of any tenant plus a day for compacted blocks and S3's once-a-day
          // lifecycle run (15 days with the 14-day default); aws/documents.ts refuses a shorter one.
          expirationDays: Type.Optional(
            int(
              'Objects under the prefix expire after this many days: a backstop for blocks the compactor missed; unset: the longest tenant retention plus a day',
              1,
            ),
          ),
          noncurrentVersionDays: int('Versions Tempo deleted (the bucket is versioned) are removed after this many days', 1, 1),
          abortIncompleteUploadDays: int('Multipart uploads left incomplete (a crashed flush) are aborted after this many days', 1, 1),
        },
        'Bucket lifecycle rules (written to overlays/<env>/aws/lifecycle.json)',
      ),
    },
    'Trace storage',
  ),
  retention: duration('Block retention, a Go duration (336h = 14 days)', '336h'),
  tempo: object(
    {
      // 2.10: distributor, ingester, compactor ...; 3.0: Kafka ingest with live-stores, block-builders,
      // backend-scheduler and -workers (README "Tempo 3"). Each version pins its release (TEMPO_RELEASES).
      version: oneOf([...TEMPO_VERSIONS], 'Tempo version this environment runs: 2.10 (ingesters) or 3.0 (Kafka ingest; pins 3.0.3)', '2.10'),
      image: str('Tempo image repository', PATTERNS.imageRepository, 'grafana/tempo'),
      tag: str('Tempo image tag; empty: the release tempo.version pins (2.10.8, 3.0.3)', PATTERNS.imageTagOrEmpty, ''),
      logLevel: oneOf(['debug', 'info', 'warn', 'error'], 'Tempo log level', 'info'),
      replicationFactor: int('Ingester ring replication factor (<= ingester replicas)', 1, 3, 5),
      // vParquet4 is 2.10's default and the format its whole query path is tuned for; vParquet5 is new
      // in 2.10 and can be chosen per environment once it has been proven there.
      blockVersion: oneOf(['vParquet4', 'vParquet5'], 'Block format written to S3', 'vParquet4'),
    },
    'Tempo itself',
  ),
  limits,
  metricsGenerator: object(
    {
      remoteWriteUrl: str(
        'Prometheus remote-write URL for span metrics and service graphs',
        PATTERNS.httpUrl,
        'http://prometheus-operated.monitoring.svc.cluster.local:9090/api/v1/write',
      ),
      processors: processorList('Processors of every tenant that does not set its own (local-blocks: TraceQL metrics queries)', [...GENERATOR_PROCESSORS]),
    },
    'Metrics generator',
  ),
  // The attributes this platform queries most get their own parquet columns (faster TraceQL).
  dedicatedColumns: dedicatedColumnList('Attributes stored in their own parquet columns (at most 10 per scope) for every tenant that does not set its own', [
    { name: 'user.id', scope: 'span', type: 'string' },
    { name: 'game.id', scope: 'span', type: 'string' },
    { name: 'game_session_id', scope: 'span', type: 'string' },
  ]),
  monitoring: object(
    {
      selectorLabels: map(
        PATTERNS.labelKey,
        str('Label value', PATTERNS.labelValue),
        "Labels put on the ServiceMonitors and the PrometheusRule so the cluster's Prometheus selects them (kube-prometheus-stack: release: <its release name>)",
      ),
      scrapeInterval: str('Scrape interval of the Tempo and memcached targets, a Prometheus duration', PATTERNS.scrapeInterval, '30s'),
    },
    'How Prometheus scrapes this stack',
  ),
  alerts: object(
    {
      page: bool('false: nobody is paged from this environment (its critical alerts are sent as warnings)', true),
      // Keys are checked against the alerts this repository defines by generators/alerts (it owns the names).
      severities: map('^[A-Za-z0-9]+$', oneOf([...SEVERITIES]), "Severity per alert name, replacing the rule's own (docs/runbooks.md lists the alerts)"),
      // The design's five alerts keep its figures; the others follow Tempo's operational guidance.
      thresholds: object(
        {
          ingestionLatencyP99Seconds: positive('TempoHighIngestionLatency: p99 distributor push latency, seconds', 1),
          queryLatencyP95Seconds: positive('TempoHighQueryLatency: p95 trace-by-ID latency on the query-frontend, seconds', 5),
          requestErrorsPercent: percent('TempoRequestErrors: HTTP 5xx share per component and route', 5),
          refusedSpansPercent: percent('TempoReceiverRefusingSpans: share of spans the receivers refused', 1),
          discardedSpansPercent: percent("TempoDiscardingSpans: share of a tenant's spans discarded for one reason", 1),
          tenantLimitPercent: percent("TempoTenantNearLimit: a tenant's ingestion rate or live traces as a share of its own limit", 90, 1),
          ingesterWriteMiBPerSecond: positive('TempoProvisioningTooManyWrites: average write rate per ingester, MiB/s', 30),
          failuresPerHour: int('Compaction, flush, poll and tenant-index failures tolerated per hour', 0, 2),
          compactorBehindBlocks: int('TempoCompactorBehind: outstanding blocks of one tenant', 0, 100),
          outstandingBlocksPerCompactor: object(
            { warning: int('Warning after 6 h above this', 0, 100), critical: int('Critical after 24 h above this (> warning)', 0, 250) },
            'TempoCompactorsTooManyOutstandingBlocks: outstanding blocks per compactor',
          ),
          tenantIndexMaxAgeSeconds: int('TempoTenantIndexTooOld: tenant index age, seconds', 1, 600),
          blocklistGrowthRatio7d: num('TempoBlockListRisingQuickly: blocklist length now / a week ago', 1, 1.4),
          cacheHitPercent: percent('TempoLowCacheHitRate: memcached get hit rate', 50, 1),
          remoteWriteBehindSeconds: int('TempoMetricsGeneratorRemoteWriteBehind: seconds the remote-write queue is behind', 1, 120),
          volumeFreePercent: object(
            { warning: percent('Warning below this free space', 20, 1), critical: percent('Critical below this free space (< warning)', 5, 1) },
            'TempoVolumeFillingUp: free space on ingester and metrics-generator volumes',
          ),
          vultureErrorPercent: percent("TempoVultureHighErrorRate: share of tempo-vulture's checks of one kind that fail", 10),
          partitionLagSeconds, // Tempo 3 (kafka.ts)
          backendJobFailurePercent: percent('TempoBackendSchedulerJobsFailing: share of backend jobs (compaction, retention) that fail, over an hour', 5),
          backendJobRetriesPerMinute: positive('TempoBackendSchedulerJobRetries: backend jobs retried per minute', 20),
        },
        'Alert thresholds',
      ),
      runbookUrl: str(
        'Browsable URL of docs/runbooks.md in this repository (alerts link to its anchors)',
        PATTERNS.httpsUrl,
        'https://github.com/gaming-platform/tempo-gitops/blob/main/docs/runbooks.md',
      ),
    },
    'Alerts (PrometheusRule in alerts/<env>/)',
  ),
  // The Prometheus the metrics-generator writes to is the one Grafana reads from.
  grafana: object(
    {
      prometheusUrl: str(
        'Prometheus query URL Grafana reads Tempo metrics, span metrics and the service graph from',
        PATTERNS.httpUrl,
        'http://prometheus-operated.monitoring.svc.cluster.local:9090',
      ),
      lokiUrl: str(
        'Loki URL Grafana opens logs in, filtered by trace id (trace to logs)',
        PATTERNS.httpUrl,
        'http://loki-gateway.monitoring.svc.cluster.local',
      ),
      // The collector agent's tenant (components.collector.tenant): turning multitenancy on keeps its traces visible.
      tenants: str(
        'Tenant(s) the Tempo data source queries as (X-Scope-OrgID) when features.multitenancy is on; "a|b" queries several',
        PATTERNS.tenantIds,
        'single-tenant',
      ),
    },
    'Grafana data sources provisioned with the stack (ConfigMap labelled grafana_datasource)',
  ),
  networkPolicies: object(
    {
      // The design's applications (service.namespace "gaming") send OTLP straight to the distributor.
      traceSenderNamespaces: namespaces("Namespaces whose pods send spans to the distributor (the stack's own namespace always may)", ['gaming']),
      // kube-prometheus-stack's Grafana and Prometheus (the remote-write default points there too).
      grafanaNamespaces: namespaces('Namespaces whose pods query through the query-frontend (HTTP 3200, Service port 3100)', ['monitoring']),
      prometheusNamespaces: namespaces('Namespaces whose pods scrape the metrics ports (Tempo 3200, memcached exporter 9150)', ['monitoring']),
    },
    'Who may reach the stack when features.networkPolicies is on',
  ),
  kafka,
  sampling,
  tls,
  features: object(
    {
      memcached: bool('Deploy memcached and use it for bloom, parquet-footer and frontend-search caching', true),
      multitenancy: bool('Require the X-Scope-OrgID header (otherwise every span belongs to "single-tenant")', false),
      usageReport: bool('Send anonymous usage reports to Grafana Labs', false),
      collector: bool('Run the OpenTelemetry Collector agent on every node (apps send OTLP to it, it forwards to the distributor)', true),
      vulture: bool('Run tempo-vulture, which proves end to end that written traces can be read back', true),
      networkPolicies: bool(
        'NetworkPolicies: deny all ingress to the namespace but the flows Tempo needs; limit egress to DNS, the stack, HTTPS and remote write',
        true,
      ),
    },
    'Feature switches',
  ),
};

type StaticOf<T> = { [K in keyof T]: T[K] extends TSchema ? Static<T[K]> : never };
/** An environment without its components: what every component and output may read. */
export type EnvironmentSettings = { name: string } & StaticOf<typeof settings> & {
    /** A 2.10 environment's dual run (migration.tempo3), resolved by load.ts. */
    migration?: DualRun;
    /** Set on the 3.x stack of a dual run: the 2.10 stack it runs beside. */
    beside?: Beside;
  };
export type TenantOwnSettings = EnvironmentSettings['limits']['tenants'][string];
