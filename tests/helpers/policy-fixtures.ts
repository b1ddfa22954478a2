// Test fixtures: a small tree that passes every rule (a generic web app and a Tempo ingester), which
// each rule's test breaks in one place. Written by hand so the rules are not tested against themselves.
import type { KubeObject } from '../../generators/kubernetes/objects';
import { selectorLabels } from '../../generators/stack';

const NS = 'apps';
const meta = (name: string) => ({ name, namespace: NS });
const hardened = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
const podSecurity = { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' as const } };
const spread = (labels: Record<string, string>) => [
  { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' as const, labelSelector: { matchLabels: labels } },
];
const scratch = { 'ephemeral-storage': '64Mi' };

export const WEB = { app: 'web' };
export const INGESTER = selectorLabels('ingester');

function web(): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('web'), automountServiceAccountToken: false },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('web'),
      spec: {
        replicas: 2,
        selector: { matchLabels: WEB },
        template: {
          metadata: { labels: { ...WEB, tier: 'frontend' } },
          spec: {
            serviceAccountName: 'web',
            automountServiceAccountToken: false,
            securityContext: podSecurity,
            topologySpreadConstraints: spread(WEB),
            containers: [
              {
                name: 'web',
                image: 'registry.example.com/team/web:1.4.2',
                ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
                env: [
                  { name: 'LOG_LEVEL', value: 'info' },
                  { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'web', key: 'token' } } },
                  { name: 'DB_PASSWORD', value: '$(DB_PASSWORD_FROM_FILE)' },
                ],
                readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
                livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
                resources: { requests: { cpu: '100m', memory: '64Mi', ...scratch }, limits: { memory: '128Mi', 'ephemeral-storage': '256Mi' } },
                securityContext: hardened,
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/web', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: 'web' } },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    },
    // References and look-alikes that are not credentials.
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('web'),
      data: { 'web.yaml': 'password: ${WEB_PASSWORD}\nsecret_key: /run/secrets/key\nmax_tokens: 100\ntokenizer: words\n' },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: meta('web'), spec: { selector: WEB, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta('web'),
      spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: WEB } },
    },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('default-deny'), spec: { podSelector: {}, policyTypes: ['Ingress'] } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('web'),
      spec: {
        podSelector: { matchLabels: WEB },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
      },
    },
  ];
}

function ingester(): KubeObject[] {
  const config = [
    'ingester:',
    '  lifecycler: {ring: {replication_factor: 3}}',
    '  flush_all_on_shutdown: true',
    'storage: {trace: {wal: {path: /var/tempo/wal}}}',
    'server: {grpc_tls_config: {cert_file: /tls/tls.crt}, http_tls_config: {cert_file: /tls/tls.crt}}',
    'memberlist: {tls_enabled: true}',
    '',
  ].join('\n');
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('tempo-config-5g7h8k9m2c'), data: { 'tempo.yaml': config } },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('tempo-ingester'),
      spec: {
        replicas: 3,
        serviceName: 'tempo-ingester',
        updateStrategy: { type: 'RollingUpdate' },
        selector: { matchLabels: INGESTER },
        template: {
          metadata: { labels: INGESTER },
          spec: {
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: 1200,
            securityContext: podSecurity,
            affinity: {
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: INGESTER }, topologyKey: 'kubernetes.io/hostname' }],
              },
            },
            containers: [
              {
                name: 'ingester',
                image: 'grafana/tempo:2.10.8',
                args: ['-target=ingester', '-config.file=/conf/tempo.yaml'],
                ports: [
                  { name: 'http', containerPort: 3200, protocol: 'TCP' },
                  { name: 'grpc', containerPort: 9095, protocol: 'TCP' },
                ],
                readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
                resources: { requests: { cpu: '1', memory: '4Gi', ...scratch }, limits: { memory: '6Gi', ...scratch } },
                securityContext: hardened,
                volumeMounts: [
                  { name: 'config', mountPath: '/conf', readOnly: true },
                  { name: 'data', mountPath: '/var/tempo' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: 'tempo-config-5g7h8k9m2c' } },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('tempo-ingester'),
      spec: { clusterIP: 'None', selector: INGESTER, ports: [{ name: 'grpc', port: 9095, targetPort: 'grpc' }] },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta('tempo-ingester'),
      spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: INGESTER } },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('tempo-ingester'),
      spec: {
        podSelector: { matchLabels: INGESTER },
        ingress: [{ from: [{ podSelector: { matchLabels: WEB } }], ports: [{ protocol: 'TCP', port: 'grpc' }] }],
      },
    },
  ];
}

