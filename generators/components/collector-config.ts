// The OpenTelemetry Collector agent's configuration (collector.yaml): receive OTLP, limit memory, sample
// (sampling.ts), add Kubernetes and environment attributes, scrub PII, batch, and export to the
// distributor (or, with the tail-sampling gateway, to the gateway pod of each trace).
//
// Every key of the collector config below was checked against otelcol-contrib 0.159.0 (the pinned image):
// core components in opentelemetry-collector v0.159.0 (otlpreceiver, memorylimiterprocessor,
// batchprocessor, otlpexporter with its exporterhelper queue and configretry, otelconftelemetry), contrib
// components against their config structs and generated config schemas (k8sattributesprocessor,
// resourceprocessor with coreinternal/attraction, transformprocessor and pkg/ottl, healthcheckextension,
// and for sampling probabilisticsamplerprocessor, routingconnector, loadbalancingexporter). The interfaces
// spell out exactly those keys, so a typo does not compile; tests/collector-keys.test.ts holds every
// rendered key to the allow-list written from those structs (tests/helpers/collector-keys.ts).
import type { Problem } from '../validation/messages';
import type { EnvironmentSettings } from '../environment/settings';
import type { Quantity } from '../environment/units';
import { objectName, serviceHost } from '../stack';
import { CA_FILE, serverName } from '../tls';
import { OTLP_GRPC } from './distributor';
import {
  type AttributeAction,
  type ClientTls,
  COLLECTOR_HEALTH_PORT,
  COLLECTOR_METRICS_PORT,
  type MemoryLimiter,
  type OtlpExporter,
  type Pipeline,
  TEMPO3_EXPORTER,
  type Telemetry,
  batch,
  clientTls,
  distributorExporters,
  healthCheck,
  memoryLimiter,
  otlpExporter,
  resilience,
  telemetry,
  tenantHeaders,
} from './otelcol';
import {
  ROUTING_CONNECTOR,
  agentSamples,
  percentages,
  perService,
  pipelineId,
  pipelineProcessors,
  ratioAttribute,
  sampler,
  samplerId,
  samplingProcessors,
  serviceRates,
} from './sampling';
import { re2Problem } from './re2';

/** The collector's ports: OTLP in, its own metrics, and the health check the kubelet probes. */
export const COLLECTOR_PORTS = [
  { name: 'otlp-grpc', port: 4317, service: true },
  { name: 'otlp-http', port: 4318, service: true },
  { name: 'http-metrics', port: COLLECTOR_METRICS_PORT, service: true }, // the collector's own telemetry (Prometheus pull reader)
  { name: 'health', port: COLLECTOR_HEALTH_PORT }, // health_check extension
] as const;
const [OTLP_GRPC_IN, OTLP_HTTP_IN] = COLLECTOR_PORTS.map((p) => p.port) as [number, number];

/** What the collector removes from spans before they reach Tempo (components.collector.scrubbing). */
export interface Scrubbing {
  deleteAttributes: string[];
  hashAttributes: string[];
  maskPatterns: Array<{ name: string; regex: string }>;
}
/** What the config is made from: components.collector. */
export interface CollectorSettings {
  image: string;
  resources: { limits: { memory: Quantity } };
  scrubbing: Scrubbing;
  tenant: string;
}

/** The downward-API variable k8s_attributes filters pods by: each agent watches only its own node. */
export const NODE_NAME_ENV = 'K8S_NODE_NAME';

// Component ids as they appear in the pipeline. `otlp_grpc`, `k8s_attributes` and `load_balancing` are the
// names of 0.159.0 (`otlp`, `k8sattributes` and `loadbalancing` are deprecated aliases there).
export const PIPELINE = {
  receivers: ['otlp'],
  processors: ['memory_limiter', 'k8s_attributes', 'resource', 'transform/scrub-pii', 'batch'],
  exporters: ['otlp_grpc'],
} as const;
export const SCRUB_PROCESSOR = 'transform/scrub-pii';
/** The agents' exporter when the tail-sampling gateway is on: whole traces (by trace id) to one gateway each. */
export const LOAD_BALANCING = 'load_balancing';

