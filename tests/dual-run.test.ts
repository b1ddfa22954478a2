// The dual run (migration.tempo3): a 2.10 environment with the block renders a Tempo 3 stack beside itself
// in its own namespace. What the checks refuse, what each stage sends where, and that one overlay with two
// namespaces builds with both kustomize majors without touching the 2.10 stack's objects. (The real
// binaries prove both stacks receive the same traces: npm run e2e -- --scenario dual-run.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseDocument, stringify } from 'yaml';
import { ruleGroups } from '../generators/alerts/rules';
import { unitTestFiles } from '../generators/alerts/promtool-tests';
import { CLUSTER_KINDS, appProject } from '../generators/argocd';
import { CLUSTER_SCOPED } from '../generators/kustomize/layout';
import { KubernetesValidator } from '../generators/kubernetes/validate';
import { builtTempoProblems } from '../generators/tempo/checks';
import { configProblems } from '../generators/tempo3/checks';
import { failures, runPolicies } from '../policies';
import { awsDocuments } from '../generators/aws/documents';
import type { Environment } from '../generators/environment/index';
import { loadEnvironment } from '../generators/environment/load';
import { InputError } from '../generators/validation/messages';
import { renderEnvironment } from '../generators/render';
import { envFile, loadEnvironments, renderRepository } from '../generators/repository';
import { ROOT, kustomize, kustomizes } from './helpers/kustomize';
import type { Any } from './helpers/objects';
import { type Sandbox, sandbox } from './helpers/sandbox';

// The first Tempo 2.10 environment of the repository is the one that migrates.
const primary = loadEnvironments(ROOT).find((e) => e.tempo.version === '2.10')!;
const FILE = envFile(primary.name);
const original = parseDocument(readFileSync(join(ROOT, FILE), 'utf8'));

