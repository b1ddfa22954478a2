// The operator tools during a dual run (migration.tempo3): both stacks run, so `npm run cost` prices both,
// `npm run volumes:grow` grows either stack's volumes in its namespace and `npm run bootstrap:aws` creates
// what either stack needs. The environment is the first 2.10 one with the block, in a throw-away copy.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { estimate, defaultAssumptions } from '../generators/cost';
import type { Environment } from '../generators/environment/index';
import { loadEnvironment } from '../generators/environment/load';
import { stacksOf } from '../generators/environment/migration';
import { Quantity } from '../generators/environment/units';
import { renderEnvironment } from '../generators/render';
import { envFile, loadEnvironments } from '../generators/repository';
import { main as cost } from '../scripts/cost';
import { main as volumesGrow } from '../scripts/volumes-grow';
import { growVolumes } from '../generators/volumes';
import { bootstrapScript } from '../generators/aws/bootstrap';
import { awsDocuments } from '../generators/aws/documents';
import { spawnSync } from 'node:child_process';
import { ROOT } from './helpers/kustomize';
import type { Any } from './helpers/objects';
import { runMain } from './helpers/run';
import { sandbox } from './helpers/sandbox';

const primary = loadEnvironments(ROOT).find((e) => e.tempo.version === '2.10')!;
const FILE = envFile(primary.name);
const DUAL = { stage: 'dual-run', components: { 'live-store': { replicas: 1 }, 'block-builder': { replicas: 1 } } };

/** The environment file with the block (and one CA for both namespaces, which a TLS dual run needs). */
function withBlock(tempo3: Record<string, unknown>, more: Record<string, unknown> = {}): string {
  const doc = parseDocument(readFileSync(join(ROOT, FILE), 'utf8'));
  doc.setIn(['tls', 'clusterIssuer'], 'platform-ca');
  for (const [path, value] of Object.entries(more)) doc.setIn(path.split('.'), value);
  doc.setIn(['migration', 'tempo3'], tempo3);
  return doc.toString();
}
const load = (text: string): Environment => loadEnvironment(FILE, primary.name, text, ROOT);

const box = sandbox();
box.write(FILE, withBlock(DUAL));
afterAll(() => box.remove());
const dollars = (stdout: string, item: string) => Number(new RegExp(`^${item}\\s.*\\s([0-9.]+)$`, 'm').exec(stdout)?.[1]);

describe('npm run cost prices both stacks of a dual run', () => {
  const env = load(withBlock(DUAL));
  const stack = env.migration!.stack;
  const r = runMain(cost, ['--env', primary.name], box.dir);
  const [own, tempo3] = r.stdout.split(/^Tempo 3\.0\.3 stack in observability-tempo3:$/m);

  it('a table per stack, each its namespace, and the total of both', () => {
    expect(r.code, r.stderr).toBe(0);
    expect(own).toMatch(new RegExp(`^Tempo ${primary.tempo.tag.replace(/\./g, '\\.')} stack in observability:$`, 'm'));
    expect(tempo3, 'the 3.x stack has its own table').toBeDefined();
    const both = dollars(r.stdout, 'total of both stacks');
    expect(both).toBeCloseTo(dollars(own!, 'total') + dollars(tempo3!, 'total'), 1);
    expect(dollars(own!, 'total'), 'the 2.10 stack as without the block').toBeCloseTo(
      estimate(env, defaultAssumptions()).reduce((s, l) => s + l.dollars, 0),
      1,
    );
  });

  it("the 3.x stack's Kafka is priced as a 3.0 environment's: Strimzi nodes' requests and storage, its copies and fetches across zones", () => {
    const pool = renderEnvironment(stack).objects.find((o) => o.kind === 'KafkaNodePool') as Any;
    expect(pool, 'the 3.x stack runs a Strimzi Kafka').toBeDefined();
    const a = defaultAssumptions();
    const line = (item: string) => dollars(tempo3!, item);
    expect(line('compute: CPU')).toBeGreaterThan(pool.spec.replicas * Quantity.parse(pool.spec.resources.requests.cpu).value * 730 * a.vcpuHour!);
    expect(line('EBS volumes')).toBeGreaterThan(((pool.spec.replicas * Quantity.parse(pool.spec.storage.volumes[0].size).value) / 2 ** 30) * a.ebsGbMonth!);
    expect(tempo3).toMatch(/^EBS volumes\s+\d+ GiB \(live-store, scheduler, metrics-generator and Kafka PVCs\)/m);
    expect(tempo3).toMatch(/^cross-AZ transfer\s.*1 produce \+ \d broker cop(y|ies) \+ 4 fetches/m);
  });

  it('--sampling-percentage changes both stacks (the agents sample for both)', () => {
    const changed = runMain(cost, ['--env', primary.name, '--sampling-percentage', '50'], box.dir);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toMatch(/^ {2}2\.10 S3 storage\s/m);
    expect(changed.stdout).toMatch(/^ {2}3\.0 S3 storage\s/m);
  });
});

