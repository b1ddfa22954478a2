// Grafana's rollout-operator (github.com/grafana/rollout-operator, pinned v0.38.1), as Tempo's own
// jsonnet runs it for zone-aware ingesters: it rolls the StatefulSets of a rollout group (label
// rollout-group, updateStrategy OnDelete) one zone at a time, deleting at most rollout-max-unavailable pods
// of a zone and only while every other zone is Ready; and it answers the pod-eviction webhook with the
// ZoneAwarePodDisruptionBudget (a drain takes one whole zone, never a pod of a second one).
// Runs when a component is zone-aware. Objects written from the operator's README, RBAC and flags at v0.38.1.
import { PATTERNS, resources, str } from '../environment/fields';
import type { EnvironmentSettings } from '../environment/settings';
import { goMemLimit } from '../environment/units';
import type { KubeObject, ObjectOf } from '../kubernetes/objects';
import { imageTag, labels, objectName, selectorLabels } from '../stack';
import { component } from './component';
import { ANYWHERE, DNS, HTTPS, scrapedBy } from './peers';
import { containerPorts, containerResources, containerSecurity, podSecurity, service, servicePort } from './pod';
import { zpdbDefinition } from './rollout-operator-crd';

export const ROLLOUT_OPERATOR = objectName('rollout-operator');
/** distroless/static nonroot, the image's base (Dockerfile at v0.38.1). */
const UID = 65532;
const PORTS = [
  { name: 'http-metrics', port: 8001, service: true }, // -server.port: /metrics, /ready
  { name: 'https', port: 8443 }, // -server-tls.port: the admission webhooks
] as const;
/** The operator keeps its self-signed webhook certificate in this Secret (it creates it; nothing in git). */
const TLS_SECRET = `${ROLLOUT_OPERATOR}-tls`;
export const EVICTION_WEBHOOK = `${ROLLOUT_OPERATOR}-pod-eviction`;
/** The operator injects its CA into webhook configurations carrying both labels (pkg/tlscert). */
const injectCaLabels = (namespace: string) => ({ 'grafana.com/inject-rollout-operator-ca': 'true', 'grafana.com/namespace': namespace });

/**
 * A component of this environment is zone-aware: the ingesters, where the environment's Tempo runs them
 * (2.10; Tempo 3's live-store zones need no rollout-operator). `enabled` sees the whole environment.
 */
export const zoneAware = (env: EnvironmentSettings): boolean =>
  env.tempo.version === '2.10' &&
  (env as EnvironmentSettings & { components?: { ingester?: { zoneAware?: boolean } } }).components?.ingester?.zoneAware === true;

