// The OpenTelemetry Collector agent (features.collector): a DaemonSet, one collector per node, that
// applications send OTLP to; it scrubs PII and forwards to the distributor (collector-config.ts). Plain
// Kubernetes objects, no OpenTelemetry Operator: the agent needs nothing the operator adds, and one less
// controller means one less thing to run, upgrade and trust with cluster rights.
import { type Floor, list, object, PATTERNS, resources, str, text } from '../environment/fields';
import { goMemLimit } from '../environment/units';
import type { ObjectOf } from '../kubernetes/objects';
import { imageTag, labels, objectName, selectorLabels } from '../stack';
import { TEMPO_UID } from '../tempo/facts';
import { caMount, caVolume } from '../tls';
import { OTLP_GRPC } from './distributor';
import { COLLECTOR_PORTS, NODE_NAME_ENV, collectorConfig, scrubbingProblems } from './collector-config';
import { COLLECTOR_METRICS_PORT } from './otelcol';
import { component } from './component';
import { containerPorts, containerResources, containerSecurity, podSecurity, service } from './pod';
import { DNS, HTTPS, namespaces, scrapedBy, toStack, toTempo3Distributor } from './peers';

export const COLLECTOR = objectName('collector');
export const COLLECTOR_CONFIG_FILE = 'collector.yaml';
const CONFIG_DIR = '/conf';

const attributeKeys = (description: string, fallback: string[]) => list(str('Attribute key', PATTERNS.attributeKey), description, fallback, true);

/** memory_limiter (limit 80%, spike 25%) refuses data above 55% of the limit: the gateway shares this floor. */
export const COLLECTOR_MEMORY_FLOOR: Floor = {
  least: '128Mi',
  why: "the collector's memory_limiter refuses data above 55% of the limit, and the contrib collector alone needs about 70 MiB",
};

