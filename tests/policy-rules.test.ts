// Each rule catches a bad object and passes the good ones: the fixture tree passes every rule, and each
// case below breaks it in one place and expects exactly that rule to say so.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../generators/kubernetes/objects';
import { RULES, failures, report, runPolicies, unusedWaivers } from '../policies/index';
import { credentialAssignments } from '../policies/rules/secrets';
import { find } from './helpers/objects';
import { INGESTER, WEB, goodTree, zonedTree } from './helpers/policy-fixtures';

const get = find; // returns Any: the cases below mutate fixtures freely
const webPod = (t: KubeObject[]) => get(t, 'Deployment', 'web').spec.template.spec;
const webContainer = (t: KubeObject[]) => webPod(t).containers[0];
const ingester = (t: KubeObject[]) => get(t, 'StatefulSet', 'tempo-ingester');
const tempoConfig = (t: KubeObject[], yaml: string) => (get(t, 'ConfigMap', 'tempo-config-5g7h8k9m2c').data['tempo.yaml'] = yaml);
const drop = (t: KubeObject[], kind: string, name: string) => t.splice(t.indexOf(get(t, kind, name)), 1);
// Built at run time so the repository never holds a string that secret scanners would flag.
const fakeGitHubToken = ['ghp', 'wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx'].join('_');

interface Case {
  rule: string;
  bad: string;
  breaks(t: KubeObject[]): void;
  expected: RegExp;
  /** The tree the case breaks (the good tree unless it is about zone-aware ingesters). */
  tree?: () => KubeObject[];
}

const zoneSet = (t: KubeObject[], zone: string) => get(t, 'StatefulSet', `tempo-ingester-zone-${zone}`);
const pinTo = (t: KubeObject[], zone: string, az: string) => {
  const pod = zoneSet(t, zone).spec.template.spec;
  pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values = [az];
  pod.containers[0].env = [{ name: 'AVAILABILITY_ZONE', value: az }];
};

