// The OpenTelemetry Collector agent: a DaemonSet (one collector per node) that receives OTLP from the
// applications, scrubs PII, adds Kubernetes and environment attributes, batches, and forwards to the
// distributor. Plain Kubernetes objects, no OpenTelemetry Operator: the agent needs nothing the operator
// adds, and one less controller means one less thing to run, upgrade and trust with cluster rights.
//
// Every key of the collector config below was checked against otelcol-contrib 0.159.0 (the pinned image):
// core components in opentelemetry-collector v0.159.0 (otlpreceiver, memorylimiterprocessor,
// batchprocessor, otlpexporter with its exporterhelper queue and configretry, otelconftelemetry), contrib
// components against their config structs and generated config schemas (k8sattributesprocessor,
// resourceprocessor with coreinternal/attraction, transformprocessor and pkg/ottl, healthcheckextension).
// The interfaces spell out exactly those keys, so a typo does not compile.
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { Environment, Scrubbing } from './environment/types';
import { goMemLimit, parseQuantity } from './quantity';
import type { GeneratedConfigMap, K8sObject } from './render';
import { EDGE_PORTS, NAMESPACE, labels, objectName, receiverPort, selectorLabels, serviceHost } from './stack';
import { containerSecurity, podSecurity } from './workloads';

export const COLLECTOR = objectName('collector');
export const COLLECTOR_CONFIG_FILE = 'collector.yaml';
const CONFIG_DIR = '/conf';
/** The downward-API variable k8s_attributes filters pods by: each agent watches only its own node. */
const NODE_NAME_ENV = 'K8S_NODE_NAME';

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
  return `${serviceHost(objectName('distributor'))}:${receiverPort('otlp-grpc')}`;
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

export function collectorConfig(env: Environment): CollectorConfig {
  const memoryLimit = parseQuantity(env.collector.resources.limits.memory);
  return {
    // Binds every interface: the kubelet probes the pod IP.
    extensions: { health_check: { endpoint: `0.0.0.0:${EDGE_PORTS.collectorHealth}`, path: '/' } },
    receivers: {
      // The collector binds localhost by default: applications on other pods could not reach it.
      otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${EDGE_PORTS.collectorOtlpGrpc}` }, http: { endpoint: `0.0.0.0:${EDGE_PORTS.collectorOtlpHttp}` } } },
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
          metadata: [
            'k8s.namespace.name',
            'k8s.pod.name',
            'k8s.pod.uid',
            'k8s.node.name',
            'k8s.deployment.name',
            'k8s.statefulset.name',
            'k8s.daemonset.name',
          ],
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
      [SCRUB_PROCESSOR]: { error_mode: 'ignore', trace_statements: scrubStatements(env.collector.scrubbing) },
      batch: { timeout: '1s', send_batch_size: 1024 },
    },
    exporters: {
      otlp_grpc: {
        endpoint: distributorEndpoint(),
        tls: { insecure: true },
        // With multitenancy the distributor refuses spans without a tenant. One tenant per agent; a tenant
        // per application would need the headers_setter extension reading the sender's metadata.
        ...(env.features.multitenancy ? { headers: { 'X-Scope-OrgID': env.collector.tenant } } : {}),
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
                  prometheus: { host: '0.0.0.0', port: EDGE_PORTS.collectorMetrics, without_scope_info: true, without_units: true, without_type_suffix: false },
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

const ports = [
  { name: 'otlp-grpc', containerPort: EDGE_PORTS.collectorOtlpGrpc, protocol: 'TCP' as const },
  { name: 'otlp-http', containerPort: EDGE_PORTS.collectorOtlpHttp, protocol: 'TCP' as const },
  { name: 'http-metrics', containerPort: EDGE_PORTS.collectorMetrics, protocol: 'TCP' as const },
  { name: 'health', containerPort: EDGE_PORTS.collectorHealth, protocol: 'TCP' as const },
];

function daemonSet(env: Environment): IDaemonSet {
  const resources = env.collector.resources;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: COLLECTOR, labels: labels('collector', env) },
    spec: {
      selector: { matchLabels: selectorLabels('collector') },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels: labels('collector', env) },
        spec: {
          serviceAccountName: COLLECTOR,
          // k8s_attributes reads pods, namespaces and replicasets from the API: this pod needs its token.
          automountServiceAccountToken: true,
          // The image runs as 10001 already; said here so Pod Security can check it.
          securityContext: podSecurity(10001),
          // An agent belongs on every node, tainted ones included (their pods send spans too).
          tolerations: [{ operator: 'Exists' }],
          containers: [
            {
              name: 'collector',
              image: env.collector.image,
              imagePullPolicy: 'IfNotPresent',
              args: [`--config=${CONFIG_DIR}/${COLLECTOR_CONFIG_FILE}`],
              ports,
              env: [
                { name: NODE_NAME_ENV, valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                // Below memory_limiter's hard limit (80%): the GC works harder before the limiter refuses data.
                { name: 'GOMEMLIMIT', value: goMemLimit(resources.limits.memory, 0.8) },
              ],
              readinessProbe: { httpGet: { path: '/', port: 'health' }, initialDelaySeconds: 5, timeoutSeconds: 1 },
              // Alive means listening; a collector that is only not ready (starting, shutting down) is left alone.
              livenessProbe: { tcpSocket: { port: 'health' }, initialDelaySeconds: 15, periodSeconds: 20, failureThreshold: 3 },
              resources,
              securityContext: containerSecurity,
              volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
            },
          ],
          volumes: [{ name: 'config', configMap: { name: COLLECTOR } }],
        },
      },
    },
  };
}

function service(env: Environment): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: COLLECTOR, labels: labels('collector', env) },
    spec: {
      type: 'ClusterIP',
      // Each pod's spans go to the agent on its own node: no cross-node hop, and k8s_attributes (which
      // watches only its node's pods) knows every sender. A node without a ready agent drops spans, so the
      // agent tolerates every taint and rolls one node at a time.
      internalTrafficPolicy: 'Local',
      selector: selectorLabels('collector'),
      ports: ports
        .filter((p) => p.name !== 'health')
        .map((p) => ({ name: p.name, port: p.containerPort, targetPort: p.name, protocol: 'TCP' })),
    },
  };
}

/** Read-only access to what k8s_attributes watches: pods and namespaces, replicasets for k8s.deployment.name. */
function rbac(env: Environment): [IServiceAccount, IClusterRole, IClusterRoleBinding] {
  const meta = { name: COLLECTOR, labels: labels('collector', env) };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta,
      rules: [
        { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: COLLECTOR },
      subjects: [{ kind: 'ServiceAccount', name: COLLECTOR, namespace: NAMESPACE }],
    },
  ];
}

export function collectorObjects(env: Environment): K8sObject[] {
  if (!env.features.collector) return [];
  return [...rbac(env), daemonSet(env), service(env)] as K8sObject[];
}

/** collector.yaml, turned into the ConfigMap the DaemonSet mounts (its content hash rolls the agents). */
export function collectorConfigMaps(env: Environment): GeneratedConfigMap[] {
  if (!env.features.collector) return [];
  return [
    {
      name: COLLECTOR,
      file: COLLECTOR_CONFIG_FILE,
      content: { ...collectorConfig(env) },
      comment: `# OpenTelemetry Collector (${env.collector.image}) agent configuration for ${env.name}.\n`,
      labels: labels('collector', env),
    },
  ];
}
