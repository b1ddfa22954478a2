// The one place for defaults. They carry the production figures of the design (seed): an environment
// file lists only what differs. `base/` is these defaults rendered with BASE_IDENTITY; each overlay
// patches what its environment changes.
import type { Environment } from './types';

export const TEMPO_VERSION = '2.10.8';

export const defaults: Omit<Environment, 'name' | 'cluster' | 'aws' | 's3'> & {
  cluster: Omit<Environment['cluster'], 'name' | 'oidcIssuer'>;
  s3: Omit<Environment['s3'], 'bucket'>;
} = {
  cluster: { kubernetesVersion: '1.32', server: 'https://kubernetes.default.svc' },
  // The repository Argo CD reads (set it once here for every environment) and the revision it syncs.
  argocd: { repoURL: 'https://github.com/gaming-platform/tempo-gitops.git', targetRevision: 'main' },
  s3: {
    prefix: 'traces',
    credentials: 'externalSecrets',
    sse: 'SSE-S3',
    kmsKeyId: '',
    // 15 days: the 14-day retention plus a day for compacted blocks and S3's once-a-day lifecycle run.
    lifecycle: { expirationDays: 15, noncurrentVersionDays: 1, abortIncompleteUploadDays: 1 },
  },
  retention: '336h',
  tempo: {
    image: 'grafana/tempo',
    tag: TEMPO_VERSION,
    logLevel: 'info',
    replicationFactor: 3,
    // vParquet4 is 2.10's default and the format its whole query path is tuned for; vParquet5 is new
    // in 2.10 and can be chosen per environment once it has been proven there.
    blockVersion: 'vParquet4',
  },
  // ephemeral-storage: Tempo writes little outside its volumes (/tmp, the stateless components' empty
  // /var/tempo, logs the kubelet rotates at 50Mi); the limit stops a runaway writer from filling the node.
  // memcached and its exporter write nothing, so they set none.
  components: {
    distributor: {
      replicas: 3,
      resources: { requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '256Mi' }, limits: { cpu: '2', memory: '2Gi', 'ephemeral-storage': '1Gi' } },
      autoscaling: { enabled: false, minReplicas: 3, maxReplicas: 6, targetCPUUtilizationPercentage: 70 },
    },
    ingester: {
      replicas: 3,
      resources: { requests: { cpu: '1', memory: '4Gi', 'ephemeral-storage': '256Mi' }, limits: { cpu: '2', memory: '6Gi', 'ephemeral-storage': '1Gi' } },
      storage: { size: '50Gi', storageClass: 'gp3' },
    },
    'query-frontend': {
      replicas: 2,
      resources: { requests: { cpu: '250m', memory: '512Mi', 'ephemeral-storage': '256Mi' }, limits: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '1Gi' } },
    },
    querier: {
      replicas: 2,
      resources: { requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '256Mi' }, limits: { cpu: '2', memory: '4Gi', 'ephemeral-storage': '1Gi' } },
      autoscaling: { enabled: false, minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 70 },
    },
    compactor: {
      replicas: 1,
      resources: { requests: { cpu: '500m', memory: '2Gi', 'ephemeral-storage': '256Mi' }, limits: { cpu: '2', memory: '4Gi', 'ephemeral-storage': '1Gi' } },
    },
    'metrics-generator': {
      replicas: 1,
      resources: { requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '256Mi' }, limits: { cpu: '1', memory: '2Gi', 'ephemeral-storage': '1Gi' } },
      storage: { size: '10Gi', storageClass: 'gp3' },
    },
    memcached: {
      replicas: 2,
      resources: { requests: { cpu: '100m', memory: '1152Mi' }, limits: { cpu: '500m', memory: '1280Mi' } },
      memoryLimitMb: 1024,
      image: 'memcached:1.6.39-alpine',
      exporterImage: 'prom/memcached-exporter:v0.15.4',
    },
  },
  limits: {
    defaults: {
      rateStrategy: 'global',
      rateLimitBytes: 15_000_000,
      burstSizeBytes: 20_000_000,
      maxTracesPerUser: 10_000,
      maxBytesPerTrace: 5_000_000,
    },
    tenants: {},
  },
  metricsGenerator: {
    remoteWriteUrl: 'http://prometheus-operated.monitoring.svc.cluster.local:9090/api/v1/write',
    processors: ['service-graphs', 'span-metrics', 'local-blocks'],
  },
  // The attributes this platform queries most get their own parquet columns (faster TraceQL).
  dedicatedColumns: [
    { name: 'user.id', scope: 'span', type: 'string' },
    { name: 'game.id', scope: 'span', type: 'string' },
    { name: 'game_session_id', scope: 'span', type: 'string' },
  ],
  monitoring: { selectorLabels: {}, scrapeInterval: '30s' },
  alerts: {
    page: true,
    severities: {},
    // The design's five alerts keep its figures; the others follow Tempo's operational guidance.
    thresholds: {
      ingestionLatencyP99Seconds: 1,
      queryLatencyP95Seconds: 5,
      requestErrorsPercent: 5,
      refusedSpansPercent: 1,
      discardedSpansPercent: 1,
      ingesterWriteMiBPerSecond: 30,
      failuresPerHour: 2,
      compactorBehindBlocks: 100,
      outstandingBlocksPerCompactor: { warning: 100, critical: 250 },
      tenantIndexMaxAgeSeconds: 600,
      blocklistGrowthRatio7d: 1.4,
      cacheHitPercent: 50,
      remoteWriteBehindSeconds: 120,
      volumeFreePercent: { warning: 20, critical: 5 },
      vultureErrorPercent: 10,
    },
    runbookUrl: 'https://github.com/gaming-platform/tempo-gitops/blob/main/docs/runbooks.md',
  },
  collector: {
    // Checked for this version: every key of the collector config (generators/collector.ts) exists in it.
    image: 'otel/opentelemetry-collector-contrib:0.159.0',
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    // Tempo's own tenant without multitenancy: turning it on keeps the agents' traces where they were.
    tenant: 'single-tenant',
    scrubbing: {
      deleteAttributes: [
        'http.request.header.authorization',
        'http.request.header.proxy-authorization',
        'http.request.header.cookie',
        'http.request.header.x-api-key',
        'http.response.header.set-cookie',
        'user.email',
        'user.full_name',
      ],
      // The platform's policy: traces keep one stable pseudonym per player, never the id itself.
      hashAttributes: ['user.id', 'enduser.id'],
      maskPatterns: [
        { name: 'email', regex: '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}' },
        // Visa, Mastercard, Discover (16 digits) and Amex (15), with optional spaces or dashes; brand prefixes
        // keep 13-digit millisecond timestamps and other long numbers out.
        { name: 'card', regex: '\\b(?:4\\d{3}|5[1-5]\\d{2}|2[2-7]\\d{2}|6(?:011|5\\d{2}))(?:[ -]?\\d{4}){3}\\b|\\b3[47]\\d{2}[ -]?\\d{6}[ -]?\\d{5}\\b' },
        { name: 'bearer-token', regex: '(?i)bearer\\s+[A-Za-z0-9._~+/-]+=*' },
        { name: 'jwt', regex: 'eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+' },
      ],
    },
  },
  vulture: {
    image: 'grafana/tempo-vulture',
    resources: { requests: { cpu: '50m', memory: '100Mi' }, limits: { cpu: '200m', memory: '500Mi' } },
  },
  // The Prometheus the metrics-generator writes to (above) is the one Grafana reads from.
  grafana: {
    prometheusUrl: 'http://prometheus-operated.monitoring.svc.cluster.local:9090',
    lokiUrl: 'http://loki-gateway.monitoring.svc.cluster.local',
    // The collector agent's tenant (collector.tenant): turning multitenancy on keeps its traces visible.
    tenants: 'single-tenant',
  },
  networkPolicies: {
    // The design's applications (service.namespace "gaming") send OTLP straight to the distributor.
    traceSenderNamespaces: ['gaming'],
    // kube-prometheus-stack's Grafana and Prometheus (the remote-write default above points there too).
    grafanaNamespaces: ['monitoring'],
    prometheusNamespaces: ['monitoring'],
  },
  features: { memcached: true, multitenancy: false, usageReport: false, collector: true, vulture: true, networkPolicies: true },
};

/** Identity used to render `base/`: every overlay replaces these values. */
export const BASE_IDENTITY = {
  name: 'base',
  cluster: { name: 'base', oidcIssuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/00000000000000000000000000000000' },
  aws: { region: 'us-east-1', accountId: '000000000000' },
  s3: { bucket: 'tempo-traces-base' },
} as const;