/** The environment file with the block (and one CA for both namespaces, which a TLS dual run needs). */
function withBlock(tempo3: Record<string, unknown>, more: Record<string, unknown> = {}): string {
  const doc = original.clone();
  doc.setIn(['tls', 'clusterIssuer'], 'platform-ca');
  for (const [path, value] of Object.entries(more)) doc.setIn(path.split('.'), value);
  doc.setIn(['migration', 'tempo3'], tempo3);
  return doc.toString();
}
const load = (text: string): Environment => loadEnvironment(FILE, primary.name, text, ROOT);
function refusal(text: string): string[] {
  try {
    load(text);
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  return [];
}
const DUAL = { stage: 'dual-run', components: { 'live-store': { replicas: 1 }, 'block-builder': { replicas: 1 } } };
const CUTOVER = { ...DUAL, stage: 'cutover' };

describe('migration.tempo3: the 3.x stack is the environment at 3.0 with the block merged over it', () => {
  const env = load(withBlock({ ...DUAL, components: { ...DUAL.components, distributor: { replicas: 5 } } }));
  const stack = env.migration!.stack;

  it('runs Tempo 3.0.3 in observability-tempo3, beside the 2.10 stack, without a second agent', () => {
    expect([env.tempo.version, env.namespace, env.migration!.namespace]).toEqual(['2.10', 'observability', 'observability-tempo3']);
    expect([stack.tempo.version, stack.tempo.tag, stack.namespace]).toEqual(['3.0', '3.0.3', 'observability-tempo3']);
    expect(stack.beside).toEqual({ stage: 'dual-run', namespace: 'observability', sender: 'collector' });
    expect(stack.features.collector).toBe(false);
    expect(stack.components.distributor.replicas, "the block's setting").toBe(5);
    expect(stack.components.querier.resources, "the environment's setting, inherited").toEqual(env.components.querier.resources);
    expect([stack.s3.bucket, stack.s3.prefix], 'the same block store: 3.0 reads the 2.10 blocks').toEqual([env.s3.bucket, env.s3.prefix]);
  });

  it('refuses what cannot work, at the field, with file:line:col', () => {
    const at = (field: string) => new RegExp(`^${FILE.replace(/\./g, '\\.')}:\\d+:\\d+: ${field.replace(/\./g, '\\.')}: `);
    expect(refusal(withBlock({ ...DUAL, namespace: 'observability' }))).toEqual([expect.stringMatching(at('migration.tempo3.namespace'))]);
    expect(refusal(withBlock({ ...DUAL, components: { ...DUAL.components, ingester: { replicas: 3 } } }))).toEqual([
      expect.stringMatching(/migration\.tempo3\.components\.ingester: is not run by tempo\.version 3\.0/),
    ]);
    expect(refusal(withBlock({ ...DUAL, components: { 'live-store': { replicas: 3 }, 'block-builder': { replicas: 2 } } }))).toEqual([
      expect.stringMatching(/migration\.tempo3\.components\.block-builder\.replicas: 2 block-builders cannot share 3 partitions/),
    ]);
    expect(refusal(withBlock({ ...DUAL, components: { distributor: { replica: 2 } } }))[0]).toMatch(
      /migration\.tempo3\.components\.distributor\.replica: unknown key/,
    );
    expect(refusal(withBlock({ ...DUAL, stage: 'half' }))[0]).toMatch(/migration\.tempo3\.stage: expected one of "dual-run", "cutover"/);
    expect(refusal(withBlock(CUTOVER, { 'features.vulture': false }))).toContainEqual(expect.stringMatching(at('migration.tempo3.stage')));
    expect(refusal(withBlock(DUAL, { 'features.collector': false }))).toContainEqual(expect.stringMatching(/migration\.tempo3: needs features\.collector/));
    expect(refusal(withBlock(DUAL, { 'tls.clusterIssuer': '' }))).toEqual([expect.stringMatching(/migration\.tempo3: needs tls\.clusterIssuer/)]);
    expect(refusal(withBlock(DUAL, { 'tempo.version': '3.0' }))).toContainEqual(expect.stringMatching(at('migration')));
  });
});

describe('the stages: where the agents write, what Grafana reads', () => {
  const agentExporters = (env: Environment) => {
    const collector = renderEnvironment(env).configMaps.find((c) => c.file === 'collector.yaml')!.content as Any;
    return {
      endpoints: Object.fromEntries(Object.entries(collector.exporters).map(([id, e]) => [id, (e as Any).endpoint])),
      pipeline: collector.service.pipelines.traces.exporters,
    };
  };
  const datasources = (env: Environment) => {
    const cm = renderEnvironment(env).objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'tempo-stack-grafana-datasources') as Any;
    const file = parse(String(Object.values(cm.data)[0]).replace(/\$\$/g, '$')) as Any;
    return Object.fromEntries(file.datasources.filter((d: Any) => d.type === 'tempo').map((d: Any) => [d.uid, new URL(d.url).hostname]));
  };
  const h = (ns: string) => `tempo-stack-query-frontend.${ns}.svc.cluster.local`;

  it('dual-run: every span to both distributors; the data source "tempo" reads 2.10, a second one 3.x', () => {
    const env = load(withBlock(DUAL));
    expect(agentExporters(env)).toEqual({
      endpoints: {
        otlp_grpc: 'tempo-stack-distributor.observability.svc.cluster.local:4317',
        'otlp_grpc/tempo3': 'tempo-stack-distributor.observability-tempo3.svc.cluster.local:4317',
      },
      pipeline: ['otlp_grpc', 'otlp_grpc/tempo3'],
    });
    expect(datasources(env)).toEqual({ tempo: h('observability'), 'tempo-3-0': h('observability-tempo3') });
  });

  it('cutover: writes to 3.x only; "tempo" reads 3.x, 2.10 stays readable while it drains', () => {
    const env = load(withBlock(CUTOVER));
    expect(agentExporters(env)).toEqual({
      endpoints: { otlp_grpc: 'tempo-stack-distributor.observability-tempo3.svc.cluster.local:4317' },
      pipeline: ['otlp_grpc'],
    });
    expect(datasources(env)).toEqual({ tempo: h('observability-tempo3'), 'tempo-2-10': h('observability') });
    const r = renderEnvironment(env);
    const vultures = (x: typeof r) => x.objects.filter((o) => o.kind === 'Deployment' && o.metadata.name === 'tempo-stack-vulture').length;
    expect([vultures(r), vultures(r.dualRun!)], 'the draining 2.10 stack gets no canary writes; 3.x keeps its vulture').toEqual([0, 1]);
  });

  it('the 3.x stack neither compacts nor applies retention: compaction_disabled in the defaults and every tenant block', () => {
    const env = load(withBlock(DUAL, { 'features.multitenancy': true, 'limits.tenants': { acme: { retention: '720h' } } }));
    const r = renderEnvironment(env).dualRun!;
    expect((r.tempoConfig as Any).overrides.defaults.compaction.compaction_disabled).toBe(true);
    const blocks = (r.overrides as Any).overrides;
    expect(Object.keys(blocks).length).toBeGreaterThan(0);
    for (const [tenant, block] of Object.entries(blocks)) expect((block as Any).compaction.compaction_disabled, tenant).toBe(true);
    const own = renderEnvironment(env);
    expect(JSON.stringify([own.tempoConfig, own.overrides]), 'the 2.10 stack compacts as before').not.toContain('compaction_disabled');
  });

  it('NetworkPolicies: the agents may reach the 3.x distributor, and it admits them from their namespace', () => {
    const r = renderEnvironment(load(withBlock(DUAL)));
    const egress = (r.objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'tempo-stack-collector') as Any).spec.egress;
    const peer = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability-tempo3' } } };
    expect(egress).toContainEqual({ to: [expect.objectContaining(peer)], ports: [{ protocol: 'TCP', port: 4317 }] });
    const ingress = (r.dualRun!.objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'tempo-stack-distributor') as Any).spec.ingress;
    const from = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } } };
    expect(ingress.flatMap((rule: Any) => rule.from ?? [])).toContainEqual(expect.objectContaining(from));
  });

  it("the overlay names the namespace of every kind but Argo CD's cluster-scoped ones", () => {
    expect([...CLUSTER_SCOPED].sort()).toEqual(CLUSTER_KINDS.map((k) => k.kind).sort());
  });

  it('Argo CD may sync the 3.x namespace; the IRSA trust names both service accounts', () => {
    const env = load(withBlock(DUAL, { 's3.credentials': 'irsa' }));
    expect((appProject([env]).spec.destinations ?? []).map((d: Any) => d.namespace)).toEqual(['observability', 'observability-tempo3']);
    const trust = awsDocuments(env)['tempo-trust-policy.json'] as Any;
    expect(Object.entries(trust.Statement[0].Condition.StringEquals).find(([k]) => k.endsWith(':sub'))![1]).toEqual([
      'system:serviceaccount:observability:tempo-stack',
      'system:serviceaccount:observability-tempo3:tempo-stack',
    ]);
  });
});