const cases: Case[] = [
  { rule: 'pss-non-root', bad: 'a UID below 10000', breaks: (t) => (webPod(t).securityContext.runAsUser = 1000), expected: /UID 1000; expected >= 10000/ },
  {
    rule: 'pss-non-root',
    bad: 'no runAsUser (the image decides)',
    breaks: (t) => delete webPod(t).securityContext.runAsUser,
    expected: /runAsUser is not set/,
  },
  {
    rule: 'pss-non-root',
    bad: 'runAsNonRoot false on the container',
    breaks: (t) => (webContainer(t).securityContext = { ...webContainer(t).securityContext, runAsNonRoot: false }),
    expected: /runAsNonRoot is not true/,
  },
  {
    rule: 'pss-privilege-escalation',
    bad: 'allowPrivilegeEscalation unset',
    breaks: (t) => delete webContainer(t).securityContext.allowPrivilegeEscalation,
    expected: /allowPrivilegeEscalation is not false/,
  },
  {
    rule: 'pss-privilege-escalation',
    bad: 'a privileged container',
    breaks: (t) => (webContainer(t).securityContext.privileged = true),
    expected: /is privileged/,
  },
  {
    rule: 'pss-capabilities',
    bad: 'ALL not dropped',
    breaks: (t) => (webContainer(t).securityContext.capabilities = { drop: ['NET_RAW'] }),
    expected: /drop does not contain ALL/,
  },
  {
    rule: 'pss-capabilities',
    bad: 'NET_ADMIN added',
    breaks: (t) => (webContainer(t).securityContext.capabilities.add = ['NET_ADMIN']),
    expected: /adds capabilities NET_ADMIN/,
  },
  {
    rule: 'pss-seccomp',
    bad: 'seccomp Unconfined',
    breaks: (t) => (webPod(t).securityContext.seccompProfile = { type: 'Unconfined' }),
    expected: /seccompProfile is Unconfined/,
  },
  {
    rule: 'pss-volume-types',
    bad: 'an nfs volume',
    breaks: (t) => webPod(t).volumes.push({ name: 'share', nfs: { server: 'nfs', path: '/' } }),
    expected: /volume "share" is of type nfs/,
  },
  {
    rule: 'read-only-root-filesystem',
    bad: 'a writable root filesystem',
    breaks: (t) => (webContainer(t).securityContext.readOnlyRootFilesystem = false),
    expected: /readOnlyRootFilesystem is not true/,
  },
  { rule: 'no-host-access', bad: 'hostNetwork', breaks: (t) => (webPod(t).hostNetwork = true), expected: /hostNetwork is true/ },
  {
    rule: 'no-host-access',
    bad: 'a hostPath volume',
    breaks: (t) => webPod(t).volumes.push({ name: 'logs', hostPath: { path: '/var/log' } }),
    expected: /hostPath \(\/var\/log\)/,
  },
  { rule: 'no-host-access', bad: 'a hostPort', breaks: (t) => (webContainer(t).ports[0].hostPort = 80), expected: /binds hostPort 80/ },
  { rule: 'container-resources', bad: 'no memory limit', breaks: (t) => delete webContainer(t).resources.limits.memory, expected: /sets no limits.memory/ },
  {
    rule: 'container-resources',
    bad: 'no requests',
    breaks: (t) => delete webContainer(t).resources.requests,
    expected: /sets no requests.cpu, requests.memory/,
  },
  {
    rule: 'ephemeral-storage',
    bad: 'a writable emptyDir without an ephemeral-storage limit',
    breaks: (t) => delete webContainer(t).resources.limits['ephemeral-storage'],
    expected: /writes to node disk .* no ephemeral-storage limits/,
  },
  { rule: 'readiness-probe', bad: 'no readiness probe', breaks: (t) => delete webContainer(t).readinessProbe, expected: /has no readinessProbe/ },
  {
    rule: 'readiness-probe',
    bad: 'a probe on an undeclared port',
    breaks: (t) => (webContainer(t).readinessProbe.httpGet.port = 'metrics'),
    expected: /targets port metrics, which the container does not declare/,
  },
  {
    rule: 'readiness-probe',
    bad: 'an exec probe',
    breaks: (t) => (webContainer(t).readinessProbe = { exec: { command: ['true'] } }),
    expected: /checks no port/,
  },
  {
    rule: 'liveness-not-readiness',
    bad: 'liveness = readiness',
    breaks: (t) => (webContainer(t).livenessProbe = { ...webContainer(t).readinessProbe, failureThreshold: 10 }),
    expected: /same endpoint/,
  },
  {
    rule: 'image-pinned',
    bad: 'the latest tag',
    breaks: (t) => (webContainer(t).image = 'registry.example.com:5000/web:latest'),
    expected: /moving tag "latest"/,
  },
  {
    rule: 'image-pinned',
    bad: 'no tag (a registry port is not a tag)',
    breaks: (t) => (webContainer(t).image = 'registry.example.com:5000/web'),
    expected: /has no tag/,
  },
  {
    rule: 'service-account-token',
    bad: 'a token mounted but never used',
    breaks: (t) => {
      delete webPod(t).automountServiceAccountToken;
      get(t, 'ServiceAccount', 'web').automountServiceAccountToken = true;
    },
    expected: /ServiceAccount "web", which no RoleBinding/,
  },
  {
    rule: 'pod-disruption-budget',
    bad: 'a replicated workload without a PDB',
    breaks: (t) => drop(t, 'PodDisruptionBudget', 'web'),
    expected: /runs up to 2 replicas but no PodDisruptionBudget/,
  },
  {
    rule: 'pod-disruption-budget',
    bad: 'a PDB without unhealthyPodEvictionPolicy',
    breaks: (t) => delete get(t, 'PodDisruptionBudget', 'web').spec.unhealthyPodEvictionPolicy,
    expected: /no unhealthyPodEvictionPolicy/,
  },
  {
    rule: 'pod-disruption-budget',
    bad: 'a PDB that blocks every drain',
    breaks: (t) =>
      (get(t, 'PodDisruptionBudget', 'web').spec = { minAvailable: '100%', unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: WEB } }),
    expected: /allows no disruption of Deployment\/web/,
  },
  {
    rule: 'pod-disruption-budget',
    bad: 'an HPA that scales a single replica up',
    breaks: (t) => {
      get(t, 'Deployment', 'web').spec.replicas = 1;
      drop(t, 'PodDisruptionBudget', 'web');
      t.push({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'web', namespace: 'apps' },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 4 },
      });
    },
    expected: /runs up to 4 replicas/,
  },
  {
    rule: 'spread-replicas',
    bad: 'replicas without spread',
    breaks: (t) => delete webPod(t).topologySpreadConstraints,
    expected: /no topologySpreadConstraints or podAntiAffinity/,
  },
  {
    rule: 'spread-replicas',
    bad: 'a spread constraint selecting other pods',
    breaks: (t) => (webPod(t).topologySpreadConstraints[0].labelSelector = { matchLabels: { app: 'other' } }),
    expected: /no topologySpreadConstraints/,
  },
  {
    rule: 'selectors-match',
    bad: 'a selector that misses its template',
    breaks: (t) => (get(t, 'Deployment', 'web').spec.selector = { matchLabels: { app: 'webb' } }),
    expected: /does not match its pod template/,
  },
  {
    rule: 'selectors-match',
    bad: 'a PDB that selects nothing',
    breaks: (t) => (get(t, 'PodDisruptionBudget', 'web').spec.selector = { matchLabels: { app: 'wbe' } }),
    expected: /PodDisruptionBudget|selects no pod/,
  },
  {
    rule: 'selectors-match',
    bad: 'a NetworkPolicy peer with a typo',
    breaks: (t) => (get(t, 'NetworkPolicy', 'tempo-ingester').spec.ingress[0].from = [{ podSelector: { matchLabels: { app: 'wbe' } } }]),
    expected: /peer podSelector .* selects no pod of namespace apps/,
  },
  {
    rule: 'selectors-match',
    bad: 'an HPA without its target',
    breaks: (t) =>
      t.push({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'api', namespace: 'apps' },
        spec: { scaleTargetRef: { kind: 'Deployment', name: 'api' }, maxReplicas: 3 },
      }),
    expected: /Deployment\/api is not in the tree/,
  },
  {
    rule: 'no-secret-literals',
    bad: 'a password literal in env',
    breaks: (t) => webContainer(t).env.push({ name: 'DB_PASSWORD', value: 'hunter22' }),
    expected: /"DB_PASSWORD" is set to a literal/,
  },
  {
    rule: 'no-secret-literals',
    bad: 'a password in a ConfigMap',
    breaks: (t) => (get(t, 'ConfigMap', 'web').data['db.json'] = '{"host": "db", "password": "hunter22"}'),
    expected: /data "db.json": "password" is set to a literal/,
  },
  {
    rule: 'no-secret-literals',
    bad: 'a credential flag in args',
    breaks: (t) => (webContainer(t).args = ['--api-key=abc123def']),
    expected: /"api-key" is set to a literal/,
  },
  {
    rule: 'no-secret-literals',
    bad: 'a GitHub token (secretlint)',
    breaks: (t) => (get(t, 'ConfigMap', 'web').data['notes.txt'] = `deploy with ${fakeGitHubToken}\n`),
    expected: /secretlint github, line 1/,
  },
  {
    rule: 'no-secret-data',
    bad: 'a Secret with data',
    breaks: (t) =>
      t.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's3', namespace: 'apps' }, data: { secret_access_key: 'c2VjcmV0' } } as KubeObject),
    expected: /holds secret_access_key/,
  },
  {
    rule: 'service-targets',
    bad: 'a Service port no container declares',
    breaks: (t) => get(t, 'Service', 'web').spec.ports.push({ name: 'metrics', port: 9090, targetPort: 'metrics' }),
    expected: /port "metrics" targets metrics, which no container of Deployment\/web declares/,
  },
  {
    rule: 'service-targets',
    bad: 'a Service that selects nothing',
    breaks: (t) => (get(t, 'Service', 'web').spec.selector = { app: 'wbe' }),
    expected: /selects no pod/,
  },
  {
    rule: 'network-policy-coverage',
    bad: 'pods no NetworkPolicy covers',
    breaks: (t) => {
      drop(t, 'NetworkPolicy', 'default-deny');
      drop(t, 'NetworkPolicy', 'web');
    },
    expected: /no NetworkPolicy restricts ingress/,
  },
  {
    rule: 'network-policy-coverage',
    bad: 'a Service port the policies block',
    breaks: (t) => (get(t, 'NetworkPolicy', 'web').spec.ingress[0].ports = [{ protocol: 'TCP', port: 8443 }]),
    expected: /port "http" \(Deployment\/web container port 8080\) is admitted by no NetworkPolicy/,
  },
  {
    rule: 'tempo-replication',
    bad: 'replication factor 1',
    breaks: (t) => tempoConfig(t, 'ingester: {flush_all_on_shutdown: true}\n'),
    expected: /replication factor is 1; expected >= 3/,
  },
  {
    rule: 'tls-in-transit',
    bad: 'gossip in plaintext',
    breaks: (t) =>
      tempoConfig(
        t,
        'ingester: {lifecycler: {ring: {replication_factor: 3}}, flush_all_on_shutdown: true}\nserver: {grpc_tls_config: {cert_file: /tls/tls.crt}, http_tls_config: {cert_file: /tls/tls.crt}}\n',
      ),
    expected: /plaintext in transit: memberlist gossip \(7946\) \(StatefulSet\/tempo-ingester\); set tls.enabled, or waive it by name/,
  },
  {
    rule: 'grafana-trusts-tempo',
    bad: 'an https Tempo data source without a CA',
    breaks: (t) =>
      t.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'datasources', namespace: 'apps', labels: { grafana_datasource: '1' } },
        data: { 'ds.yaml': 'datasources:\n  - {name: Tempo, type: tempo, url: "https://tempo:3100", jsonData: {tlsAuthWithCACert: true}}\n' },
      } as KubeObject),
    expected: /data source "Tempo" reads https:\/\/tempo:3100 with no CA: commit the CA as tls.caCertificate/,
  },
  { rule: 'tempo-replication', bad: 'two ingesters', breaks: (t) => (ingester(t).spec.replicas = 2), expected: /runs 2 ingester\(s\); expected >= 3/ },
  {
    rule: 'tempo-replication',
    bad: 'a config the pod does not mount',
    breaks: (t) => (ingester(t).spec.template.spec.volumes[0].configMap.name = 'tempo-config-other'),
    expected: /cannot read the Tempo config/,
  },
  {
    rule: 'tempo-wal-persistent',
    bad: 'the WAL on an emptyDir',
    breaks: (t) =>
      tempoConfig(t, 'ingester: {lifecycler: {ring: {replication_factor: 3}}, flush_all_on_shutdown: true}\nstorage: {trace: {wal: {path: /tmp/wal}}}\n'),
    expected: /\/tmp\/wal is on volume "tmp" \(emptyDir\)/,
  },
  {
    rule: 'tempo-flush-on-shutdown',
    bad: 'no flush on shutdown',
    breaks: (t) => tempoConfig(t, 'ingester: {lifecycler: {ring: {replication_factor: 3}}}\n'),
    expected: /flush_all_on_shutdown is not true/,
  },
  {
    rule: 'tempo-ingester-grace',
    bad: 'a 5-minute grace period',
    breaks: (t) => (ingester(t).spec.template.spec.terminationGracePeriodSeconds = 300),
    expected: /is 300; flushing needs up to 720/,
  },
  {
    rule: 'tempo-ingester-rollout',
    bad: 'two pods at a time',
    breaks: (t) => (ingester(t).spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } }),
    expected: /maxUnavailable is 2; expected 1/,
  },
  {
    rule: 'tempo-ingester-rollout',
    bad: 'OnDelete updates',
    breaks: (t) => (ingester(t).spec.updateStrategy = { type: 'OnDelete' }),
    expected: /updateStrategy is OnDelete/,
  },
  {
    rule: 'tempo-ingester-pdb',
    bad: 'minAvailable instead of maxUnavailable: 1',
    breaks: (t) =>
      (get(t, 'PodDisruptionBudget', 'tempo-ingester').spec = {
        minAvailable: 1,
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
        selector: { matchLabels: INGESTER },
      }),
    expected: /expected maxUnavailable: 1, got \{"minAvailable":1\}/,
  },
  {
    rule: 'tempo-ingester-zones',
    bad: 'an ingester announcing another zone than the one it is pinned to',
    tree: zonedTree,
    breaks: (t) => (zoneSet(t, 'b').spec.template.spec.containers[0].env = [{ name: 'AVAILABILITY_ZONE', value: 'us-east-1a' }]),
    expected:
      /tempo-ingester-zone-b: \[tempo-ingester-zones\] announces zone "us-east-1a" \(ingester.lifecycler.availability_zone\) but is pinned to us-east-1b/,
  },
  {
    rule: 'tempo-ingester-zones',
    bad: 'two zones for three copies',
    tree: zonedTree,
    breaks: (t) => pinTo(t, 'c', 'us-east-1b'),
    expected: /pinned to 2 zone\(s\) \(us-east-1a, us-east-1b\); replication factor 3 needs 3/,
  },
  {
    rule: 'tempo-ingester-zones',
    bad: 'a zone StatefulSet pinned nowhere',
    tree: zonedTree,
    breaks: (t) => delete zoneSet(t, 'a').spec.template.spec.affinity.nodeAffinity,
    expected: /tempo-ingester-zone-a: \[tempo-ingester-zones\] is in rollout group "ingester" but no required node affinity pins it/,
  },
  {
    rule: 'tempo-ingester-zoneless',
    bad: 'an ingester with no zone in a zone-aware ring',
    tree: zonedTree,
    breaks: (t) => (zoneSet(t, 'c').spec.template.spec.containers[0].env = []),
    expected: /tempo-ingester-zone-c: \[tempo-ingester-zoneless\] joins the zone-aware ring with no availability zone/,
  },
  {
    rule: 'tempo-ingester-rollout',
    bad: 'OnDelete zones with no rollout-operator running',
    tree: zonedTree,
    breaks: (t) => drop(t, 'Deployment', 'rollout-operator'),
    expected: /updateStrategy is OnDelete and is in rollout group "ingester" but no rollout-operator Deployment runs in apps/,
  },
  {
    rule: 'tempo-ingester-rollout',
    bad: 'a zone of the rollout group that rolls by itself',
    tree: zonedTree,
    breaks: (t) => (zoneSet(t, 'c').spec.updateStrategy = { type: 'RollingUpdate' }),
    expected: /StatefulSet\/tempo-ingester-zone-c of rollout group "ingester" is not OnDelete: the rollout-operator skips the whole group/,
  },
  {
    rule: 'tempo-ingester-rollout',
    bad: 'more unavailable pods than a zone has',
    tree: zonedTree,
    breaks: (t) => (zoneSet(t, 'a').metadata.annotations['rollout-max-unavailable'] = '2'),
    expected: /rollout-max-unavailable is "2"; expected 1 to the pods of its zone/,
  },
  {
    rule: 'tempo-ingester-pdb',
    bad: 'a zone-aware budget no eviction webhook applies',
    tree: zonedTree,
    breaks: (t) => drop(t, 'ValidatingWebhookConfiguration', 'pod-eviction'),
    expected: /a ZoneAwarePodDisruptionBudget selects it, but no pod-eviction webhook \(failurePolicy Fail, served by a Service of the tree\) applies it/,
  },
  {
    rule: 'tempo-ingester-pdb',
    bad: 'an eviction webhook that fails open',
    tree: zonedTree,
    breaks: (t) => (get(t, 'ValidatingWebhookConfiguration', 'pod-eviction').webhooks[0].failurePolicy = 'Ignore'),
    expected: /no pod-eviction webhook \(failurePolicy Fail/,
  },
  {
    rule: 'pod-disruption-budget',
    bad: 'a zone-aware budget that allows no eviction',
    tree: zonedTree,
    breaks: (t) => {
      for (const z of ['a', 'b', 'c']) zoneSet(t, z).spec.replicas = 2;
      get(t, 'ZoneAwarePodDisruptionBudget', 'tempo-ingester').spec = { maxUnavailable: 0, selector: { matchLabels: { 'rollout-group': 'ingester' } } };
    },
    expected: /tempo-ingester-zone-a: \[pod-disruption-budget\] runs up to 2 replicas but no PodDisruptionBudget selects its pods/,
  },
  {
    rule: 'tempo-replication',
    bad: 'two zones of one ingester each',
    tree: zonedTree,
    breaks: (t) => drop(t, 'StatefulSet', 'tempo-ingester-zone-c'),
    expected: /tempo-ingester-zone-a: \[tempo-replication\] runs 2 ingester\(s\); expected >= 3/,
  },
  {
    rule: 'dual-run-gates',
    bad: 'the agents write to a distributor in another namespace that runs no tempo-vulture and no gate alerts',
    breaks: (t) =>
      t.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'tempo-stack-collector', namespace: 'observability' },
        data: { 'collector.yaml': 'exporters:\n  otlp_grpc:\n    endpoint: tempo-stack-distributor.observability-tempo3.svc.cluster.local:4317\n' },
      }),
    expected:
      /\[dual-run-gates\] writes spans to the distributor in namespace observability-tempo3, which lacks a tempo-vulture Deployment, alert TempoVultureHighErrorRate;/,
  },
];

