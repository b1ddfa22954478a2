// argocd/ as `kubectl apply -k argocd/` sees it, checked against the Argo CD models and against what the
// overlays really render; and the sync waves every overlay carries.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { describe, expect, it } from 'vitest';
import { ARGOCD_NAMESPACE, PROJECT } from '../generators/argocd';
import type { KubeObject } from '../generators/kubernetes/objects';
import { Duration } from '../generators/environment/units';
import { toYaml } from '../generators/files';
import { SYNC_WAVE_ANNOTATION, syncWave, syncWavePatches } from '../generators/kustomize/sync-waves';
import { SHARED_DIRS, environmentNames, loadEnvironments } from '../generators/repository';
import { ROOT, build, kustomizes } from './helpers/kustomize';
import type { Any } from './helpers/objects';

const envs = loadEnvironments(ROOT);
const argocd = build('argocd') as Any[];
const apps = argocd.filter((o) => o.kind === 'Application');
const project = argocd.find((o) => o.kind === 'AppProject');
const overlays = new Map(environmentNames(ROOT).map((e) => [e, build(`overlays/${e}`)]));
const groupOf = (o: KubeObject) => (o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '');
const kindKey = (k: { group: string; kind: string }) => `${k.group}/${k.kind}`;

describe('argocd/', () => {
  it('is exactly the AppProject and one Application per environment', () => {
    expect(argocd.map((o) => o.kind).sort()).toEqual(['AppProject', ...envs.map(() => 'Application')]);
    expect(apps.map((a) => a.metadata.name).sort()).toEqual(envs.map((e) => `tempo-${e.name}`).sort());
    for (const o of argocd) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(ARGOCD_NAMESPACE);
  });

  it('validates against the Argo CD v3 models (types, enums, required fields)', () => {
    // Unknown fields are caught at compile time: generators/argocd.ts builds IApplication/IAppProject literals.
    expect(() => new AppProject(project).validate()).not.toThrow();
    for (const a of apps) expect(() => new Application(a).validate(), a.metadata.name).not.toThrow();
    expect(() => new Application({ ...apps[0], spec: { ...apps[0].spec, syncPolicy: { automated: { prune: 'yes' } } } }).validate()).toThrow(
      /prune must be boolean/,
    );
  });

  for (const env of envs) {
    it(`${env.name}: one Application syncing overlays/${env.name} into its cluster, automatically and safely`, () => {
      const mine = apps.filter((a) => a.spec.source.path === `overlays/${env.name}`);
      expect(mine).toHaveLength(1);
      const app = mine[0];
      expect(existsSync(join(ROOT, app.spec.source.path, 'kustomization.yaml'))).toBe(true);
      expect(app.spec.project).toBe(PROJECT);
      expect(app.spec.source).toEqual({ repoURL: env.argocd.repoURL, targetRevision: env.argocd.targetRevision, path: `overlays/${env.name}` });
      expect(app.spec.destination).toEqual({ server: env.cluster.server, namespace: 'observability' });
      expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true, allowEmpty: false });
      expect(app.spec.syncPolicy.syncOptions).toEqual(expect.arrayContaining(['ServerSideApply=true', 'PruneLast=true', 'RespectIgnoreDifferences=true']));
      // The overlay renders its own Namespace (with Pod Security labels): Argo CD must not create a bare one.
      expect(app.spec.syncPolicy.syncOptions.join()).not.toMatch(/CreateNamespace=true/);
      const { limit, backoff } = app.spec.syncPolicy.retry;
      expect(limit).toBeGreaterThan(1);
      expect(backoff.factor).toBeGreaterThan(1);
      // Both are Go durations (Argo CD rejects anything else) and the backoff has room to grow.
      expect(Duration.parse(backoff.maxDuration).seconds).toBeGreaterThan(Duration.parse(backoff.duration).seconds);
      expect(app.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
      const paths = app.metadata.annotations['argocd.argoproj.io/manifest-generate-paths'].split(';');
      expect(paths).toEqual([
        '.',
        '/base',
        ...SHARED_DIRS.filter((t) => t.inBase).map((t) => `/${t.dir}`),
        ...SHARED_DIRS.filter((t) => t.perEnvironment).map((t) => `/${t.dir}/${env.name}`),
      ]);
    });

    it(`${env.name}: ignores the CA bundle the rollout-operator writes into exactly the webhooks the overlay renders`, () => {
      const objects = overlays.get(env.name)! as Any[];
      const app = apps.find((a) => a.spec.source.path === `overlays/${env.name}`);
      const webhooks = (app.spec.ignoreDifferences ?? []).filter((d: Any) => d.kind === 'ValidatingWebhookConfiguration');
      expect(webhooks.map((d: Any) => d.name).sort()).toEqual(
        objects
          .filter((o) => o.kind === 'ValidatingWebhookConfiguration')
          .map((o) => o.metadata.name)
          .sort(),
      );
      for (const d of webhooks) expect(d.jqPathExpressions).toEqual(['.webhooks[]?.clientConfig.caBundle']);
    });

    it(`${env.name}: ignores replicas of exactly the HPA-managed Deployments, which omit replicas`, () => {
      const objects = overlays.get(env.name)! as Any[];
      const targets = objects
        .filter((o) => o.kind === 'HorizontalPodAutoscaler')
        .map((h) => h.spec.scaleTargetRef.name)
        .sort();
      const app = apps.find((a) => a.spec.source.path === `overlays/${env.name}`);
      const ignored = (app.spec.ignoreDifferences ?? [])
        .filter((d: Any) => d.kind !== 'ValidatingWebhookConfiguration')
        .map((d: Any) => {
          expect(d).toEqual({ group: 'apps', kind: 'Deployment', name: d.name, jsonPointers: ['/spec/replicas'] });
          return d.name;
        });
      expect(ignored.sort()).toEqual(targets);
      for (const name of targets) expect(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name).spec.replicas).toBeUndefined();
    });
  }

  it("the AppProject allows exactly this repository and each environment's cluster and namespace", () => {
    expect(project.metadata.name).toBe(PROJECT);
    expect(project.spec.sourceRepos).toEqual([...new Set(envs.map((e) => e.argocd.repoURL))]);
    expect(project.spec.destinations).toEqual(expect.arrayContaining(envs.map((e) => ({ server: e.cluster.server, namespace: 'observability' }))));
    expect(project.spec.destinations).toHaveLength(envs.length);
    for (const d of project.spec.destinations) expect(d.server).not.toMatch(/[*?]/);
    expect(project.spec.orphanedResources).toEqual({ warn: true });
  });

  it('the AppProject whitelists exactly the kinds the overlays render (cluster-scoped: what has no namespace)', () => {
    const all = [...overlays.values()].flat();
    const rendered = (namespaced: boolean) =>
      [...new Set(all.filter((o) => Boolean(o.metadata.namespace) === namespaced).map((o) => kindKey({ group: groupOf(o), kind: o.kind })))].sort();
    expect(project.spec.clusterResourceWhitelist.map(kindKey).sort()).toEqual(rendered(false));
    expect(project.spec.namespaceResourceWhitelist.map(kindKey).sort(), 'add or remove the kind in NAMESPACED_KINDS (generators/argocd.ts)').toEqual(
      rendered(true),
    );
    expect(rendered(true)).not.toContain('/Secret');
  });
});

