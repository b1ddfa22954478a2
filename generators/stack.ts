// Names, ports and labels of the stack: the one place every generator and test takes them from.
import type { Component, EdgeComponent, Environment, TempoComponent } from './environment/types';

export const NAMESPACE = 'observability';
export const INSTANCE = 'tempo-stack';
export const CLUSTER_DOMAIN = 'cluster.local';

export const PORTS = {
  http: 3200, // Tempo's own HTTP port
  httpLegacy: 3100, // the query-frontend Service also answers here (the URL the design documents)
  grpc: 9095,
  gossip: 7946,
  memcached: 11211,
  memcachedExporter: 9150,
} as const;

/** The five receivers, each bound to 0.0.0.0 (Tempo >= 2.7 binds receivers to localhost by default). */
export const RECEIVERS = [
  { portName: 'otlp-grpc', port: 4317, protocol: 'OTLP gRPC' },
  { portName: 'otlp-http', port: 4318, protocol: 'OTLP HTTP' },
  { portName: 'jaeger-grpc', port: 14250, protocol: 'Jaeger gRPC' },
  { portName: 'jaeger-http', port: 14268, protocol: 'Jaeger Thrift HTTP' },
  { portName: 'zipkin', port: 9411, protocol: 'Zipkin' },
] as const;
export type ReceiverPortName = (typeof RECEIVERS)[number]['portName'];
export const receiverPort = (portName: ReceiverPortName): number => RECEIVERS.find((r) => r.portName === portName)!.port;

/** The ingestion edge: the OpenTelemetry Collector agent and the tempo-vulture canary. */
export const EDGE_PORTS = {
  collectorOtlpGrpc: 4317,
  collectorOtlpHttp: 4318,
  collectorHealth: 13133, // health_check extension
  collectorMetrics: 8888, // the collector's own telemetry (Prometheus pull reader)
  vultureMetrics: 8080, // tempo-vulture's -prometheus-listen-address (its default :80 needs root)
} as const;

export const CONFIG_MAP = `${INSTANCE}-config`;
export const OVERRIDES_CONFIG_MAP = `${INSTANCE}-overrides`;
export const SERVICE_ACCOUNT = INSTANCE;
export const S3_SECRET = 'tempo-s3-credentials';
export const S3_SECRET_KEYS = { accessKey: 'access_key_id', secretKey: 'secret_access_key' } as const;
export const S3_ENV = { accessKey: 'S3_ACCESS_KEY_ID', secretKey: 'S3_SECRET_ACCESS_KEY' } as const;
/** The AWS Secrets Manager secret holding the keys (JSON with the S3_SECRET_KEYS properties). */
export const S3_SECRET_REMOTE = 'tempo/s3-credentials';
/** External Secrets: the store reading AWS Secrets Manager and the service account whose IRSA role it uses. */
export const SECRET_STORE = `${INSTANCE}-aws-secrets-manager`;
export const SECRET_STORE_SERVICE_ACCOUNT = `${INSTANCE}-secret-store`;

export const PATHS = {
  config: '/conf',
  overrides: '/runtime-config',
  data: '/var/tempo',
} as const;

/** Ring members gossip over memberlist; the query-frontend is not one. */
export const RING_MEMBERS: readonly TempoComponent[] = ['distributor', 'ingester', 'querier', 'compactor', 'metrics-generator'];
/** Components that open the S3 store (Tempo 2.10.8 cmd/tempo/app/modules.go): all but the distributor. */
export const STORAGE_CLIENTS: readonly TempoComponent[] = ['ingester', 'query-frontend', 'querier', 'compactor', 'metrics-generator'];
export const STATEFUL: readonly TempoComponent[] = ['ingester', 'metrics-generator'];
/**
 * Components other components dial over gRPC (distributor and querier -> ingester and metrics-generator,
 * querier -> query-frontend). Every Tempo container listens on it; only these Services expose it.
 */
export const GRPC_SERVERS: readonly TempoComponent[] = ['ingester', 'metrics-generator', 'query-frontend'];
export const GOSSIP_LABEL = 'tempo-gossip-member';

export const objectName = (component: Component | string): string => `${INSTANCE}-${component}`;
export const serviceHost = (service: string): string => `${service}.${NAMESPACE}.svc.${CLUSTER_DOMAIN}`;

export const SERVICES = {
  gossip: objectName('gossip-ring'),
  queryFrontendDiscovery: objectName('query-frontend-discovery'),
} as const;

/** app.kubernetes.io/name of what is not Tempo itself. */
const APP_NAMES: Partial<Record<Component | EdgeComponent, string>> = {
  memcached: 'memcached',
  collector: 'opentelemetry-collector',
  vulture: 'tempo-vulture',
};

/** Stable selector labels: never include anything that changes (version, env). */
export function selectorLabels(component: Component | EdgeComponent): Record<string, string> {
  return {
    'app.kubernetes.io/name': APP_NAMES[component] ?? 'tempo',
    'app.kubernetes.io/instance': INSTANCE,
    'app.kubernetes.io/component': component,
  };
}

export function labels(component: Component | EdgeComponent, env: Environment): Record<string, string> {
  const version =
    component === 'memcached' ? imageTag(env.components.memcached.image) : component === 'collector' ? imageTag(env.collector.image) : env.tempo.tag;
  return {
    // `app: tempo` marks Tempo's own pods (kubectl get pods -l app=tempo), not memcached or the edge.
    ...(APP_NAMES[component] ? {} : { app: 'tempo' }),
    ...selectorLabels(component),
    'app.kubernetes.io/part-of': 'tempo',
    'app.kubernetes.io/version': version,
  };
}

/** Labels for objects that belong to the stack as a whole, in env-independent trees (no version). */
export const STACK_LABELS: Readonly<Record<string, string>> = {
  app: 'tempo',
  'app.kubernetes.io/name': 'tempo',
  'app.kubernetes.io/instance': INSTANCE,
  'app.kubernetes.io/part-of': 'tempo',
};

/** Labels for objects that belong to the stack as a whole (namespace, service account, config). */
export const stackLabels = (env: Environment): Record<string, string> => ({ ...STACK_LABELS, 'app.kubernetes.io/version': env.tempo.tag });

export const imageTag = (image: string): string => image.slice(image.lastIndexOf(':') + 1);
export const tempoImage = (env: Environment): string => `${env.tempo.image}:${env.tempo.tag}`;
/** tempo-vulture ships with every Tempo release: same tag as Tempo. */
export const vultureImage = (env: Environment): string => `${env.vulture.image}:${env.tempo.tag}`;