describe('npm run volumes:grow grows either stack of a dual run, in its namespace', () => {
  const env = load(withBlock(DUAL));
  const stack = env.migration!.stack;
  const sets = (e: Environment, component: string) =>
    renderEnvironment(e).objects.filter(
      (o) => o.kind === 'StatefulSet' && (o as Any).spec.template.metadata.labels['app.kubernetes.io/component'] === component,
    ) as Any[];
  const claims = (e: Environment, component: string) =>
    sets(e, component).flatMap((s) => Array.from({ length: s.spec.replicas }, (_, i) => `kubectl -n ${e.namespace} patch pvc data-${s.metadata.name}-${i} `));

  it("the live-stores (3.x only): every claim patched, waited for and orphaned in observability-tempo3, the block's field in the PR", () => {
    const r = runMain(volumesGrow, ['--env', primary.name, '--component', 'live-store', '--size', '100Gi'], box.dir);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const patched = lines.filter((l) => l.includes(' patch pvc ')).map((l) => l.replace(/-p .*$/, ''));
    expect(patched).toEqual(claims(stack, 'live-store'));
    expect(patched.length).toBe(2 * stack.components['live-store'].replicas);
    for (const l of lines.filter((x) => / (wait pvc|delete statefulset|get statefulset|get pods)/.test(x)))
      expect(l).toMatch(/kubectl -n observability-tempo3 /);
    expect(r.stdout).toContain('#      migration.tempo3.components.live-store.storage.size: 100Gi');
    expect(spawnSync('bash', ['-n'], { input: r.stdout, encoding: 'utf8' }).status).toBe(0);
  });

  it('the metrics-generators (both stacks): each claim in its own namespace, each stack its field', () => {
    const plan = growVolumes(env, 'metrics-generator', '500Gi');
    if ('problems' in plan) throw new Error(plan.problems.join('; '));
    const patched = plan.script
      .split('\n')
      .filter((l) => l.includes(' patch pvc '))
      .map((l) => l.replace(/-p .*$/, ''));
    expect(patched).toEqual([...claims(env, 'metrics-generator'), ...claims(stack, 'metrics-generator')]);
    expect(plan.statefulSets.map((s) => s.namespace)).toEqual(['observability', 'observability-tempo3']);
    expect(plan.script).toMatch(/^# {6}components\.metrics-generator\.storage\.size: 500Gi$/m);
    expect(plan.script).toMatch(/^# {6}migration\.tempo3\.components\.metrics-generator\.storage\.size: 500Gi$/m);
  });

  it('a StatefulSet in neither stack is refused naming both namespaces', () => {
    expect(growVolumes(env, 'compactor', '1Ti')).toEqual({
      problems: [`${primary.name} renders no StatefulSet of compactor with volumes in either stack (namespaces observability, observability-tempo3)`],
    });
  });
});

describe('npm run bootstrap:aws creates what either stack of a dual run needs', () => {
  // The 3.x stack alone reads an external Kafka with SASL (e.g. MSK): its credentials go through the SecretStore.
  const kafka = { cluster: 'external', external: { address: 'b-1.kafka.example.internal:9092', partitions: 1, sasl: true } };
  const env = load(withBlock({ ...DUAL, kafka }, { 's3.credentials': 'irsa' }));

  it("the 3.x stack's Kafka secret and the SecretStore role that reads it, from the documents generate writes", () => {
    expect(env.migration!.stack.kafka.external.sasl).toBe(true);
    const script = bootstrapScript(env);
    expect(script).toContain('secretsmanager create-secret --region us-east-1 --name tempo/kafka-credentials');
    expect(script).toContain(`iam create-role --role-name ${env.cluster.name}-tempo-secret-store`);
    const files = [...script.matchAll(/file:\/\/overlays\/[^/]+\/aws\/(\S+\.json)/g)].map((m) => m[1]!);
    expect(files).toContain('secret-store-policy.json');
    for (const f of files) expect(Object.keys(awsDocuments(env)), f).toContain(f);
    expect(spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' }).status).toBe(0);
  });

  it('with a Strimzi Kafka in the 3.x stack and IRSA for S3, neither stack needs a secret or the SecretStore role', () => {
    const own = load(withBlock(DUAL, { 's3.credentials': 'irsa' }));
    expect(bootstrapScript(own)).not.toContain('tempo/kafka-credentials');
    expect(bootstrapScript(own)).not.toContain('tempo-secret-store');
  });
});

describe("what each stack's claims become (persistentVolumeClaimRetentionPolicy)", () => {
  const env = load(withBlock(DUAL));
  const statefulSets = stacksOf(env).flatMap((e) => renderEnvironment(e).objects.filter((o) => o.kind === 'StatefulSet') as Any[]);
  const policy = (component: string) =>
    statefulSets
      .filter((s) => s.spec.template.metadata.labels['app.kubernetes.io/component'] === component)
      .map((s) => s.spec.persistentVolumeClaimRetentionPolicy);

  it('every StatefulSet with volumes keeps them when deleted (volumes:grow orphans and recreates them)', () => {
    const claimed = statefulSets.filter((s) => s.spec.volumeClaimTemplates?.length);
    expect(claimed.length).toBeGreaterThan(0);
    for (const s of claimed) expect(s.spec.persistentVolumeClaimRetentionPolicy?.whenDeleted, `${s.metadata.namespace ?? ''}${s.metadata.name}`).toBe('Retain');
  });

  it('live-stores delete theirs on scale-down (Kafka holds the partition), the backend-scheduler keeps its work list, block-builders have none', () => {
    expect(policy('live-store')).toEqual([
      { whenDeleted: 'Retain', whenScaled: 'Delete' },
      { whenDeleted: 'Retain', whenScaled: 'Delete' },
    ]);
    expect(policy('backend-scheduler')).toEqual([{ whenDeleted: 'Retain', whenScaled: 'Retain' }]);
    const builders = statefulSets.filter((s) => s.spec.template.metadata.labels['app.kubernetes.io/component'] === 'block-builder');
    expect(builders.map((s) => s.spec.volumeClaimTemplates)).toEqual([undefined]);
  });
});
