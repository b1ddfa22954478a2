// JSON Schema of overlays/<env>/environment.yaml. Strict: an unknown key anywhere is an error.
// `npm run generate` writes it to overlays/environment.schema.json (with the defaults filled in as
// `default` annotations) so editors complete and check the file.
import { ALERT_NAMES } from '../alerts/names';
import { defaults } from './defaults';

type Schema = Record<string, unknown>;

const object = (properties: Record<string, Schema>, description?: string, required: string[] = []): Schema => ({
  type: 'object',
  ...(description ? { description } : {}),
  additionalProperties: false,
  ...(required.length ? { required } : {}),
  properties,
});
const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const int = (description: string, minimum: number, extra: Schema = {}): Schema => ({
  type: 'integer',
  description,
  minimum,
  ...extra,
});
const num = (description: string, minimum: number, maximum?: number): Schema => ({
  type: 'number',
  description,
  minimum,
  ...(maximum === undefined ? {} : { maximum }),
});
const bool = (description: string): Schema => ({ type: 'boolean', description });
const percent = (description: string, minimum = 0): Schema => num(`${description}, percent`, minimum, 100);
const positive = (description: string): Schema => ({ type: 'number', description, exclusiveMinimum: 0 });

export const PATTERNS = {
  cpu: '^([0-9]+m|[0-9]+(\\.[0-9]{1,3})?)$',
  memory: '^[0-9]+(\\.[0-9]+)?(k|M|G|T|Ki|Mi|Gi|Ti)?$',
  goDuration: '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$',
  imageTag: '^(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$',
  s3Bucket: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
  tenantId: "^[A-Za-z0-9!._*'()-]{1,150}$",
  tenantIds: "^[A-Za-z0-9!._*'()-]{1,150}(\\|[A-Za-z0-9!._*'()-]{1,150})*$",
  dnsLabel: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$',
  httpsUrl: '^https://[^\\s]+$',
  oidcIssuer: '^https://oidc\\.eks\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/id/[A-Za-z0-9]{16,64}$',
  gitUrl: '^(https://|ssh://|git@)[^\\s]+$',
  gitRevision: '^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$',
  kmsKey: '^$|^(mrk-)?[0-9a-f-]{32,36}$|^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-)?[0-9a-f-]{32,36}$',
  labelKey: '^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$',
  labelValue: '^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$',
  pinnedImage: '^[a-z0-9./_-]+:(?!latest$)[A-Za-z0-9_.-]+$',
  imageRepository: '^[a-z0-9./_-]+$',
  attributeKey: '^[A-Za-z0-9_.-]+$',
  clusterName: '^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$',
  kubernetesVersion: '^1\\.(2[89]|3[0-9])$',
  httpUrl: '^https?://[^\\s]+$',
  accountId: '^[0-9]{12}$',
  s3Prefix: '^[A-Za-z0-9!_.*()-]+(/[A-Za-z0-9!_.*()-]+)*$',
  scrapeInterval: '^[0-9]+(ms|s|m|h)$',
} as const;

