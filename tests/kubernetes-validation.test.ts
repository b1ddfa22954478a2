// The strict Kubernetes validator (what `npm run validate` runs on every object of every overlay).
import { describe, expect, it } from 'vitest';
import { RETIRED_APIS, retiredApiProblem } from '../generators/kubernetes/api-versions';
import { SCHEMA_SOURCES } from '../generators/kubernetes/kinds';
import { KubernetesValidator } from '../generators/kubernetes/validate';
import { build } from './helpers/kustomize';
import { find, type Any } from './helpers/objects';

const validator = new KubernetesValidator();
const prod = build('overlays/prod');
const rendered = (kind: string, name: string): Any => structuredClone(find(prod, kind, name));
const messages = (o: unknown, version = '1.32') => validator.validate(o, version).map((p) => `${p.object}: ${p.path}: ${p.message}`);

describe('the strict Kubernetes validator on a rendered object', () => {
  it('accepts it as rendered', () => {
    expect(messages(rendered('Deployment', 'tempo-stack-querier'))).toEqual([]);
  });

  it('catches an unknown field anywhere, naming the path and the nearest known field', () => {
    const d = rendered('Deployment', 'tempo-stack-querier');
    d.spec.replica = 2;
    d.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    d.metadata.lables = { a: 'b' };
    expect(messages(d)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Deployment\/tempo-stack-querier: spec\.replica: unknown field \(did you mean "replicas"\?\)/),
        expect.stringMatching(
          /^Deployment\/tempo-stack-querier: spec\.template\.spec\.containers\[0\]\.imagePullPolicyy: unknown field \(did you mean "imagePullPolicy"\?\)/,
        ),
        expect.stringMatching(/^Deployment\/tempo-stack-querier: metadata\.lables: unknown field \(did you mean "labels"\?\)/),
      ]),
    );
    expect(messages(d)).toHaveLength(3);
  });

  it('catches a wrong type', () => {
    const s = rendered('StatefulSet', 'tempo-stack-ingester-zone-a');
    s.spec.replicas = '3';
    s.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    s.spec.persistentVolumeClaimRetentionPolicy.whenScaled = false;
    expect(messages(s)).toEqual([
      'StatefulSet/tempo-stack-ingester-zone-a: spec.persistentVolumeClaimRetentionPolicy.whenScaled: expected string, got boolean false',
      'StatefulSet/tempo-stack-ingester-zone-a: spec.replicas: expected number, got string "3"',
      'StatefulSet/tempo-stack-ingester-zone-a: spec.template.spec.containers[0].ports[0].containerPort: expected number, got string "http"',
    ]);
  });

  it('catches a value outside an enum', () => {
    const d = rendered('Deployment', 'tempo-stack-querier');
    d.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes';
    expect(messages(d)).toEqual([
      'Deployment/tempo-stack-querier: spec.template.spec.containers[0].imagePullPolicy: expected one of "Always", "IfNotPresent", "Never", got string "Sometimes"',
    ]);
  });

  it('catches a missing required field', () => {
    const d = rendered('Deployment', 'tempo-stack-querier');
    delete d.spec.selector;
    delete d.spec.template.spec.containers[0].name;
    expect(messages(d)).toEqual([
      'Deployment/tempo-stack-querier: spec: missing required field "selector"',
      'Deployment/tempo-stack-querier: spec.template.spec.containers[0]: missing required field "name"',
    ]);
  });

  it("rejects an apiVersion the environment's Kubernetes removed", () => {
    const pdb = rendered('PodDisruptionBudget', 'tempo-stack-querier');
    pdb.apiVersion = 'policy/v1beta1';
    expect(messages(pdb, '1.30')).toEqual([
      'PodDisruptionBudget/tempo-stack-querier: apiVersion: policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25 (this environment runs 1.30); use policy/v1',
    ]);
  });

  it("rejects an apiVersion deprecated in the environment's Kubernetes, and accepts it before", () => {
    const schema = { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', kind: 'FlowSchema', metadata: { name: 'x' } };
    expect(retiredApiProblem(schema.apiVersion, schema.kind, '1.28')).toBeUndefined();
    expect(messages(schema, '1.29')).toEqual([
      'FlowSchema/x: apiVersion: flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is deprecated since Kubernetes 1.29 and is removed in 1.32 (this environment runs 1.29); use flowcontrol.apiserver.k8s.io/v1',
    ]);
    expect(messages(schema, '1.32')[0]).toMatch(/was removed in Kubernetes 1\.32/);
    expect(RETIRED_APIS.every((a) => a.removedIn || a.deprecatedIn)).toBe(true);
  });

  it('fails a kind without a schema, unless the skip list gives a reason', () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: {} };
    expect(messages(widget)).toEqual([
      'Widget/w: apiVersion: no schema for example.com/v1 Widget: add it to SCHEMA_SOURCES in generators/kubernetes/kinds.ts and run npm run kubernetes-schemas, or list it in SKIPPED_KINDS with the reason',
    ]);
    const skipping = new KubernetesValidator({ 'example.com/v1/Widget': 'an example' });
    expect(skipping.validate(widget, '1.32')).toEqual([]);
    const es = { apiVersion: 'external-secrets.io/v1beta1', kind: 'ExternalSecret', metadata: { name: 's3' } };
    expect(messages(es)[0]).toMatch(/no schema for external-secrets\.io\/v1beta1 ExternalSecret \(ExternalSecret has a schema for external-secrets\.io\/v1\)/);
  });

  it('has a schema for every kind it promises', () => {
    expect(validator.kinds).toEqual(SCHEMA_SOURCES.flatMap((s) => s.kinds).sort());
  });
});