describe('cutover gates: the alerts of the 3.x stack, on its jobs', () => {
  const GATES = ['TempoVultureHighErrorRate', 'TempoPartitionsNotActive', 'TempoLiveStorePartitionLag', 'TempoBlockBuilderPartitionLag'];
  const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
  if (!promtool && process.env.CI) throw new Error('promtool not found (CI=true): apt-get install -y prometheus');
  if (!promtool) console.warn('promtool not found: skipping the dual-run gate alerts (apt-get install -y prometheus)');

  it.skipIf(!promtool)('fire on series of observability-tempo3 (promtool), and are deployed with its jobs', () => {
    const stack = load(withBlock(DUAL)).migration!.stack;
    const dir = mkdtempSync(join(tmpdir(), 'tempo-dual-run-gates-'));
    try {
      const groups = ruleGroups(stack);
      const exprs = groups.flatMap((g) => g.rules).filter((r) => GATES.includes(String(r.alert)));
      expect(exprs.map((r) => r.alert).sort()).toEqual([...GATES].sort());
      for (const r of exprs) expect(String(r.expr), String(r.alert)).toMatch(/job="observability-tempo3\//);
      const { minutely } = unitTestFiles(stack, 'rules.yaml') as unknown as { minutely: { tests: Array<{ alert_rule_test?: Array<{ alertname: string }> }> } };
      const tests = minutely.tests.filter((t) => t.alert_rule_test?.some((a) => GATES.includes(a.alertname)));
      expect(tests.length, 'a firing and a quiet case per gate').toBe(GATES.length * 2);
      writeFileSync(join(dir, 'rules.yaml'), stringify({ groups }));
      writeFileSync(join(dir, 'tests.yaml'), stringify({ ...minutely, tests }));
      const r = spawnSync('promtool', ['test', 'rules', 'tests.yaml'], { cwd: dir, encoding: 'utf8', env: { ...process.env, GOMAXPROCS: '1' } });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('one overlay, two namespaces', () => {
  const boxes: Sandbox[] = [];
  afterAll(() => {
    for (const b of boxes) b.remove();
  });

  it('builds with every kustomize: the 2.10 objects as without the block but the dual run edges, the 3.x stack whole in its namespace', async () => {
    // Two trees (without and with the block). The tree with the block is built by every kustomize, which must
    // print the same stream (as for every committed overlay, tests/kustomize.test.ts); the one without it
    // is the reference for the 2.10 objects, built by the preferred kustomize alone.
    const trees = [original.clone(), parseDocument(withBlock(DUAL))].map((doc) => {
      doc.setIn(['tls', 'clusterIssuer'], 'platform-ca');
      const box = sandbox();
      boxes.push(box);
      box.write(FILE, doc.toString());
      for (const [path, content] of renderRepository(box.dir).files) box.write(path, content);
      return `${box.dir}/overlays/${primary.name}`;
    });
    const preferred = kustomize();
    const every = kustomizes();
    const [withoutText, ...withTexts] = await Promise.all([preferred.buildAsync(trees[0]!), ...every.map((k) => k.buildAsync(trees[1]!))]);
    const withText = withTexts[every.findIndex((k) => k.name === preferred.name)]!;
    for (const [i, k] of every.entries()) expect(withTexts[i], `${k.name} ${k.version} builds the dual run as ${preferred.name} does`).toBe(withText);
    const [without, withRun] = [parseAll(withoutText!), parseAll(withText)];
    const id = (o: Any) => `${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`;
    const before = new Map(without.map((o) => [id(o), o]));
    const ids = withRun.map(id);
    expect(new Set(ids).size, 'no object twice').toBe(ids.length);
    const tempo3 = withRun.filter((o) => o.metadata.namespace === 'observability-tempo3');
    expect(tempo3.map((o) => o.kind)).toEqual(expect.arrayContaining(['StatefulSet', 'Deployment', 'PrometheusRule', 'KafkaTopic', 'ServiceMonitor']));
    // The 2.10 overlay's patches (replicas, resources) did not reach the 3.x objects of the same name.
    const distributor = tempo3.find((o) => o.kind === 'Deployment' && o.metadata.name === 'tempo-stack-distributor');
    expect(distributor?.metadata.labels['app.kubernetes.io/version']).toBe('3.0.3');
    expect(distributor?.spec.template.spec.containers[0].args.join(' ')).toContain('-target=distributor');
    // Every 2.10 object is as before, but the edges of the dual run.
    const changed = withRun
      .filter((o) => o.metadata.namespace !== 'observability-tempo3')
      .filter((o) => JSON.stringify(before.get(id(o))) !== JSON.stringify(o))
      .map(id)
      .sort();
    expect(changed).toEqual([
      'ConfigMap/observability/tempo-stack-collector',
      'ConfigMap/observability/tempo-stack-grafana-datasources',
      'DaemonSet/observability/tempo-stack-collector',
      'Namespace/-/observability-tempo3',
      'NetworkPolicy/observability/tempo-stack-collector',
    ]);
    // What npm run validate and the policies check of every committed overlay hold for both stacks too.
    const objects = withRun;
    const validator = new KubernetesValidator();
    expect(objects.flatMap((o) => validator.validate(o, primary.cluster.kubernetesVersion))).toEqual([]);
    expect(builtTempoProblems(objects, configProblems), 'each Tempo config checked against its own stack').toEqual([]);
    const findings = failures(await runPolicies(objects, { environment: primary.name }));
    expect(findings.map((f) => `${f.rule} ${f.object}: ${f.message}`)).toEqual([]);
    // Without the 3.x vulture, the policy refuses the overlay that writes to it.
    const unchecked = objects.filter(
      (o) => !(o.kind === 'Deployment' && o.metadata.name === 'tempo-stack-vulture' && o.metadata.namespace === 'observability-tempo3'),
    );
    const refused = failures(await runPolicies(unchecked, { environment: primary.name })).filter((f) => f.rule === 'dual-run-gates');
    expect(refused.map((f) => f.object)).toEqual([expect.stringMatching(/^ConfigMap\/tempo-stack-collector/)]);
    expect(refused[0]!.message).toMatch(/in namespace observability-tempo3, which lacks a tempo-vulture Deployment;/);
  });
});

function parseAll(text: string): Any[] {
  return text
    .split(/^---$/m)
    .map((d) => parse(d))
    .filter(Boolean);
}