/** Shown in messages next to a failed pattern, so a user knows what is expected. */
export const PATTERN_HINTS: Record<string, string> = {
  [PATTERNS.cpu]: 'a Kubernetes CPU quantity such as 500m or 2',
  [PATTERNS.memory]: 'a Kubernetes memory quantity such as 512Mi or 4Gi',
  [PATTERNS.goDuration]: 'a Go duration such as 336h, 30m or 1h30m (no "d" unit)',
  [PATTERNS.imageTag]: 'a pinned image tag such as 2.10.8 (never "latest")',
  [PATTERNS.s3Bucket]: 'an S3 bucket name: 3-63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit',
  [PATTERNS.tenantId]: "a Tempo tenant id: up to 150 of A-Z a-z 0-9 ! - _ . * ' ( )",
  [PATTERNS.tenantIds]: "Tempo tenant ids separated by | (each up to 150 of A-Z a-z 0-9 ! - _ . * ' ( ))",
  [PATTERNS.httpsUrl]: 'an https:// URL such as https://ABCDEF0123456789.gr7.us-east-1.eks.amazonaws.com',
  [PATTERNS.oidcIssuer]: 'an EKS OIDC issuer URL such as https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
  [PATTERNS.gitUrl]: 'a Git URL (https://, ssh:// or git@)',
  [PATTERNS.gitRevision]: 'a branch, tag or commit such as main or v1.4.0',
  [PATTERNS.kmsKey]: 'a KMS key id (a UUID, or mrk-… for a multi-Region key) or a key ARN; aliases cannot be granted in IAM',
  [PATTERNS.labelKey]: 'a Kubernetes label key such as release or example.com/team',
  [PATTERNS.labelValue]: 'a Kubernetes label value: up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
  [PATTERNS.pinnedImage]: 'an image with a pinned tag such as otel/opentelemetry-collector-contrib:0.159.0 (never "latest")',
  [PATTERNS.imageRepository]: 'an image repository without a tag, such as grafana/tempo-vulture',
  [PATTERNS.attributeKey]: 'an attribute key such as user.id or http.request.header.authorization',
  [PATTERNS.dnsLabel]: 'a DNS label: lowercase letters, digits and "-", at most 63, starting and ending with a letter or digit',
  [PATTERNS.clusterName]: 'an EKS cluster name: letters, digits, "-" and "_", starting with a letter or digit',
  [PATTERNS.kubernetesVersion]: 'a supported Kubernetes minor version in quotes, such as "1.32" (1.28 or later)',
  [PATTERNS.httpUrl]: 'an http:// or https:// URL',
  [PATTERNS.accountId]: 'a 12-digit AWS account id in quotes, such as "123456789012"',
  [PATTERNS.s3Prefix]: 'an S3 key prefix such as traces or tempo/prod (no leading or trailing "/")',
  [PATTERNS.scrapeInterval]: 'a Prometheus duration such as 30s or 1m',
};

// Commercial AWS regions plus GovCloud and China, as of 2026.
export const AWS_REGIONS = [
  'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1',
  'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5',
  'ap-southeast-6', 'ap-southeast-7', 'ca-central-1', 'ca-west-1', 'cn-north-1', 'cn-northwest-1', 'eu-central-1',
  'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'il-central-1',
  'me-central-1', 'me-south-1', 'mx-central-1', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-gov-east-1',
  'us-gov-west-1', 'us-west-1', 'us-west-2',
];

const resources = object(
  {
    requests: object({
      cpu: str('CPU request', { pattern: PATTERNS.cpu }),
      memory: str('Memory request', { pattern: PATTERNS.memory }),
      'ephemeral-storage': str('Node disk request for emptyDir volumes (/tmp, scratch) and logs', { pattern: PATTERNS.memory }),
    }),
    limits: object({
      cpu: str('CPU limit', { pattern: PATTERNS.cpu }),
      memory: str('Memory limit; GOMEMLIMIT is set to 90% of it', { pattern: PATTERNS.memory }),
      'ephemeral-storage': str('Node disk limit for emptyDir volumes and logs (the pod is evicted above it)', { pattern: PATTERNS.memory }),
    }),
  },
  'Container requests and limits (requests must not exceed limits)',
);

const volume = object(
  {
    size: str('PersistentVolumeClaim size per replica (immutable once created)', { pattern: PATTERNS.memory }),
    storageClass: str('StorageClass of the volume', { pattern: PATTERNS.dnsLabel }),
  },
  'Persistent volume per replica',
);

const autoscaling = object(
  {
    enabled: bool('Create a HorizontalPodAutoscaler (the workload then leaves replicas to it)'),
    minReplicas: int('Lower bound', 1),
    maxReplicas: int('Upper bound (>= minReplicas)', 1),
    targetCPUUtilizationPercentage: int('Average CPU utilisation to aim for', 1, { maximum: 100 }),
  },
  'HorizontalPodAutoscaler on CPU',
);

const attributeKeys = (description: string): Schema => ({
  type: 'array',
  description,
  uniqueItems: true,
  items: str('Attribute key', { pattern: PATTERNS.attributeKey }),
});

const namespaces = (description: string): Schema => ({
  type: 'array',
  description,
  uniqueItems: true,
  items: str('Namespace name', { pattern: PATTERNS.dnsLabel }),
});

const component = (description: string, extra: Record<string, Schema> = {}): Schema =>
  object({ replicas: int('Number of pods', 1), resources, ...extra }, description);

const ingestionLimits = (description: string): Schema =>
  object(
    {
      rateStrategy: { enum: ['local', 'global'], description: 'local: per distributor; global: shared across all distributors' },
      rateLimitBytes: int('Ingestion rate limit per tenant, bytes/s', 1),
      burstSizeBytes: int('Ingestion burst per tenant, bytes', 1),
      maxTracesPerUser: int('Live traces per tenant per ingester', 1),
      maxBytesPerTrace: int('Largest trace accepted, bytes', 1),
    },
    description,
  );