export const collector = component({
  name: 'collector',
  description: 'OpenTelemetry Collector agent (DaemonSet) in front of the distributor',
  settings: {
    // Checked for this version: every key of the collector config (collector-config.ts) exists in it.
    image: str(
      'otel/opentelemetry-collector-contrib image with a pinned tag (the config is written for 0.159)',
      PATTERNS.pinnedImage,
      'otel/opentelemetry-collector-contrib:0.159.0',
    ),
    resources: resources({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } }, COLLECTOR_MEMORY_FLOOR),
    scrubbing: object(
      {
        deleteAttributes: attributeKeys('Attributes removed from every resource, span and span event', [
          'http.request.header.authorization',
          'http.request.header.proxy-authorization',
          'http.request.header.cookie',
          'http.request.header.x-api-key',
          'http.response.header.set-cookie',
          'user.email',
          'user.full_name',
        ]),
        // The platform's policy: traces keep one stable pseudonym per player, never the id itself.
        hashAttributes: attributeKeys('Attributes replaced by their SHA-256 hex digest (e.g. user.id)', ['user.id', 'enduser.id']),
        maskPatterns: list(
          object({
            name: str('Short name shown in the replacement', PATTERNS.dnsLabel),
            regex: text('RE2 regular expression (Go syntax: no lookaround or backreferences)'),
          }),
          'Values (and span names) matching a pattern get the match replaced by [REDACTED:<name>]',
          [
            { name: 'email', regex: '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}' },
            // Visa, Mastercard, Discover (16 digits) and Amex (15), with optional spaces or dashes; brand prefixes
            // keep 13-digit millisecond timestamps and other long numbers out.
            { name: 'card', regex: '\\b(?:4\\d{3}|5[1-5]\\d{2}|2[2-7]\\d{2}|6(?:011|5\\d{2}))(?:[ -]?\\d{4}){3}\\b|\\b3[47]\\d{2}[ -]?\\d{6}[ -]?\\d{5}\\b' },
            { name: 'bearer-token', regex: '(?i)bearer\\s+[A-Za-z0-9._~+/-]+=*' },
            { name: 'jwt', regex: 'eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+' },
          ],
        ),
      },
      'PII scrubbing before spans leave the node',
    ),
    // Tempo's own tenant without multitenancy: turning it on keeps the agents' traces where they were.
    tenant: str('Tenant (X-Scope-OrgID) the agent writes as when features.multitenancy is on', PATTERNS.tenantId, 'single-tenant'),
  },
  version: (_env, own) => imageTag(own.image),
  enabled: (env) => env.features.collector,
  checks: (own) => scrubbingProblems(own.scrubbing),
  ports: COLLECTOR_PORTS,
  metrics: { port: 'http-metrics', container: 'collector', number: COLLECTOR_METRICS_PORT },
  ingress: (env) =>
    [
      { from: namespaces(env.networkPolicies.traceSenderNamespaces), ports: COLLECTOR_PORTS.filter((p) => p.name.startsWith('otlp')).map((p) => p.port) },
      scrapedBy(env, COLLECTOR_METRICS_PORT),
    ].filter((f) => f.from.length > 0),
  // The spans it scrubbed go to the distributor only; k8s_attributes watches the API.
  egress: (env) => [DNS, toStack([OTLP_GRPC]), ...toTempo3Distributor(env, 'collector', OTLP_GRPC), HTTPS],
  objects(env, own) {
    const meta = { name: COLLECTOR, labels: labels('collector', imageTag(own.image)) };
    const tls = env.tls.enabled;
    const daemonSet: ObjectOf<'DaemonSet'> = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta,
      spec: {
        selector: { matchLabels: selectorLabels('collector') },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels: meta.labels },
          spec: {
            serviceAccountName: COLLECTOR,
            // k8s_attributes reads pods, namespaces and replicasets from the API: this pod needs its token.
            automountServiceAccountToken: true,
            // The image runs as 10001 already; said here so Pod Security can check it.
            securityContext: podSecurity(TEMPO_UID),
            // An agent belongs on every node, tainted ones included (their pods send spans too).
            tolerations: [{ operator: 'Exists' }],
            containers: [
              {
                name: 'collector',
                image: own.image,
                imagePullPolicy: 'IfNotPresent',
                args: [`--config=${CONFIG_DIR}/${COLLECTOR_CONFIG_FILE}`],
                ports: containerPorts(COLLECTOR_PORTS),
                env: [
                  { name: NODE_NAME_ENV, valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                  // Below memory_limiter's hard limit (80%): the GC works harder before the limiter refuses data.
                  { name: 'GOMEMLIMIT', value: goMemLimit(own.resources.limits.memory, 0.8) },
                ],
                readinessProbe: { httpGet: { path: '/', port: 'health' }, initialDelaySeconds: 5, timeoutSeconds: 1 },
                // Alive means listening; a collector that is only not ready (starting, shutting down) is left alone.
                livenessProbe: { tcpSocket: { port: 'health' }, initialDelaySeconds: 15, periodSeconds: 20, failureThreshold: 3 },
                resources: containerResources(own.resources),
                securityContext: containerSecurity,
                volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }, ...(tls ? [caMount] : [])],
              },
            ],
            // With TLS: the CA certificate alone (the ca.crt item of the distributor's Secret), to check the next hop.
            volumes: [{ name: 'config', configMap: { name: COLLECTOR } }, ...(tls ? [caVolume('distributor')] : [])],
          },
        },
      },
    };
    return [
      // Read-only access to what k8s_attributes watches: pods and namespaces, replicasets for k8s.deployment.name.
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
        subjects: [{ kind: 'ServiceAccount', name: COLLECTOR, namespace: env.namespace }],
      },
      daemonSet,
      // Each pod's spans go to the agent on its own node: no cross-node hop, and k8s_attributes (which
      // watches only its node's pods) knows every sender. A node without a ready agent drops spans, so the
      // agent tolerates every taint and rolls one node at a time.
      service({ name: 'collector', ports: COLLECTOR_PORTS }, meta.labels, { spec: { internalTrafficPolicy: 'Local' } }),
    ];
  },
  // collector.yaml, turned into the ConfigMap the DaemonSet mounts (its content hash rolls the agents).
  configMaps: (env, own) => [
    {
      name: COLLECTOR,
      file: COLLECTOR_CONFIG_FILE,
      content: { ...collectorConfig(env, own) },
      comment: `# OpenTelemetry Collector (${own.image}) agent configuration for ${env.name}.\n`,
      labels: labels('collector', imageTag(own.image)),
    },
  ],
});
