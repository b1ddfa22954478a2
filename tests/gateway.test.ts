// The tail-sampling gateway, rendered for an environment that turns it on: a Deployment behind a
// headless Service (the agents' load_balancing exporter resolves its pods), a PodDisruptionBudget, a
// ServiceMonitor, valid against the strict schemas and within the policies, and off everywhere else.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { prometheusRule } from '../generators/alerts/index';
import { ALERT_GROUPS } from '../generators/alerts/names';
import { unitTestFiles } from '../generators/alerts/promtool-tests';
import { collectorConfig } from '../generators/components/collector-config';
import { gatewayConfig } from '../generators/components/gateway';
import { mergeEnvironment } from '../generators/environment/load';
import { KubernetesValidator } from '../generators/kubernetes/validate';
import { renderEnvironment } from '../generators/render';
import { failures, runPolicies } from '../policies/index';
import { ROOT } from './helpers/kustomize';
import { isKnownMetric } from './helpers/metrics/catalogue';
import { metricNames } from './helpers/metrics/promql';
import { type Any, find } from './helpers/objects';

const identity: Any = { cluster: { name: 'c' }, aws: { region: 'us-east-1', accountId: '123456789012' }, s3: { bucket: 'tempo-traces-x' } };
const env = mergeEnvironment('x', { ...identity, sampling: { tail: { enabled: true } } });
const rendered = renderEnvironment(env);
const objects = rendered.objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: 'observability' } })) as Any[];

describe('the tail-sampling gateway', () => {
  it('renders a Deployment, a headless Service, a PodDisruptionBudget, a ServiceMonitor, a NetworkPolicy, its certificate and its config', () => {
    const mine = objects.filter((o) => o.metadata.name === 'tempo-stack-gateway').map((o) => o.kind);
    expect(mine.sort()).toEqual(['Certificate', 'Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceMonitor']);
    expect(rendered.configMaps.map((c) => c.name)).toContain('tempo-stack-gateway');
    expect(renderEnvironment(mergeEnvironment('x', identity)).objects.some((o) => o.metadata.name === 'tempo-stack-gateway')).toBe(false);
  });

  it('is valid against the strict schemas and within the policies', async () => {
    const validator = new KubernetesValidator();
    expect(objects.flatMap((o) => validator.validate(o, env.cluster.kubernetesVersion))).toEqual([]);
    const problems = failures(await runPolicies(objects, { environment: 'test' }, undefined, [])).filter((f) => f.object.endsWith('/tempo-stack-gateway'));
    expect(problems).toEqual([]);
  });

  it("the agents' resolver finds the gateway pods on the port their container listens on", () => {
    const agent = collectorConfig(env, env.components.collector).exporters.load_balancing!;
    const svc = find(objects, 'Service', 'tempo-stack-gateway');
    expect(svc.spec.clusterIP).toBe('None');
    expect(agent.resolver.dns.hostname).toBe(`${svc.metadata.name}.observability.svc.cluster.local`);
    const deployment = find(objects, 'Deployment', 'tempo-stack-gateway');
    const container = deployment.spec.template.spec.containers[0];
    const grpc = container.ports.find((p: Any) => p.name === 'otlp-grpc').containerPort;
    expect(String(grpc)).toBe(agent.resolver.dns.port);
    const config = gatewayConfig(env, env.components.gateway);
    expect(config.receivers.otlp.protocols.grpc.endpoint).toBe(`0.0.0.0:${grpc}`);
    expect(Object.entries(svc.spec.selector).every(([k, v]) => deployment.spec.template.metadata.labels[k] === v)).toBe(true);
  });

  it('mounts the config it is given, rolls one pod at a time and waits out a decision when it stops', () => {
    const spec = find(objects, 'Deployment', 'tempo-stack-gateway').spec;
    const container = spec.template.spec.containers[0];
    const cm = rendered.configMaps.find((c) => c.name === 'tempo-stack-gateway')!;
    expect(container.args).toEqual([`--config=/conf/${cm.file}`]);
    expect(parse(stringify(cm.content))).toEqual(gatewayConfig(env, env.components.gateway));
    expect(spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(env.sampling.tail.decisionWait.seconds);
    expect(container.image).toBe(env.components.collector.image);
  });
});

describe('the gateway alerts (group tempo_sampling)', () => {
  const rule = prometheusRule(env);
  const group = rule.spec!.groups!.find((g) => g.name === 'tempo_sampling')!;
  const names = ALERT_GROUPS.tempo_sampling;

  it('are deployed with the gateway only, on metrics of the catalogue, each with a runbook section', () => {
    expect(group.rules!.map((r) => r.alert)).toEqual([...names]);
    expect(prometheusRule(mergeEnvironment('x', identity)).spec!.groups!.some((g) => g.name === 'tempo_sampling')).toBe(false);
    for (const r of group.rules!) for (const m of metricNames(String(r.expr))) expect(isKnownMetric(m), m).toBe(true);
    const runbook = readFileSync(join(ROOT, 'docs/runbooks.md'), 'utf8');
    for (const n of names) expect(runbook).toContain(`### ${n}\n`);
  });

  const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
  if (!promtool) console.warn('promtool not found: skipping the gateway alerts promtool run (apt-get install -y prometheus)');
  it.skipIf(!promtool && !process.env.CI)('promtool: each fires on the series its ServiceMonitor produces and stays quiet on a near miss', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tempo-gateway-alerts-'));
    try {
      const recording = rule.spec!.groups!.filter((g) => g.rules!.every((r) => r.record));
      writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: [...recording, group] }));
      const tests = unitTestFiles(env, 'rules.yaml').minutely as { tests: Array<{ name: string }> };
      const mine = tests.tests.filter((t) => names.some((n) => t.name.startsWith(`${n} `)));
      expect(mine).toHaveLength(2 * names.length);
      writeFileSync(join(dir, 'tests.yaml'), stringify({ ...tests, tests: mine }));
      const check = spawnSync('promtool', ['check', 'rules', 'rules.yaml'], { cwd: dir, encoding: 'utf8' });
      expect(check.status, check.stdout + check.stderr).toBe(0);
      const test = spawnSync('promtool', ['test', 'rules', 'tests.yaml'], { cwd: dir, encoding: 'utf8' });
      expect(test.status, test.stdout + test.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
