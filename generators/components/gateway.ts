// The tail-sampling gateway (sampling.tail.enabled): a Deployment of collectors that each receive whole
// traces from the agents (their load_balancing exporter hashes the trace id over the pods behind the
// headless Service), wait `decisionWait` for a trace's spans, keep every error and slow trace and the
// percentages of the rest (sampling.ts tailPolicies), and export to the distributor.
import { PATTERNS, replicas, resources, str } from '../environment/fields';
import type { EnvironmentSettings } from '../environment/settings';
import { type Quantity, goMemLimit } from '../environment/units';
import { imageTag, labels, objectName, selectorLabels } from '../stack';
import { TEMPO_UID } from '../tempo/facts';
import { TLS_FILES, certificate, podNames, serviceNames, tlsMount, tlsVolume } from '../tls';
import { COLLECTOR_MEMORY_FLOOR } from './collector';
import { distributorExporters } from './otelcol';
import {
  COLLECTOR_HEALTH_PORT,
  COLLECTOR_METRICS_PORT,
  type MemoryLimiter,
  type Pipeline,
  type ServerTls,
  type Telemetry,
  batch,
  clientTls,
  healthCheck,
  memoryLimiter,
  otlpExporter,
  telemetry,
  tenantHeaders,
} from './otelcol';
import { component } from './component';
import { OTLP_GRPC } from './distributor';
import { containerPorts, containerResources, containerSecurity, placement, podDisruptionBudget, podSecurity, service } from './pod';
import { DNS, pods, scrapedBy, toStack, toTempo3Distributor } from './peers';
import { tailPolicies } from './sampling';

export const GATEWAY = objectName('gateway');
const CONFIG_FILE = 'gateway.yaml';
const CONFIG_DIR = '/conf';
const PORTS = [
  { name: 'otlp-grpc', port: OTLP_GRPC, service: true },
  { name: 'http-metrics', port: COLLECTOR_METRICS_PORT, service: true },
  { name: 'health', port: COLLECTOR_HEALTH_PORT },
] as const;
/** Traces each replica holds: its share of the new traces over twice the decision wait (a replica that gets more than its share, or a slow decision tick, evicts nothing undecided). */
const HELD_WINDOWS = 2;
/** Decided trace ids remembered, per decision: late spans of a decided trace follow it instead of starting a new one. */
const CACHE_PER_HELD_TRACE = 10;

interface GatewaySettings {
  replicas: number;
  resources: { limits: { memory: Quantity } };
  tenant: string;
}

/** How many traces a replica holds and expects (tail_sampling's num_traces and expected_new_traces_per_sec). */
export function gatewaySizing(env: EnvironmentSettings, own: { replicas: number }) {
  const perReplica = Math.ceil(env.sampling.tail.expectedNewTracesPerSecond / own.replicas);
  const numTraces = Math.ceil(perReplica * env.sampling.tail.decisionWait.seconds * HELD_WINDOWS);
  return { perReplica, numTraces, cache: numTraces * CACHE_PER_HELD_TRACE };
}

export interface GatewayConfig {
  extensions: { health_check: { endpoint: string; path: string } };
  receivers: { otlp: { protocols: { grpc: { endpoint: string; tls?: ServerTls } } } };
  processors: {
    memory_limiter: MemoryLimiter;
    tail_sampling: {
      decision_wait: string;
      num_traces: number;
      expected_new_traces_per_sec: number;
      decision_cache: { sampled_cache_size: number; non_sampled_cache_size: number };
      policies: ReturnType<typeof tailPolicies>;
    };
    batch: { timeout: string; send_batch_size: number };
  };
  exporters: ReturnType<typeof distributorExporters>;
  service: { extensions: string[]; telemetry: Telemetry; pipelines: { traces: Pipeline } };
}

export function gatewayConfig(env: EnvironmentSettings, own: GatewaySettings): GatewayConfig {
  const exporters = distributorExporters(env, (endpoint) =>
    otlpExporter(own.resources.limits.memory, endpoint, clientTls(env, TLS_FILES.ca), tenantHeaders(env, own.tenant)),
  );
  const sizing = gatewaySizing(env, own);
  return {
    extensions: { health_check: healthCheck() },
    receivers: {
      otlp: {
        protocols: {
          grpc: {
            endpoint: `0.0.0.0:${OTLP_GRPC}`,
            // The gateway's own certificate, re-read hourly (no restart at renewal).
            ...(env.tls.enabled ? { tls: { cert_file: TLS_FILES.cert, key_file: TLS_FILES.key, min_version: '1.2', reload_interval: '1h' } } : {}),
          },
        },
      },
    },
    processors: {
      memory_limiter: memoryLimiter(),
      tail_sampling: {
        decision_wait: env.sampling.tail.decisionWait.text,
        num_traces: sizing.numTraces,
        expected_new_traces_per_sec: sizing.perReplica,
        decision_cache: { sampled_cache_size: sizing.cache, non_sampled_cache_size: sizing.cache },
        policies: tailPolicies(env),
      },
      batch: batch(),
    },
    exporters,
    service: {
      extensions: ['health_check'],
      telemetry: telemetry(),
      pipelines: { traces: { receivers: ['otlp'], processors: ['memory_limiter', 'tail_sampling', 'batch'], exporters: Object.keys(exporters) } },
    },
  };
}