const messagesOf = async (tree: KubeObject[], rule?: string) =>
  (
    await runPolicies(
      tree,
      { environment: 'test' },
      RULES.filter((r) => !rule || r.id === rule),
      [],
    )
  ).map((f) => `${f.object}: [${f.rule}] ${f.message}`);

describe('policies', () => {
  it('the good tree passes every rule', async () => {
    expect(await messagesOf(goodTree())).toEqual([]);
  });

  it('every rule has an id, a one-line reason, a severity and at least one bad case here', () => {
    for (const r of RULES) {
      expect(r.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(r.reason).not.toMatch(/\n/);
      expect(['error', 'warning']).toContain(r.severity);
      expect(
        cases.map((c) => c.rule),
        `rule ${r.id} has no failing-case test`,
      ).toContain(r.id);
    }
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  it('the zone-aware tree passes every rule; beside the single StatefulSet (the migration) it only warns of the zoneless ingester', async () => {
    expect(await messagesOf(zonedTree())).toEqual([]);
    const migration = await runPolicies(zonedTree(true), { environment: 'test' }, RULES, []);
    expect(failures(migration)).toEqual([]);
    expect(migration.map((f) => `${f.object}: [${f.rule}]`)).toEqual(['StatefulSet/tempo-ingester: [tempo-ingester-zoneless]']);
  });

  it.each(cases)('$rule catches $bad', async ({ rule, breaks, expected, tree: make = goodTree }) => {
    const tree = make();
    breaks(tree);
    const found = await messagesOf(tree, rule);
    expect(found.length, `${rule} found nothing`).toBeGreaterThan(0);
    expect(found.join('\n')).toMatch(expected);
  });

  it('passes the good variants: a digest, a token the pod uses through RBAC, a dev waiver', async () => {
    const tree = goodTree();
    webContainer(tree).image = `registry.example.com/web@sha256:${'a'.repeat(64)}`;
    delete webPod(tree).automountServiceAccountToken;
    get(tree, 'ServiceAccount', 'web').automountServiceAccountToken = true;
    tree.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'web', namespace: 'apps' },
      subjects: [{ kind: 'ServiceAccount', name: 'web' }],
      roleRef: { kind: 'Role', name: 'reader' },
    } as KubeObject);
    expect(await messagesOf(tree)).toEqual([]);
  });
});

