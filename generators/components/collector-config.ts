// The OpenTelemetry Collector agent's configuration (collector.yaml): receive OTLP, limit memory, add
// Kubernetes and environment attributes, scrub PII, batch, and export to the distributor.
//
// Every key of the collector config below was checked against otelcol-contrib 0.159.0 (the pinned image):
// core components in opentelemetry-collector v0.159.0 (otlpreceiver, memorylimiterprocessor,
// batchprocessor, otlpexporter with its exporterhelper queue and configretry, otelconftelemetry), contrib
// components against their config structs and generated config schemas (k8sattributesprocessor,
// resourceprocessor with coreinternal/attraction, transformprocessor and pkg/ottl, healthcheckextension).
// The interfaces spell out exactly those keys, so a typo does not compile.
import type { Problem } from '../validation/messages';
import type { EnvironmentSettings } from '../environment/settings';
import type { Quantity } from '../environment/units';
import { objectName, serviceHost } from '../stack';
import { OTLP_GRPC } from './distributor';

/** The collector's ports: OTLP in, its own metrics, and the health check the kubelet probes. */
export const COLLECTOR_PORTS = [
  { name: 'otlp-grpc', port: 4317, service: true },
  { name: 'otlp-http', port: 4318, service: true },
  { name: 'http-metrics', port: 8888, service: true }, // the collector's own telemetry (Prometheus pull reader)
  { name: 'health', port: 13133 }, // health_check extension
] as const;
const [OTLP_GRPC_IN, OTLP_HTTP_IN, METRICS, HEALTH] = COLLECTOR_PORTS.map((p) => p.port) as [number, number, number, number];
export const COLLECTOR_METRICS_PORT = METRICS;
export const COLLECTOR_HEALTH_PORT = HEALTH;

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

// Component ids as they appear in the pipeline. `otlp_grpc` and `k8s_attributes` are the names of
// 0.159.0 (`otlp` and `k8sattributes` are deprecated aliases there).
export const PIPELINE = {
  receivers: ['otlp'],
  processors: ['memory_limiter', 'k8s_attributes', 'resource', 'transform/scrub-pii', 'batch'],
  exporters: ['otlp_grpc'],
} as const;
export const SCRUB_PROCESSOR = 'transform/scrub-pii';

/** The distributor's OTLP gRPC receiver, as the collector dials it. */
export function distributorEndpoint(): string {
  return `${serviceHost(objectName('distributor'))}:${OTLP_GRPC}`;
}

interface AttributeAction {
  key: string;
  value: string;
  action: 'insert' | 'update' | 'upsert';
}
interface ContextStatements {
  context: 'resource' | 'span' | 'spanevent';
  statements: string[];
}
export interface CollectorConfig {
  extensions: { health_check: { endpoint: string; path: string } };
  receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } };
  processors: {
    memory_limiter: { check_interval: string; limit_percentage: number; spike_limit_percentage: number };
    k8s_attributes: {
      auth_type: 'serviceAccount';
      filter: { node_from_env_var: string };
      pod_association: Array<{ sources: Array<{ from: 'resource_attribute' | 'connection'; name?: string }> }>;
      extract: { metadata: string[] };
    };
    resource: { attributes: AttributeAction[] };
    'transform/scrub-pii': { error_mode: 'ignore' | 'propagate'; trace_statements: ContextStatements[] };
    batch: { timeout: string; send_batch_size: number };
  };
  exporters: {
    otlp_grpc: {
      endpoint: string;
      tls: { insecure: boolean };
      headers?: Record<string, string>;
      sending_queue: { enabled: boolean; sizer: 'requests' | 'items' | 'bytes'; queue_size: number; num_consumers: number };
      retry_on_failure: { enabled: boolean; initial_interval: string; max_interval: string; max_elapsed_time: string };
    };
  };
  service: {
    extensions: string[];
    telemetry: {
      metrics: {
        level: 'none' | 'basic' | 'normal' | 'detailed';
        readers: Array<{
          pull: {
            exporter: {
              prometheus: { host: string; port: number; without_scope_info: boolean; without_units: boolean; without_type_suffix: boolean };
            };
          };
        }>;
      };
    };
    pipelines: { traces: { receivers: string[]; processors: string[]; exporters: string[] } };
  };
}

