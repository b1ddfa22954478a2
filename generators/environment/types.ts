// The typed environment: defaults (defaults.ts) merged with overlays/<env>/environment.yaml.
// The JSON Schema in schema.ts describes the same shape for the YAML file (every field optional there).
import type { AlertName } from '../alerts/names';

export const TEMPO_COMPONENTS = [
  'distributor',
  'ingester',
  'query-frontend',
  'querier',
  'compactor',
  'metrics-generator',
] as const;
export type TempoComponent = (typeof TEMPO_COMPONENTS)[number];
export type Component = TempoComponent | 'memcached';
export const COMPONENTS: readonly Component[] = [...TEMPO_COMPONENTS, 'memcached'];
/** The ingestion edge around Tempo: the collector agent (DaemonSet) and the vulture canary. */
export type EdgeComponent = 'collector' | 'vulture';

export interface Resources {
  /** `ephemeral-storage`: node disk for emptyDir volumes (/tmp, scratch) and logs; set where a container writes. */
  requests: { cpu: string; memory: string; 'ephemeral-storage'?: string };
  limits: { cpu: string; memory: string; 'ephemeral-storage'?: string };
}

export interface ComponentSettings {
  replicas: number;
  resources: Resources;
}

export interface VolumeSettings {
  /** PVC size, e.g. 50Gi. Immutable on a StatefulSet: changing it needs the PVCs resized by hand. */
  size: string;
  storageClass: string;
}

export interface AutoscalingSettings {
  enabled: boolean;
  minReplicas: number;
  maxReplicas: number;
  targetCPUUtilizationPercentage: number;
}

export interface IngestionLimits {
  /** `local`: each distributor enforces the limit; `global`: the limit is shared by all distributors. */
  rateStrategy: 'local' | 'global';
  rateLimitBytes: number;
  burstSizeBytes: number;
  maxTracesPerUser: number;
  maxBytesPerTrace: number;
}

export interface DedicatedColumn {
  name: string;
  scope: 'span' | 'resource';
  type: 'string';
}

export type Severity = 'critical' | 'warning' | 'info';

/** Alert thresholds (generators/alerts/rules.ts says where each one is used). */
export interface AlertThresholds {
  /** TempoHighIngestionLatency: p99 of distributor -> ingester pushes, seconds. */
  ingestionLatencyP99Seconds: number;
  /** TempoHighQueryLatency: p95 of trace-by-ID requests on the query-frontend, seconds. */
  queryLatencyP95Seconds: number;
  /** TempoRequestErrors: share of HTTP requests answered 5xx, per component and route, percent. */
  requestErrorsPercent: number;
  /** TempoReceiverRefusingSpans: share of received spans the receivers refused, percent. */
  refusedSpansPercent: number;
  /** TempoDiscardingSpans: share of a tenant's spans discarded for one reason, percent. */
  discardedSpansPercent: number;
  /** TempoProvisioningTooManyWrites: average bytes written per ingester, MiB/s. */
  ingesterWriteMiBPerSecond: number;
  /** Compactions, flushes, blocklist polls and tenant index builds that may fail per hour before an alert. */
  failuresPerHour: number;
  /** TempoCompactorBehind: outstanding blocks of one tenant (all compactors together). */
  compactorBehindBlocks: number;
  /** TempoCompactorsTooManyOutstandingBlocks: outstanding blocks per compactor (6 h: warning, 24 h: critical). */
  outstandingBlocksPerCompactor: { warning: number; critical: number };
  /** TempoTenantIndexTooOld: age of the tenant index, seconds. */
  tenantIndexMaxAgeSeconds: number;
  /** TempoBlockListRisingQuickly: blocklist length now / a week ago. */
  blocklistGrowthRatio7d: number;
  /** TempoLowCacheHitRate: memcached get hit rate, percent. */
  cacheHitPercent: number;
  /** TempoMetricsGeneratorRemoteWriteBehind: newest sample queued minus newest sample sent, seconds. */
  remoteWriteBehindSeconds: number;
  /** TempoVolumeFillingUp: free space left on an ingester or metrics-generator volume, percent. */
  volumeFreePercent: { warning: number; critical: number };
  /** TempoVultureHighErrorRate: share of tempo-vulture's checks of one kind that fail, percent. */
  vultureErrorPercent: number;
}

export interface AlertSettings {
  /** false: this environment pages nobody (its critical alerts are sent as warnings). */
  page: boolean;
  /** Severity per alert name, replacing the rule's own (for an alert with two levels, both). */
  severities: Partial<Record<AlertName, Severity>>;
  thresholds: AlertThresholds;
  /** Where docs/runbooks.md of this repository is browsable; each alert links to its anchor there. */
  runbookUrl: string;
}