export const environmentSchema: Schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://tempo-gitops.local/environment.schema.json',
  title: 'tempo-gitops environment',
  ...object(
    {
      cluster: object(
        {
          name: str('EKS cluster name (also the `cluster` external label)', { pattern: PATTERNS.clusterName }),
          kubernetesVersion: str('Kubernetes minor version of the cluster, e.g. "1.32"', { pattern: PATTERNS.kubernetesVersion }),
          server: str('Argo CD destination server URL of the cluster (each environment needs its own)', { pattern: PATTERNS.httpsUrl }),
          oidcIssuer: str('OIDC issuer of the EKS cluster, as `aws eks describe-cluster --query cluster.identity.oidc.issuer` prints it; IRSA roles trust it', {
            pattern: PATTERNS.oidcIssuer,
          }),
        },
        'Target cluster',
        ['name', 'oidcIssuer'],
      ),
      argocd: object(
        {
          repoURL: str('Git repository Argo CD reads this overlay from (the AppProject allows exactly these)', { pattern: PATTERNS.gitUrl }),
          targetRevision: str('Branch, tag or commit Argo CD syncs', { pattern: PATTERNS.gitRevision }),
        },
        'Argo CD source of this environment',
      ),
      aws: object(
        {
          region: { enum: AWS_REGIONS, description: 'AWS region of the cluster and the bucket' },
          accountId: str('12-digit AWS account id', { pattern: PATTERNS.accountId }),
        },
        'AWS account',
        ['region', 'accountId'],
      ),
      s3: object(
        {
          bucket: str('S3 bucket for trace blocks', { pattern: PATTERNS.s3Bucket }),
          prefix: str('Key prefix inside the bucket (no leading or trailing slash)', { pattern: PATTERNS.s3Prefix }),
          credentials: { enum: ['externalSecrets', 'irsa'], description: 'externalSecrets: static keys from AWS Secrets Manager; irsa: IAM role for the service account' },
          sse: { enum: ['SSE-S3', 'SSE-KMS'], description: 'Server-side encryption Tempo requests on writes' },
          kmsKeyId: str('KMS key id or key ARN (SSE-KMS only)', { pattern: PATTERNS.kmsKey }),
          lifecycle: object(
            {
              expirationDays: int('Objects under the prefix expire after this many days: a backstop for blocks the compactor missed; must outlast retention', 1),
              noncurrentVersionDays: int('Versions Tempo deleted (the bucket is versioned) are removed after this many days', 1),
              abortIncompleteUploadDays: int('Multipart uploads left incomplete (a crashed flush) are aborted after this many days', 1),
            },
            'Bucket lifecycle rules (written to overlays/<env>/aws/lifecycle.json)',
          ),
        },
        'Trace storage',
        ['bucket'],
      ),
      retention: str('Block retention, a Go duration (336h = 14 days)', { pattern: PATTERNS.goDuration }),
      tempo: object(
        {
          image: str('Tempo image repository', { pattern: PATTERNS.imageRepository }),
          tag: str('Tempo image tag (this repo is written for 2.10.x)', { pattern: PATTERNS.imageTag }),
          logLevel: { enum: ['debug', 'info', 'warn', 'error'], description: 'Tempo log level' },
          replicationFactor: int('Ingester ring replication factor (<= ingester replicas)', 1, { maximum: 5 }),
          blockVersion: { enum: ['vParquet4', 'vParquet5'], description: 'Block format written to S3' },
        },
        'Tempo itself',
      ),
      components: object(
        {
          distributor: component('Receives spans (OTLP, Jaeger, Zipkin) and forwards them to ingesters', { autoscaling }),
          ingester: component('Buffers traces, writes the WAL and flushes blocks to S3', { storage: volume }),
          'query-frontend': component('Shards and queues queries'),
          querier: component('Executes query jobs against ingesters and S3', { autoscaling }),
          compactor: component('Compacts blocks and enforces retention'),
          'metrics-generator': component('Span metrics and service graphs, remote-written to Prometheus', { storage: volume }),
          memcached: component('Cache for bloom filters, parquet footers and search results', {
            memoryLimitMb: int('Memcached item memory (-m), MB; keep below the container memory limit', 64),
            image: str('memcached image with a pinned tag', { pattern: PATTERNS.pinnedImage }),
            exporterImage: str('memcached-exporter image with a pinned tag', { pattern: PATTERNS.pinnedImage }),
          }),
        },
        'Per component settings',
      ),
      limits: object(
        {
          defaults: ingestionLimits('Limits for every tenant'),
          tenants: {
            type: 'object',
            description: 'Per-tenant limits (hot-reloaded, no restart), keyed by tenant id',
            propertyNames: { pattern: PATTERNS.tenantId },
            additionalProperties: ingestionLimits('Limits for this tenant'),
          },
        },
        'Ingestion limits',
      ),
      metricsGenerator: object(
        {
          remoteWriteUrl: str('Prometheus remote-write URL for span metrics and service graphs', { pattern: PATTERNS.httpUrl }),
          processors: {
            type: 'array',
            description: 'Processors enabled for every tenant (local-blocks: TraceQL metrics queries)',
            uniqueItems: true,
            items: { enum: ['service-graphs', 'span-metrics', 'local-blocks'] },
          },
        },
        'Metrics generator',
      ),
      dedicatedColumns: {
        type: 'array',
        description: 'Attributes stored in their own parquet columns (at most 10 per scope)',
        items: object(
          {
            name: str('Attribute name', { minLength: 1 }),
            scope: { enum: ['span', 'resource'] },
            type: { enum: ['string'] },
          },
          undefined,
          ['name', 'scope', 'type'],
        ),
      },
      monitoring: object(
        {
          selectorLabels: {
            type: 'object',
            description: "Labels put on the ServiceMonitors and the PrometheusRule so the cluster's Prometheus selects them (kube-prometheus-stack: release: <its release name>)",
            propertyNames: { pattern: PATTERNS.labelKey },
            additionalProperties: str('Label value', { pattern: PATTERNS.labelValue }),
          },
          scrapeInterval: str('Scrape interval of the Tempo and memcached targets, a Prometheus duration', { pattern: PATTERNS.scrapeInterval }),
        },
        'How Prometheus scrapes this stack',
      ),
      alerts: object(
        {
          page: bool('false: nobody is paged from this environment (its critical alerts are sent as warnings)'),
          severities: object(
            Object.fromEntries(ALERT_NAMES.map((name) => [name, { enum: ['critical', 'warning', 'info'], description: `Severity of ${name}` }])),
            'Severity per alert, replacing the rule\'s own (docs/runbooks.md lists the alerts)',
          ),
          thresholds: object(
            {
              ingestionLatencyP99Seconds: positive('TempoHighIngestionLatency: p99 distributor push latency, seconds'),
              queryLatencyP95Seconds: positive('TempoHighQueryLatency: p95 trace-by-ID latency on the query-frontend, seconds'),
              requestErrorsPercent: percent('TempoRequestErrors: HTTP 5xx share per component and route'),
              refusedSpansPercent: percent('TempoReceiverRefusingSpans: share of spans the receivers refused'),
              discardedSpansPercent: percent('TempoDiscardingSpans: share of a tenant\'s spans discarded for one reason'),
              ingesterWriteMiBPerSecond: positive('TempoProvisioningTooManyWrites: average write rate per ingester, MiB/s'),
              failuresPerHour: int('Compaction, flush, poll and tenant-index failures tolerated per hour', 0),
              compactorBehindBlocks: int('TempoCompactorBehind: outstanding blocks of one tenant', 0),
              outstandingBlocksPerCompactor: object(
                { warning: int('Warning after 6 h above this', 0), critical: int('Critical after 24 h above this (> warning)', 0) },
                'TempoCompactorsTooManyOutstandingBlocks: outstanding blocks per compactor',
              ),
              tenantIndexMaxAgeSeconds: int('TempoTenantIndexTooOld: tenant index age, seconds', 1),
              blocklistGrowthRatio7d: num('TempoBlockListRisingQuickly: blocklist length now / a week ago', 1),
              cacheHitPercent: percent('TempoLowCacheHitRate: memcached get hit rate', 1),
              remoteWriteBehindSeconds: int('TempoMetricsGeneratorRemoteWriteBehind: seconds the remote-write queue is behind', 1),
              volumeFreePercent: object(
                { warning: percent('Warning below this free space', 1), critical: percent('Critical below this free space (< warning)', 1) },
                'TempoVolumeFillingUp: free space on ingester and metrics-generator volumes',
              ),
              vultureErrorPercent: percent("TempoVultureHighErrorRate: share of tempo-vulture's checks of one kind that fail"),
            },
            'Alert thresholds',
          ),
          runbookUrl: str('Browsable URL of docs/runbooks.md in this repository (alerts link to its anchors)', { pattern: PATTERNS.httpsUrl }),
        },
        'Alerts (PrometheusRule in alerts/<env>/)',
      ),
      collector: object(
        {
          image: str('otel/opentelemetry-collector-contrib image with a pinned tag (the config is written for 0.159)', { pattern: PATTERNS.pinnedImage }),
          resources,
          scrubbing: object(
            {
              deleteAttributes: attributeKeys('Attributes removed from every resource, span and span event'),
              hashAttributes: attributeKeys('Attributes replaced by their SHA-256 hex digest (e.g. user.id)'),
              maskPatterns: {
                type: 'array',
                description: 'Values (and span names) matching a pattern get the match replaced by [REDACTED:<name>]',
                items: object(
                  {
                    name: str('Short name shown in the replacement', { pattern: PATTERNS.dnsLabel }),
                    regex: str('RE2 regular expression (Go syntax: no lookaround or backreferences)', { minLength: 1 }),
                  },
                  undefined,
                  ['name', 'regex'],
                ),
              },
            },
            'PII scrubbing before spans leave the node',
          ),
          tenant: str('Tenant (X-Scope-OrgID) the agent writes as when features.multitenancy is on', { pattern: PATTERNS.tenantId }),
        },
        'OpenTelemetry Collector agent (DaemonSet) in front of the distributor',
      ),
      vulture: object(
        {
          image: str('tempo-vulture image repository; the tag is always tempo.tag', { pattern: PATTERNS.imageRepository }),
          resources,
        },
        'tempo-vulture canary: writes traces and reads them back',
      ),
      grafana: object(
        {
          prometheusUrl: str('Prometheus query URL Grafana reads Tempo metrics, span metrics and the service graph from', { pattern: PATTERNS.httpUrl }),
          lokiUrl: str('Loki URL Grafana opens logs in, filtered by trace id (trace to logs)', { pattern: PATTERNS.httpUrl }),
          tenants: str('Tenant(s) the Tempo data source queries as (X-Scope-OrgID) when features.multitenancy is on; "a|b" queries several', { pattern: PATTERNS.tenantIds }),
        },
        'Grafana data sources provisioned with the stack (ConfigMap labelled grafana_datasource)',
      ),
      networkPolicies: object(
        {
          traceSenderNamespaces: namespaces('Namespaces whose pods send spans to the distributor (the stack\'s own namespace always may)'),
          grafanaNamespaces: namespaces('Namespaces whose pods query through the query-frontend (HTTP 3200, Service port 3100)'),
          prometheusNamespaces: namespaces('Namespaces whose pods scrape the metrics ports (Tempo 3200, memcached exporter 9150)'),
        },
        'Who may reach the stack when features.networkPolicies is on',
      ),
      features: object(
        {
          memcached: bool('Deploy memcached and use it for bloom, parquet-footer and frontend-search caching'),
          multitenancy: bool('Require the X-Scope-OrgID header (otherwise every span belongs to "single-tenant")'),
          usageReport: bool('Send anonymous usage reports to Grafana Labs'),
          collector: bool('Run the OpenTelemetry Collector agent on every node (apps send OTLP to it, it forwards to the distributor)'),
          vulture: bool('Run tempo-vulture, which proves end to end that written traces can be read back'),
          networkPolicies: bool('NetworkPolicies: deny all ingress to the namespace but the flows Tempo needs; limit egress to DNS, the stack, HTTPS and remote write'),
        },
        'Feature switches',
      ),
    },
    'One environment of the Tempo stack. Only what differs from the defaults needs to be set.',
    ['cluster', 'aws', 's3'],
  ),
};

/** The schema as written for editors: each field annotated with its default value. */
export function schemaWithDefaults(): Schema {
  const annotate = (schema: Schema, value: unknown): Schema => {
    if (value === undefined) return schema;
    const props = schema.properties as Record<string, Schema> | undefined;
    if (props && value && typeof value === 'object' && !Array.isArray(value)) {
      const annotated: Record<string, Schema> = {};
      for (const [key, sub] of Object.entries(props)) annotated[key] = annotate(sub, (value as Record<string, unknown>)[key]);
      return { ...schema, properties: annotated };
    }
    return { ...schema, default: value };
  };
  return annotate(environmentSchema, defaults);
}