/** Memory the sending queue may hold, and what one queued span costs in it (pdata, generous). */
const QUEUE_MEMORY_SHARE = 0.4;
const BYTES_PER_QUEUED_SPAN = 2048;

export function collectorConfig(env: EnvironmentSettings, own: CollectorSettings): CollectorConfig {
  const memoryLimit = own.resources.limits.memory.value;
  return {
    // Binds every interface: the kubelet probes the pod IP.
    extensions: { health_check: { endpoint: `0.0.0.0:${HEALTH}`, path: '/' } },
    receivers: {
      // The collector binds localhost by default: applications on other pods could not reach it.
      otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_IN}` }, http: { endpoint: `0.0.0.0:${OTLP_HTTP_IN}` } } },
    },
    processors: {
      // First in the pipeline: refuses data (the SDKs retry) before the agent runs out of memory.
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 25 },
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
        ],
      },
      // A failing statement is logged and skipped (the default, propagate, would drop the whole batch).
      [SCRUB_PROCESSOR]: { error_mode: 'ignore', trace_statements: scrubStatements(own.scrubbing) },
      batch: { timeout: '1s', send_batch_size: 1024 },
    },
    exporters: {
      otlp_grpc: {
        endpoint: distributorEndpoint(),
        tls: { insecure: true },
        // With multitenancy the distributor refuses spans without a tenant. One tenant per agent; a tenant
        // per application would need the headers_setter extension reading the sender's metadata.
        ...(env.features.multitenancy ? { headers: { 'X-Scope-OrgID': own.tenant } } : {}),
        // Holds what cannot be sent while the distributor is away, sized in spans to a share of the memory
        // limit: an outage fills the queue and then drops (otelcol_exporter_enqueue_failed_spans_total)
        // instead of OOM-killing the agent. The seed's 1,000 batches of 1,024 spans would need ~2 GiB.
        sending_queue: {
          enabled: true,
          sizer: 'items',
          queue_size: Math.floor((memoryLimit * QUEUE_MEMORY_SHARE) / BYTES_PER_QUEUED_SPAN),
          num_consumers: 10,
        },
        retry_on_failure: { enabled: true, initial_interval: '5s', max_interval: '30s', max_elapsed_time: '300s' },
      },
    },
    service: {
      extensions: ['health_check'],
      telemetry: {
        metrics: {
          level: 'normal',
          // Prometheus scrapes the pod IP (the default reader binds localhost). Counters keep their _total
          // suffix and names carry no unit suffix: otelcol_exporter_sent_spans_total.
          readers: [
            {
              pull: {
                exporter: {
                  prometheus: { host: '0.0.0.0', port: METRICS, without_scope_info: true, without_units: true, without_type_suffix: false },
                },
              },
            },
          ],
        },
      },
      pipelines: { traces: { receivers: [...PIPELINE.receivers], processors: [...PIPELINE.processors], exporters: [...PIPELINE.exporters] } },
    },
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
  s.maskPatterns.forEach((p, i) => {
    if (s.maskPatterns.findIndex((q) => q.name === p.name) !== i)
      problems.push({ path: `scrubbing.maskPatterns.${i}.name`, message: `"${p.name}" is used twice; expected unique names` });
    const why = re2Problem(p.regex);
    if (why) problems.push({ path: `scrubbing.maskPatterns.${i}.regex`, message: `${why}; expected an RE2 (Go) regular expression` });
  });
  return problems;
}

/**
 * Why the collector (Go RE2) would reject `regex`, as far as JavaScript can tell: RE2 has no lookaround
 * or backreferences; the rest is checked by compiling it here (inline flags and (?P<name>) translated).
 */
export function re2Problem(regex: string): string | undefined {
  if (/\\(?:[1-9]|k<)/.test(regex)) return `"${regex}" uses a backreference, which RE2 does not support`;
  if (/\(\?(?:=|!|<=|<!|>)/.test(regex)) return `"${regex}" uses lookaround or an atomic group, which RE2 does not support`;
  const flags = /^\(\?([imsU]+)\)/.exec(regex);
  const body = (flags ? regex.slice(flags[0].length) : regex).replace(/\(\?P</g, '(?<');
  try {
    new RegExp(body, (flags?.[1] ?? '').replace('U', ''));
  } catch (e) {
    return `"${regex}" is not a valid regular expression (${(e as Error).message})`;
  }
  return undefined;
}