describe('sync waves', () => {
  for (const [name, objects] of overlays) {
    it(`${name}: every object carries the wave of its kind; namespace, store and secret come before the workloads`, () => {
      const wave = (o: KubeObject) => Number(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION] ?? 0);
      for (const o of objects) expect(wave(o), `${o.kind}/${o.metadata.name}`).toBe(syncWave(o));
      const byKind = (kind: string) => objects.filter((o) => o.kind === kind).map(wave);
      const workloads = [...byKind('Deployment'), ...byKind('StatefulSet')];
      // Zone StatefulSets and the rollout-operator come one wave before the other workloads (sync-waves.ts).
      expect(Math.max(...workloads)).toBe(0);
      expect(Math.min(...workloads)).toBeGreaterThanOrEqual(-1);
      for (const w of objects.filter((o) => (o.kind === 'StatefulSet' || o.kind === 'Deployment') && wave(o) < 0))
        expect(w.metadata.labels?.['rollout-group'] ?? w.metadata.labels?.['app.kubernetes.io/component'], `${w.kind}/${w.metadata.name}`).toMatch(
          /^(ingester|rollout-operator)$/,
        );
      for (const config of byKind('ConfigMap').filter((w) => w < 0)) expect(config).toBeLessThanOrEqual(Math.min(...workloads));
      for (const before of ['Namespace', 'SecretStore', 'ExternalSecret', 'ServiceAccount']) {
        for (const w of byKind(before)) expect(w, before).toBeLessThan(Math.min(...workloads));
      }
      for (const store of byKind('SecretStore')) for (const es of byKind('ExternalSecret')) expect(store).toBeLessThan(es);
    });
  }

  it('the overlay patches give kinds no overlay renders yet their wave too (alerts, dashboards), with every kustomize', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sync-waves-'));
    try {
      const objects = [
        { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'rules' }, spec: { groups: [] } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dashboard', labels: { grafana_dashboard: '1' }, annotations: { other: 'kept' } } },
      ];
      writeFileSync(join(dir, 'objects.yaml'), objects.map((o) => toYaml(o)).join('---\n'));
      writeFileSync(join(dir, 'kustomization.yaml'), toYaml({ resources: ['objects.yaml'], patches: syncWavePatches() }));
      // Built concurrently, without blocking the worker (a blocked worker misses vitest's RPC deadlines under load).
      const builds = await Promise.all(kustomizes().map(async (k) => [k, await k.buildAsync(dir)] as const));
      for (const [k, output] of builds) {
        const built = parseAllDocuments(output).map((d) => d.toJS() as KubeObject);
        for (const o of built) expect(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION], `${k.name}: ${o.kind}`).toBe(String(syncWave(o)));
        expect(built.find((o) => o.kind === 'ConfigMap')!.metadata.annotations!.other).toBe('kept');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rules and dashboards get a wave after the workloads (as soon as they land)', () => {
    const o = (apiVersion: string, kind: string, labels?: Record<string, string>) => ({ apiVersion, kind, metadata: { name: 'x', labels } });
    expect(syncWave(o('monitoring.coreos.com/v1', 'PrometheusRule'))).toBeGreaterThan(0);
    expect(syncWave(o('monitoring.coreos.com/v1', 'ServiceMonitor'))).toBeGreaterThan(0);
    expect(syncWave(o('v1', 'ConfigMap', { grafana_dashboard: '1' }))).toBeGreaterThan(0);
    expect(syncWave(o('v1', 'ConfigMap'))).toBeLessThan(syncWave(o('apps/v1', 'Deployment')));
    expect(syncWave(o('apps/v1', 'Deployment'))).toBe(0);
    expect(syncWave(o('apps/v1', 'StatefulSet', { 'rollout-group': 'ingester' }))).toBe(-1);
    expect(syncWave(o('apps/v1', 'StatefulSet'))).toBe(0);
  });
});