/** A fresh copy of the good tree (tests mutate it). */
export const goodTree = (): KubeObject[] => structuredClone([...web(), ...ingester()]);

export const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const OPERATOR = { app: 'rollout-operator' };

/**
 * The good tree with zone-aware ingesters: one StatefulSet per zone, pinned to it and announcing it, rolled
 * out by a rollout-operator (OnDelete, rollout-group), drained under its ZoneAwarePodDisruptionBudget through
 * the pod-eviction webhook. With `legacy`, the single StatefulSet stays beside the zones (the migration).
 */
export function zonedTree(legacy = false): KubeObject[] {
  const tree = goodTree();
  const find = (kind: string, name: string) => tree.find((o) => o.kind === kind && o.metadata.name === name)!;
  const single = find('StatefulSet', 'tempo-ingester') as Extract<KubeObject, { kind: 'StatefulSet' }>;
  (find('ConfigMap', 'tempo-config-5g7h8k9m2c') as Extract<KubeObject, { kind: 'ConfigMap' }>).data!['tempo.yaml'] = [
    'ingester:',
    '  lifecycler: {ring: {replication_factor: 3, zone_awareness_enabled: true}, availability_zone: "${AVAILABILITY_ZONE}"}',
    '  flush_all_on_shutdown: true',
    'storage: {trace: {wal: {path: /var/tempo/wal}}}',
    'server: {grpc_tls_config: {cert_file: /tls/tls.crt}, http_tls_config: {cert_file: /tls/tls.crt}}',
    'memberlist: {tls_enabled: true}',
    '',
  ].join('\n');
  if (!legacy) {
    tree.splice(tree.indexOf(single), 1);
    tree.splice(tree.indexOf(find('PodDisruptionBudget', 'tempo-ingester')), 1);
  }
  for (const zone of ZONES) {
    const name = `tempo-ingester-zone-${zone.slice(-1)}`;
    const s = structuredClone(single);
    const pod = s.spec!.template;
    s.metadata = { ...meta(name), labels: { 'rollout-group': 'ingester' }, annotations: { 'rollout-max-unavailable': '1' } };
    s.spec!.replicas = 1;
    s.spec!.updateStrategy = { type: 'OnDelete' };
    s.spec!.selector = { matchLabels: { ...INGESTER, name } };
    pod.metadata = { labels: { ...INGESTER, name, 'rollout-group': 'ingester' } };
    pod.spec!.affinity = {
      ...pod.spec!.affinity,
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [zone] }] }],
        },
      },
    };
    pod.spec!.containers[0]!.env = [{ name: 'AVAILABILITY_ZONE', value: zone }];
    tree.push(s);
  }
  tree.push(
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('rollout-operator'),
      spec: {
        replicas: 1,
        selector: { matchLabels: OPERATOR },
        template: {
          metadata: { labels: OPERATOR },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { ...podSecurity, runAsUser: 65532, runAsGroup: 65532 },
            containers: [
              {
                name: 'rollout-operator',
                image: 'grafana/rollout-operator:v0.38.1',
                ports: [{ name: 'https', containerPort: 8443, protocol: 'TCP' }],
                readinessProbe: { httpGet: { path: '/ready', port: 'https' } },
                resources: { requests: { cpu: '100m', memory: '100Mi' }, limits: { memory: '200Mi' } },
                securityContext: hardened,
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('rollout-operator'),
      spec: { selector: OPERATOR, ports: [{ name: 'https', port: 443, targetPort: 'https' }] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('rollout-operator'),
      spec: {
        podSelector: { matchLabels: OPERATOR },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 8443 }] }],
      },
    },
    {
      apiVersion: 'rollout-operator.grafana.com/v1',
      kind: 'ZoneAwarePodDisruptionBudget',
      metadata: meta('tempo-ingester'),
      spec: { maxUnavailablePercentage: 100, selector: { matchLabels: { 'rollout-group': 'ingester' } } },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'pod-eviction' },
      webhooks: [
        {
          name: 'pod-eviction.rollout-operator.apps.svc',
          admissionReviewVersions: ['v1'],
          clientConfig: { service: { name: 'rollout-operator', namespace: NS, path: '/admission/pod-eviction', port: 443 } },
          failurePolicy: 'Fail',
          sideEffects: 'None',
          rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods/eviction'], scope: 'Namespaced' }],
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS } },
        },
      ],
    },
  );
  return tree;
}