describe('waivers', () => {
  const waiver = { rule: 'tempo-replication', object: 'StatefulSet/tempo-ingester', environments: ['dev'], reason: 'dev runs one ingester by design' };
  const singleIngester = () => {
    const tree = goodTree();
    ingester(tree).spec.replicas = 1;
    return tree;
  };

  it('cover a named object in the named environments only, and are reported', async () => {
    const dev = await runPolicies(singleIngester(), { environment: 'dev' }, RULES, [waiver]);
    expect(failures(dev)).toEqual([]);
    expect(dev.filter((f) => f.waived).map((f) => f.rule)).toEqual(['tempo-replication']);
    expect(report('dev', dev).join('\n')).toMatch(/waived  StatefulSet\/tempo-ingester: \[tempo-replication\] .* -- dev runs one ingester by design/);
    const prod = await runPolicies(singleIngester(), { environment: 'prod' }, RULES, [waiver]);
    expect(failures(prod).map((f) => f.rule)).toEqual(['tempo-replication']);
  });

  it('that match nothing are found', async () => {
    const findings = await runPolicies(goodTree(), { environment: 'dev' }, RULES, [waiver]);
    expect(unusedWaivers(findings, { environment: 'dev' }, [waiver])).toEqual([waiver]);
  });

  it('do not make warnings fail, nor errors pass', async () => {
    const tree = goodTree();
    delete webPod(tree).topologySpreadConstraints;
    const findings = await runPolicies(tree, { environment: 'test' }, RULES, []);
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['spread-replicas', 'warning']]);
    expect(failures(findings)).toEqual([]);
  });
});

describe('helpers', () => {
  it('credential-named keys bound to literals, not references or look-alikes', () => {
    expect(
      credentialAssignments('password: hunter2\nsecret_key: ${S3_SECRET}\naccess_key: $(KEY)\nmax_tokens: 5\ntoken_url: https://sso\nclient_secret: "abc"'),
    ).toEqual(['password', 'client_secret']);
    expect(credentialAssignments('pattern: "(?i)(password|token)=\\\\S+"\nkey: password')).toEqual([]);
  });
});