export const rolloutOperator = component({
  name: 'rollout-operator',
  description: "Grafana's rollout-operator: zone-by-zone rollouts of zone-aware StatefulSets, and their zone-aware disruption budget",
  settings: {
    image: str('rollout-operator image with a pinned tag (flags and RBAC are written for v0.38.1)', PATTERNS.pinnedImage, 'grafana/rollout-operator:v0.38.1'),
    resources: resources(
      { requests: { cpu: '100m', memory: '100Mi' }, limits: { cpu: '500m', memory: '200Mi' } },
      { least: '64Mi', why: "the rollout-operator's own jsonnet requests 100Mi and limits it to 200Mi" },
    ),
  },
  enabled: zoneAware,
  version: (_env, own) => imageTag(own.image),
  ports: PORTS,
  metrics: { port: 'http-metrics', container: 'rollout-operator', number: 8001 },
  ingress: (env) =>
    [
      // The API server calls the eviction webhook from the control plane, which has no pod or namespace to name.
      { from: ANYWHERE, ports: [8443] },
      scrapedBy(env, 8001),
    ].filter((f) => f.from.length > 0),
  // Only the Kubernetes API (443).
  egress: () => [DNS, HTTPS],
  objects(env, own) {
    const meta = { name: ROLLOUT_OPERATOR, labels: labels('rollout-operator', imageTag(own.image)) };
    const subjects = [{ kind: 'ServiceAccount', name: ROLLOUT_OPERATOR, namespace: env.namespace }];
    const deployment: ObjectOf<'Deployment'> = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta,
      spec: {
        replicas: 1,
        revisionHistoryLimit: 5,
        // Never two operators at once (its own jsonnet: maxSurge 0).
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
        selector: { matchLabels: selectorLabels('rollout-operator') },
        template: {
          metadata: { labels: meta.labels },
          spec: {
            serviceAccountName: ROLLOUT_OPERATOR,
            automountServiceAccountToken: true,
            securityContext: podSecurity(UID),
            containers: [
              {
                name: 'rollout-operator',
                image: own.image,
                imagePullPolicy: 'IfNotPresent',
                args: [
                  `-kubernetes.namespace=${env.namespace}`,
                  '-log.level=info',
                  '-server-tls.enabled=true',
                  `-server-tls.self-signed-cert.secret-name=${TLS_SECRET}`,
                  // The name the API server dials (our Service is not called rollout-operator).
                  `-server-tls.self-signed-cert.dns-name=${ROLLOUT_OPERATOR}.${env.namespace}.svc`,
                ],
                ports: containerPorts(PORTS),
                env: [{ name: 'GOMEMLIMIT', value: goMemLimit(own.resources.limits.memory) }],
                readinessProbe: { httpGet: { path: '/ready', port: 'http-metrics' }, initialDelaySeconds: 5, timeoutSeconds: 1 },
                resources: containerResources(own.resources),
                securityContext: containerSecurity,
              },
            ],
          },
        },
      },
    };
    const objects: KubeObject[] = [
      zpdbDefinition(meta.labels),
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: meta,
        rules: [
          // Rollouts delete pods; the budget annotates their ready time (grafana.com/ready-time).
          { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'delete', 'patch'] },
          { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['get', 'list', 'watch'] },
          // With OnDelete, the operator moves status.currentRevision once a StatefulSet is rolled out.
          { apiGroups: ['apps'], resources: ['statefulsets/status'], verbs: ['update'] },
          { apiGroups: ['rollout-operator.grafana.com'], resources: ['zoneawarepoddisruptionbudgets'], verbs: ['get', 'list', 'watch'] },
          // Its self-signed webhook certificate, kept across restarts.
          { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
          { apiGroups: [''], resources: ['secrets'], resourceNames: [TLS_SECRET], verbs: ['get', 'update'] },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: meta,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: ROLLOUT_OPERATOR },
        subjects,
      },
      // Cluster-scoped only because webhook configurations are: it watches them and writes its CA into ours.
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: meta,
        rules: [
          {
            apiGroups: ['admissionregistration.k8s.io'],
            resources: ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'],
            verbs: ['list', 'watch'],
          },
          { apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], resourceNames: [EVICTION_WEBHOOK], verbs: ['patch'] },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: meta,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: ROLLOUT_OPERATOR },
        subjects,
      },
      deployment,
      service({ name: 'rollout-operator', ports: PORTS }, meta.labels, { extraPorts: [servicePort('https', 443, 'https')] }),
      evictionWebhook(env.namespace, meta.labels),
    ];
    return objects;
  },
});

/**
 * Every eviction of a pod in the namespace asks the operator first; it applies the ZoneAwarePodDisruptionBudget
 * to the pods it covers and allows the others. No objectSelector: for pods/eviction the API server would match
 * it against the Eviction, which has no labels. Fail closed: without the operator, no ingester is evicted.
 */
function evictionWebhook(namespace: string, objectLabels: Record<string, string>): ObjectOf<'ValidatingWebhookConfiguration'> {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: EVICTION_WEBHOOK, labels: { ...objectLabels, ...injectCaLabels(namespace) } },
    webhooks: [
      {
        name: `pod-eviction.${ROLLOUT_OPERATOR}.${namespace}.svc`,
        admissionReviewVersions: ['v1'],
        clientConfig: { service: { name: ROLLOUT_OPERATOR, namespace: namespace, path: '/admission/pod-eviction', port: 443 } },
        failurePolicy: 'Fail',
        sideEffects: 'None',
        timeoutSeconds: 10,
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods/eviction'], scope: 'Namespaced' }],
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
      },
    ],
  };
}