interface ContextStatements {
  context: 'resource' | 'span' | 'spanevent';
  statements: string[];
}
export interface CollectorConfig {
  extensions: { health_check: { endpoint: string; path: string } };
  receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } };
  processors: {
    memory_limiter: MemoryLimiter;
    k8s_attributes: {
      auth_type: 'serviceAccount';
      filter: { node_from_env_var: string };
      pod_association: Array<{ sources: Array<{ from: 'resource_attribute' | 'connection'; name?: string }> }>;
      extract: { metadata: string[] };
    };
    resource: { attributes: AttributeAction[] };
    'transform/scrub-pii': { error_mode: 'ignore' | 'propagate'; trace_statements: ContextStatements[] };
    batch: { timeout: string; send_batch_size: number };
    // Sampling (sampling.ts): one sampler and one probability record per percentage.
    [sampler: `probabilistic_sampler/${string}`]: { mode: 'proportional'; sampling_percentage: number; fail_closed: boolean };
    [record: `resource/sample-${string}`]: { attributes: AttributeAction[] };
  };
  connectors?: {
    'routing/sampling': {
      error_mode: 'ignore' | 'propagate';
      default_pipelines: string[];
      table: Array<{ context: 'resource'; condition: string; pipelines: string[] }>;
    };
  };
  exporters: {
    otlp_grpc?: OtlpExporter;
    [TEMPO3_EXPORTER]?: OtlpExporter;
    load_balancing?: Omit<OtlpExporter, 'endpoint' | 'tls' | 'headers'> & {
      routing_key: 'traceID';
      protocol: { otlp: { tls: ClientTls; sending_queue: { enabled: false }; retry_on_failure: { enabled: false } } };
      resolver: { dns: { hostname: string; port: string; interval: string } };
    };
  };
  service: {
    extensions: string[];
    telemetry: Telemetry;
    pipelines: { traces: Pipeline; [name: `traces/${string}`]: Pipeline };
  };
}