export const gateway = component({
  name: 'gateway',
  description: 'Tail-sampling gateway (Deployment) between the collector agents and the distributor, when sampling.tail.enabled',
  settings: {
    // The agents' image: one collector release whose keys were checked (samplingProblems holds them equal).
    image: str(
      'otel/opentelemetry-collector-contrib image with a pinned tag; keep it equal to components.collector.image',
      PATTERNS.pinnedImage,
      'otel/opentelemetry-collector-contrib:0.159.0',
    ),
    replicas: replicas(3, 50),
    resources: resources({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } }, COLLECTOR_MEMORY_FLOOR),
    tenant: str(
      'Tenant (X-Scope-OrgID) it writes as when features.multitenancy is on; keep it equal to components.collector.tenant',
      PATTERNS.tenantId,
      'single-tenant',
    ),
  },
  version: (_env, own) => imageTag(own.image),
  enabled: (env) => env.sampling.tail.enabled,
  ports: PORTS,
  metrics: { port: 'http-metrics', container: 'gateway', number: COLLECTOR_METRICS_PORT },
  // The agents send it whole traces; Prometheus scrapes it.
  ingress: (env) => [{ from: [pods('collector')], ports: [OTLP_GRPC] }, scrapedBy(env, COLLECTOR_METRICS_PORT)].filter((f) => f.from.length > 0),
  egress: (env) => [DNS, toStack([OTLP_GRPC]), ...toTempo3Distributor(env, 'gateway', OTLP_GRPC)],
  objects(env, own) {
    const meta = { name: GATEWAY, labels: labels('gateway', imageTag(own.image)) };
    const selector = selectorLabels('gateway');
    return [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta,
        spec: {
          replicas: own.replicas,
          revisionHistoryLimit: 5,
          selector: { matchLabels: selector },
          // One pod at a time: the agents re-hash trace ids over the pods the DNS answer lists, so each
          // change of that list splits the traces in flight between two gateways.
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template: {
            metadata: { labels: meta.labels },
            spec: {
              automountServiceAccountToken: false,
              securityContext: podSecurity(TEMPO_UID),
              // Long enough to decide the traces it holds before it stops.
              terminationGracePeriodSeconds: Math.ceil(env.sampling.tail.decisionWait.seconds) + 30,
              ...placement(selector, own.replicas),
              containers: [
                {
                  name: 'gateway',
                  image: own.image,
                  imagePullPolicy: 'IfNotPresent',
                  args: [`--config=${CONFIG_DIR}/${CONFIG_FILE}`],
                  ports: containerPorts(PORTS),
                  // Below memory_limiter's hard limit (80%): the GC works harder before the limiter refuses data.
                  env: [{ name: 'GOMEMLIMIT', value: goMemLimit(own.resources.limits.memory, 0.8) }],
                  readinessProbe: { httpGet: { path: '/', port: 'health' }, initialDelaySeconds: 5, timeoutSeconds: 1 },
                  livenessProbe: { tcpSocket: { port: 'health' }, initialDelaySeconds: 15, periodSeconds: 20, failureThreshold: 3 },
                  resources: containerResources(own.resources),
                  securityContext: containerSecurity,
                  volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }, ...(env.tls.enabled ? [tlsMount] : [])],
                },
              ],
              volumes: [{ name: 'config', configMap: { name: GATEWAY } }, ...(env.tls.enabled ? [tlsVolume('gateway')] : [])],
            },
          },
        },
      },
      // Headless: its DNS name answers with the ready pods' addresses, which the agents' load_balancing
      // exporter hashes trace ids over (a ClusterIP would spread one trace over every pod).
      service({ name: 'gateway', ports: PORTS }, meta.labels, { headless: true }),
      ...(own.replicas > 1 ? [podDisruptionBudget('gateway', meta.labels, selector)] : []),
      ...(env.tls.enabled ? [certificate(env, 'gateway', [...serviceNames(env, GATEWAY), ...podNames(env, GATEWAY)])] : []),
    ];
  },
  configMaps: (env, own) => [
    {
      name: GATEWAY,
      file: CONFIG_FILE,
      content: { ...gatewayConfig(env, own) },
      comment: `# OpenTelemetry Collector (${own.image}) tail-sampling gateway configuration for ${env.name}.\n`,
      labels: labels('gateway', imageTag(own.image)),
    },
  ],
});