// Objects other parts of the repo render (or will): each must pass as written and fail with one typo.
const samples: Array<[Any, (o: Any) => void, RegExp]> = [
  [
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'tempo', namespace: 'observability' },
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': 'tempo' } },
        endpoints: [
          {
            port: 'http',
            path: '/metrics',
            interval: '30s',
            relabelings: [{ action: 'replace', sourceLabels: ['__meta_kubernetes_namespace'], targetLabel: 'namespace' }],
          },
        ],
      },
    },
    (o) => (o.spec.endpoints[0].intervall = '30s'),
    /spec\.endpoints\[0\]\.intervall: unknown field \(did you mean "interval"\?\)/,
  ],
  [
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'tempo' },
      spec: {
        groups: [
          { name: 'tempo', rules: [{ alert: 'TempoDown', expr: 'up == 0', for: '5m', labels: { severity: 'critical' }, annotations: { summary: 'x' } }] },
        ],
      },
    },
    (o) => (o.spec.groups[0].rules[0].expression = 'up'),
    /spec\.groups\[0\]\.rules\[0\]\.expression: unknown field/,
  ],
  [
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'tempo' },
      spec: { selector: { matchLabels: { app: 'tempo' } }, podMetricsEndpoints: [{ port: 'http' }] },
    },
    (o) => (o.spec.podMetricsEndpoints = 'http'),
    /spec\.podMetricsEndpoints: expected array, got string "http"/,
  ],
  [
    {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'tempo-s3-credentials' },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' },
        target: { name: 'tempo-s3-credentials', creationPolicy: 'Owner' },
        data: [{ secretKey: 'access_key_id', remoteRef: { key: 'tempo/prod/s3', property: 'access_key_id' } }],
      },
    },
    (o) => (o.spec.secretStoreRef.kindd = 'SecretStore'),
    /spec\.secretStoreRef\.kindd: unknown field \(did you mean "kind"\?\)/,
  ],
  [
    {
      apiVersion: 'external-secrets.io/v1',
      kind: 'SecretStore',
      metadata: { name: 'aws' },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1', auth: { jwt: { serviceAccountRef: { name: 'tempo-stack' } } } } } },
    },
    (o) => (o.spec.provider.aws.service = 'Vault'),
    /spec\.provider\.aws\.service: expected one of "SecretsManager", "ParameterStore"/,
  ],
  [
    {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name: 'aws-secrets-manager' },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1' } } },
    },
    (o) => delete o.spec.provider.aws.service,
    /spec\.provider\.aws: missing required field "service"/,
  ],
  [
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'tempo-prod', namespace: 'argocd' },
      spec: {
        project: 'tempo',
        source: { repoURL: 'https://example.com/tempo-gitops.git', targetRevision: 'main', path: 'overlays/prod' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'observability' },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true'] },
      },
    },
    (o) => (o.spec.syncPolicy.automated.selfheal = true),
    /spec\.syncPolicy\.automated\.selfheal: unknown field \(did you mean "selfHeal"\?\)/,
  ],
  [
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: 'tempo', namespace: 'argocd' },
      spec: { sourceRepos: ['https://example.com/tempo-gitops.git'], destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'observability' }] },
    },
    (o) => (o.spec.destinations[0].namespaces = ['observability']),
    /spec\.destinations\[0\]\.namespaces: unknown field \(did you mean "namespace"\?\)/,
  ],
  [
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: 'tempo', namespace: 'argocd' },
      spec: {
        generators: [{ list: { elements: [{ env: 'prod' }] } }],
        template: {
          metadata: { name: 'tempo-{{env}}' },
          spec: {
            project: 'tempo',
            source: { repoURL: 'https://example.com/tempo-gitops.git', targetRevision: 'main', path: 'overlays/{{env}}' },
            destination: { server: 'https://kubernetes.default.svc', namespace: 'observability' },
          },
        },
      },
    },
    (o) => (o.spec.template.spec.source.path = 7),
    /spec\.template\.spec\.source\.path: expected string, got number 7/,
  ],
  [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'tempo' },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'tempo-stack' } },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 3200, protocol: 'TCP' }] },
        ],
      },
    },
    (o) => (o.spec.ingress[0].ports[0].protocol = 'HTTP'),
    /spec\.ingress\[0\]\.ports\[0\]\.protocol: expected one of "SCTP", "TCP", "UDP"/,
  ],
];

describe('the strict validator on the CRDs and kinds the repo uses', () => {
  for (const [object, breakIt, message] of samples) {
    it(`${object.apiVersion} ${object.kind}: passes as written, fails with a typo`, () => {
      expect(messages(object)).toEqual([]);
      const broken = structuredClone(object);
      breakIt(broken);
      expect(messages(broken).join('\n')).toMatch(message);
    });
  }

  it('accepts free-form values where the API keeps any content (Argo CD Helm values)', () => {
    const app: Any = structuredClone(samples.find(([o]) => o.kind === 'Application')![0]);
    app.spec.source.helm = { valuesObject: { any: { nested: ['thing'] } } };
    expect(messages(app)).toEqual([]);
  });
});
