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