export function collectorConfig(env: EnvironmentSettings, own: CollectorSettings): CollectorConfig {
  const memoryLimit = own.resources.limits.memory;
  const s = env.sampling;
  // Sampling shapes (sampling.ts): none; one percentage for every service, sampled first so the agent
  // enriches and scrubs only what it keeps; or per-service percentages, routed by service.name after
  // scrubbing into one pipeline per percentage.
  const samples = agentSamples(env);
  const routed = samples && perService(env);
  const single = samples && !routed;
  const distributors = distributorExporters(env, (endpoint) => otlpExporter(memoryLimit, endpoint, clientTls(env, CA_FILE), tenantHeaders(env, own.tenant)));
  const exporters = s.tail.enabled ? [LOAD_BALANCING] : Object.keys(distributors);
  const pipelines: CollectorConfig['service']['pipelines'] = {
    traces: {
      receivers: [...PIPELINE.receivers],
      processors: routed
        ? PIPELINE.processors.filter((p) => p !== 'batch')
        : single
          ? ['memory_limiter', samplerId(s.percentage), ...PIPELINE.processors.slice(1)]
          : [...PIPELINE.processors],
      exporters: routed ? [ROUTING_CONNECTOR] : exporters,
    },
  };
  if (routed)
    for (const p of percentages(env))
      pipelines[pipelineId(p) as `traces/${string}`] = { receivers: [ROUTING_CONNECTOR], processors: pipelineProcessors(p), exporters };
  return {
    extensions: { health_check: healthCheck() },
    receivers: {
      // The collector binds localhost by default: applications on other pods could not reach it.
      otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_IN}` }, http: { endpoint: `0.0.0.0:${OTLP_HTTP_IN}` } } },
    },
    processors: {
      memory_limiter: memoryLimiter(),
      k8s_attributes: {
        auth_type: 'serviceAccount',
        filter: { node_from_env_var: NODE_NAME_ENV },
        // SDK-set pod attributes first, else the sender's address (the Service keeps it: no SNAT in-cluster).
        pod_association: [
          { sources: [{ from: 'resource_attribute', name: 'k8s.pod.ip' }] },
          { sources: [{ from: 'resource_attribute', name: 'k8s.pod.uid' }] },
          { sources: [{ from: 'connection' }] },
        ],
        extract: {
          metadata: ['k8s.namespace.name', 'k8s.pod.name', 'k8s.pod.uid', 'k8s.node.name', 'k8s.deployment.name', 'k8s.statefulset.name', 'k8s.daemonset.name'],
        },
      },
      // The agent knows which cluster and environment it runs in better than any application.
      resource: {
        attributes: [
          { key: 'cluster.name', value: env.cluster.name, action: 'upsert' },
          { key: 'environment', value: env.name, action: 'upsert' },
          ...(single ? [ratioAttribute(s.percentage)] : []),
        ],
      },
      // A failing statement is logged and skipped (the default, propagate, would drop the whole batch).
      [SCRUB_PROCESSOR]: { error_mode: 'ignore', trace_statements: scrubStatements(own.scrubbing) },
      batch: batch(),
      ...(single ? { [samplerId(s.percentage)]: sampler(s.percentage) } : {}),
      ...(routed ? samplingProcessors(env) : {}),
    },
    ...(routed ? { connectors: { [ROUTING_CONNECTOR]: routingConnector(env) } } : {}),
    exporters: s.tail.enabled
      ? {
          // Every span of a trace goes to the same gateway pod (consistent hashing of the trace id over the
          // pods the headless Service resolves to, re-resolved every 5 s); the gateway decides.
          // One queue and one retry in front of the routing (the exporter's documented advice): a batch that
          // fails on one gateway is routed again, and the queue is bounded once, not once per gateway.
          load_balancing: {
            routing_key: 'traceID',
            // The resolver yields pod IPs: the gateway's certificate is checked under its Service's name.
            protocol: {
              otlp: {
                tls: clientTls(env, CA_FILE, serverName(env, objectName('gateway'))),
                sending_queue: { enabled: false },
                retry_on_failure: { enabled: false },
              },
            },
            resolver: { dns: { hostname: serviceHost(env, objectName('gateway')), port: String(OTLP_GRPC), interval: '5s' } },
            ...resilience(memoryLimit),
          },
        }
      : distributors,
    service: { extensions: ['health_check'], telemetry: telemetry(), pipelines },
  };
}

/** The routing connector: each service with its own percentage to that percentage's pipeline, the rest to the default's. */
function routingConnector(env: EnvironmentSettings): NonNullable<CollectorConfig['connectors']>['routing/sampling'] {
  return {
    // A condition that errors (it only compares a string) would send the spans to the default pipeline.
    error_mode: 'ignore',
    default_pipelines: [pipelineId(env.sampling.percentage)],
    table: serviceRates(env).map(([service, p]) => ({
      context: 'resource',
      condition: `attributes["service.name"] == ${ottlString(service)}`,
      pipelines: [pipelineId(p)],
    })),
  };
}

/** An OTTL string literal (Go quoting), with `$` doubled so the collector's ${env:...} expansion leaves it alone. */
export const ottlString = (s: string): string => JSON.stringify(s).replace(/\$/g, '$$$$');

/**
 * OTTL statements for the scrubbing policy: delete, hash, then mask, on resource, span and span-event
 * attributes; masks also apply to span names (GET /users/jane@example.com).
 */
export function scrubStatements(s: Scrubbing): ContextStatements[] {
  const onAttributes = [
    ...s.deleteAttributes.map((key) => `delete_key(attributes, ${ottlString(key)})`),
    // String() first: SHA256 takes strings only, and an int id must not slip through unhashed.
    ...s.hashAttributes.map((key) => {
      const attr = `attributes[${ottlString(key)}]`;
      return `set(${attr}, SHA256(String(${attr}))) where ${attr} != nil`;
    }),
    ...s.maskPatterns.map((p) => `replace_all_patterns(attributes, "value", ${ottlString(p.regex)}, ${ottlString(redacted(p.name))})`),
  ];
  const onSpanName = s.maskPatterns.map((p) => `replace_pattern(name, ${ottlString(p.regex)}, ${ottlString(redacted(p.name))})`);
  return [
    { context: 'resource' as const, statements: onAttributes },
    { context: 'span' as const, statements: [...onAttributes, ...onSpanName] },
    { context: 'spanevent' as const, statements: onAttributes },
  ].filter((c) => c.statements.length > 0);
}

export const redacted = (name: string): string => `[REDACTED:${name}]`;

/** Why the collector could not run this scrubbing policy (paths relative to components.collector). */
export function scrubbingProblems(s: Scrubbing): Problem[] {
  const problems: Problem[] = [];
  for (const key of s.hashAttributes.filter((k) => s.deleteAttributes.includes(k))) {
    problems.push({ path: 'scrubbing.hashAttributes', message: `"${key}" is also in deleteAttributes; expected each attribute in one list` });
  }
  const names = new Set<string>(); // not findIndex: 10,000 patterns must not cost 50M comparisons
  s.maskPatterns.forEach((p, i) => {
    if (names.has(p.name)) problems.push({ path: `scrubbing.maskPatterns.${i}.name`, message: `"${p.name}" is used twice; expected unique names` });
    names.add(p.name);
    const why = re2Problem(p.regex);
    if (why) problems.push({ path: `scrubbing.maskPatterns.${i}.regex`, message: `${why}; expected an RE2 (Go) regular expression` });
  });
  return problems;
}