export interface Environment {
  /** The overlay directory name (overlays/<name>). */
  name: string;
  cluster: {
    name: string;
    kubernetesVersion: string;
    /** Argo CD destination server for this environment's cluster. */
    server: string;
    /** The cluster's OIDC issuer URL (`aws eks describe-cluster --query cluster.identity.oidc.issuer`), trusted by IRSA roles. */
    oidcIssuer: string;
  };
  /** Where Argo CD takes this environment's overlay from. */
  argocd: { repoURL: string; targetRevision: string };
  aws: { region: string; accountId: string };
  s3: {
    bucket: string;
    prefix: string;
    /** How Tempo authenticates to S3: static keys synced by External Secrets, or IRSA (no keys). */
    credentials: 'externalSecrets' | 'irsa';
    sse: 'SSE-S3' | 'SSE-KMS';
    kmsKeyId: string;
    /** Bucket lifecycle (a backstop behind the compactor's retention), in days. */
    lifecycle: { expirationDays: number; noncurrentVersionDays: number; abortIncompleteUploadDays: number };
  };
  /** Compactor block retention, a Go duration (336h = 14 days). */
  retention: string;
  tempo: {
    image: string;
    tag: string;
    logLevel: 'debug' | 'info' | 'warn' | 'error';
    replicationFactor: number;
    blockVersion: 'vParquet4' | 'vParquet5';
  };
  components: {
    distributor: ComponentSettings & { autoscaling: AutoscalingSettings };
    ingester: ComponentSettings & { storage: VolumeSettings };
    'query-frontend': ComponentSettings;
    querier: ComponentSettings & { autoscaling: AutoscalingSettings };
    compactor: ComponentSettings;
    'metrics-generator': ComponentSettings & { storage: VolumeSettings };
    memcached: ComponentSettings & { memoryLimitMb: number; image: string; exporterImage: string };
  };
  limits: {
    defaults: IngestionLimits;
    /** Per-tenant overrides, hot-reloaded from the runtime overrides ConfigMap. */
    tenants: Record<string, Partial<IngestionLimits>>;
  };
  metricsGenerator: {
    remoteWriteUrl: string;
    /** local-blocks makes TraceQL metrics queries (`| rate()`, `| quantile_over_time()`) work. */
    processors: Array<'service-graphs' | 'span-metrics' | 'local-blocks'>;
  };
  dedicatedColumns: DedicatedColumn[];
  /** How the cluster's Prometheus (prometheus-operator) finds this stack's ServiceMonitors and rules. */
  monitoring: {
    /** Labels the Prometheus' serviceMonitorSelector and ruleSelector match (kube-prometheus-stack: release). */
    selectorLabels: Record<string, string>;
    /** Scrape interval of every Tempo and memcached target. */
    scrapeInterval: string;
  };
  alerts: AlertSettings;
  /** The OpenTelemetry Collector agent on every node (features.collector). */
  collector: {
    /** otel/opentelemetry-collector-contrib with a pinned tag; its config keys are checked for that version. */
    image: string;
    resources: Resources;
    scrubbing: Scrubbing;
    /** The tenant (X-Scope-OrgID) the agent writes as when features.multitenancy is on. */
    tenant: string;
  };
  /** tempo-vulture (features.vulture): writes traces to the distributor, reads them back through the query-frontend. */
  vulture: {
    /** Image repository; the tag is always tempo.tag. */
    image: string;
    resources: Resources;
  };
  /** Data sources provisioned into Grafana next to Tempo's (trace-to-metrics, trace-to-logs, dashboards). */
  grafana: {
    /** Prometheus query URL: Tempo's metrics and the metrics-generator's span metrics and service graph. */
    prometheusUrl: string;
    /** Loki URL: logs that trace-to-logs filters by trace id. */
    lokiUrl: string;
    /** With features.multitenancy, the X-Scope-OrgID the Tempo data source sends ("a|b" queries both). */
    tenants: string;
  };
  /** Who may reach the stack when features.networkPolicies is on (namespace names). */
  networkPolicies: {
    /** Send spans to the distributor's receivers. The stack's own namespace (collector agent) always may. */
    traceSenderNamespaces: string[];
    /** Query through the query-frontend (HTTP 3200; the Service's 3100 maps to it). */
    grafanaNamespaces: string[];
    /** Scrape every metrics port (Tempo 3200, memcached exporter 9150). */
    prometheusNamespaces: string[];
  };
  features: {
    memcached: boolean;
    multitenancy: boolean;
    usageReport: boolean;
    collector: boolean;
    vulture: boolean;
    /** Default-deny ingress for the namespace, then exactly the flows Tempo needs; limited egress. */
    networkPolicies: boolean;
  };
}

/**
 * What the collector removes from spans before they reach Tempo, applied to resource, span and span-event
 * attributes (and masks to span names too).
 */
export interface Scrubbing {
  /** Attributes dropped whole (auth headers, cookies, e-mail addresses as their own attribute). */
  deleteAttributes: string[];
  /** Attributes replaced by their SHA-256 (e.g. user.id: still groups a user's traces, no longer names them). */
  hashAttributes: string[];
  /** Values matching a pattern (RE2 syntax) have the match replaced by [REDACTED:<name>]. */
  maskPatterns: MaskPattern[];
}

export interface MaskPattern {
  name: string;
  regex: string;
}

/** What an environment.yaml may hold: any part of Environment (name comes from the directory). */
export type DeepPartial<T> = T extends Array<infer _U>
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;
export type EnvironmentFile = DeepPartial<Omit<Environment, 'name'>>;
