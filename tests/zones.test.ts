// Zone-aware ingesters as every overlay builds them: one StatefulSet per cluster.zones entry, pinned to it
// and announcing it to the ring; the rollout-operator with its RBAC, webhook and budget kind; the budget
// valid against the CRD the same overlay renders; the migration's first step; trafficDistribution and
// the volumes' retention per StatefulSet.
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadEnvironments } from '../generators/repository';
import { mergeEnvironment } from '../generators/environment/load';
import type { KubeObject } from '../generators/kubernetes/objects';
import { syncWave } from '../generators/kustomize/sync-waves';
import { renderEnvironment } from '../generators/render';
import { NAMESPACE } from '../generators/stack';
import { CONFIG_MAP, OVERRIDES_CONFIG_MAP } from '../generators/tempo/facts';
import { RULES, failures, runPolicies } from '../policies/index';
import { ROOT, build } from './helpers/kustomize';
import { type Any, find, tempoConfig } from './helpers/objects';

const envs = loadEnvironments(ROOT);
const CLUSTER_SCOPED = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'ValidatingWebhookConfiguration'];
const ingesterSets = (objects: Any[]) =>
  objects.filter((o) => o.kind === 'StatefulSet' && o.spec.template.metadata.labels['app.kubernetes.io/component'] === 'ingester');
const pin = (s: Any): string[] | undefined =>
  s.spec.template.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchExpressions?.find(
    (e: Any) => e.key === 'topology.kubernetes.io/zone',
  )?.values;

/** An openAPIV3Schema made strict: an unknown field is an error (the API server would prune it silently). */
function strict(schema: Any): Any {
  if (schema?.type === 'object' && schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
  for (const p of Object.values<Any>(schema?.properties ?? {})) strict(p);
  return schema;
}

/** An environment rendered in memory with the namespace kustomize would set (policies compare namespaces). */
function rendered(file: Record<string, unknown>): KubeObject[] {
  const env = mergeEnvironment('x', {
    cluster: { name: 'c', zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
    aws: { region: 'us-east-1', accountId: '123456789012' },
    s3: { bucket: 'tempo-traces-x' },
    ...file,
  });
  const r = renderEnvironment(env);
  // The files kustomize turns into ConfigMaps, under the names the pods mount (no hash before the build).
  const configMaps = [
    [CONFIG_MAP, 'tempo.yaml', r.tempoConfig],
    [OVERRIDES_CONFIG_MAP, 'overrides.yaml', r.overrides],
  ].map(
    ([name, file, content]): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: String(name) },
      data: { [String(file)]: stringify(content) },
    }),
  );
  return [...r.objects, ...configMaps].map((o) => (CLUSTER_SCOPED.includes(o.kind) ? o : { ...o, metadata: { ...o.metadata, namespace: NAMESPACE } }));
}

for (const env of envs) {
  describe(`overlays/${env.name}`, () => {
    const objects = build(`overlays/${env.name}`) as Any[];
    const sets = ingesterSets(objects);
    const own = env.components.ingester;

    if (env.tempo.version !== '2.10') {
      it('runs no ingester (Tempo 3), so no ingester zones and no rollout-operator', () => {
        expect(sets).toEqual([]);
        expect(objects.filter((o) => /rollout-operator|ZoneAware/.test(`${o.kind}/${o.metadata.name}`))).toEqual([]);
      });
      return;
    }

    if (!own.zoneAware) {
      it('runs one ingester StatefulSet, not pinned, and no rollout-operator', () => {
        expect(sets.map((s) => [s.metadata.name, s.spec.updateStrategy.type, pin(s)])).toEqual([['tempo-stack-ingester', 'RollingUpdate', undefined]]);
        expect(objects.filter((o) => /rollout-operator|ZoneAware/.test(`${o.kind}/${o.metadata.name}`))).toEqual([]);
        expect(tempoConfig(objects).ingester.lifecycler.ring.zone_awareness_enabled).toBeUndefined();
      });
      return;
    }

    it('one StatefulSet per zone of cluster.zones, pinned to it and announcing it, the replicas split evenly', () => {
      expect(sets.map((s) => s.metadata.name)).toEqual(env.cluster.zones.map((z) => `tempo-stack-ingester-zone-${z.slice(-1)}`));
      for (const [i, s] of sets.entries()) {
        expect(pin(s), s.metadata.name).toEqual([env.cluster.zones[i]]);
        expect(s.spec.template.spec.containers[0].env).toContainEqual({ name: 'AVAILABILITY_ZONE', value: env.cluster.zones[i] });
        expect(s.spec.replicas).toBe(own.replicas / env.cluster.zones.length);
        expect(s.spec.template.spec.topologySpreadConstraints).toBeUndefined();
      }
      const ring = tempoConfig(objects).ingester.lifecycler;
      expect(ring.ring.zone_awareness_enabled).toBe(true);
      expect(ring.availability_zone).toBe('${AVAILABILITY_ZONE}');
      // Every zone's pods: the governing Service, the ServiceMonitor and the NetworkPolicy select them by component.
      const svc = find(objects, 'Service', 'tempo-stack-ingester');
      for (const s of sets) {
        expect(s.spec.serviceName).toBe(svc.metadata.name);
        expect(Object.entries(svc.spec.selector).every(([k, v]) => s.spec.template.metadata.labels[k] === v)).toBe(true);
      }
    });

    it("the zone budget is valid against the CRD this overlay renders, and the rollout-operator's RBAC covers what it does", () => {
      const crd = find(objects, 'CustomResourceDefinition', 'zoneawarepoddisruptionbudgets.rollout-operator.grafana.com');
      const version = crd.spec.versions.find((v: Any) => v.served && v.storage);
      const validate = new Ajv({ strict: false, allErrors: true }).compile(strict(structuredClone(version.schema.openAPIV3Schema)));
      const budgets = objects.filter((o) => o.kind === crd.spec.names.kind);
      expect(budgets.length).toBe(1);
      for (const b of budgets) {
        expect(b.apiVersion).toBe(`${crd.spec.group}/${version.name}`);
        expect(validate({ spec: b.spec }), JSON.stringify(validate.errors)).toBe(true);
        expect(validate({ spec: { ...b.spec, maxUnavailablePercent: 100 } })).toBe(false); // a typo is caught
      }
      const role = find(objects, 'Role', 'tempo-stack-rollout-operator');
      expect(role.rules).toContainEqual({ apiGroups: [crd.spec.group], resources: [crd.spec.names.plural], verbs: ['get', 'list', 'watch'] });
      for (const rule of [...role.rules, ...find(objects, 'ClusterRole', 'tempo-stack-rollout-operator').rules]) {
        expect([...rule.apiGroups, ...rule.resources, ...rule.verbs]).not.toContain('*');
      }
      // The cluster-wide rights: watch webhook configurations, patch only its own (the CA bundle).
      const webhook = objects.find((o) => o.kind === 'ValidatingWebhookConfiguration');
      const cluster = find(objects, 'ClusterRole', 'tempo-stack-rollout-operator').rules;
      expect(cluster.filter((r: Any) => r.verbs.includes('patch'))).toEqual([
        {
          apiGroups: ['admissionregistration.k8s.io'],
          resources: ['validatingwebhookconfigurations'],
          resourceNames: [webhook.metadata.name],
          verbs: ['patch'],
        },
      ]);
      expect(webhook.metadata.labels).toMatchObject({ 'grafana.com/inject-rollout-operator-ca': 'true', 'grafana.com/namespace': NAMESPACE });
      // The API server dials the Service on 443; the operator's certificate names that Service.
      const hook = webhook.webhooks[0];
      const svc = find(objects, 'Service', hook.clientConfig.service.name);
      expect(svc.spec.ports.find((p: Any) => p.port === hook.clientConfig.service.port).targetPort).toBe('https');
      const args = find(objects, 'Deployment', 'tempo-stack-rollout-operator').spec.template.spec.containers[0].args;
      expect(args).toContain(`-server-tls.self-signed-cert.dns-name=${svc.metadata.name}.${NAMESPACE}.svc`);
      expect(args).toContain(`-kubernetes.namespace=${NAMESPACE}`);
      expect(hook).toMatchObject({ failurePolicy: 'Fail', clientConfig: { service: { path: '/admission/pod-eviction' } } });
      expect(hook.objectSelector).toBeUndefined(); // matched against the Eviction, which has no labels
    });

    it('orders a sync: the budget kind first, RBAC before the operator, zone StatefulSets and the operator before the rest', () => {
      const wave = (kind: string, name: string) => syncWave(find(objects, kind, name));
      expect(wave('CustomResourceDefinition', 'zoneawarepoddisruptionbudgets.rollout-operator.grafana.com')).toBeLessThan(
        wave('Role', 'tempo-stack-rollout-operator'),
      );
      expect(wave('Role', 'tempo-stack-rollout-operator')).toBeLessThan(wave('Deployment', 'tempo-stack-rollout-operator'));
      expect(wave('Deployment', 'tempo-stack-rollout-operator')).toBeLessThan(
        wave('ValidatingWebhookConfiguration', 'tempo-stack-rollout-operator-pod-eviction'),
      );
      for (const s of sets) expect(wave('StatefulSet', s.metadata.name)).toBeLessThan(wave('Deployment', 'tempo-stack-distributor'));
    });
  });
}

describe('the move from the single StatefulSet (components.ingester.legacyStatefulSet)', () => {
  const objects = rendered({ components: { ingester: { legacyStatefulSet: true } } });

  it("keeps today's StatefulSet and its budget beside the zones, outside the rollout group, and passes the policies with one warning", async () => {
    const legacy = find(objects, 'StatefulSet', 'tempo-stack-ingester');
    expect(legacy.metadata.labels['rollout-group']).toBeUndefined();
    expect(legacy.spec.updateStrategy).toEqual({ type: 'RollingUpdate' });
    // A named zone of its own: dskit never counts zone "", so its pods could hold several copies of one trace.
    expect(legacy.spec.template.spec.containers[0].env).toContainEqual({ name: 'AVAILABILITY_ZONE', value: 'legacy' });
    for (const s of ingesterSets(objects).filter((x) => x !== legacy))
      expect(s.spec.template.spec.containers[0].env).not.toContainEqual({ name: 'AVAILABILITY_ZONE', value: 'legacy' });
    expect(find(objects, 'PodDisruptionBudget', 'tempo-stack-ingester').spec.maxUnavailable).toBe(1);
    expect(ingesterSets(objects).map((s) => s.metadata.name)).toEqual(['a', 'b', 'c', ''].map((z) => `tempo-stack-ingester${z && `-zone-${z}`}`));
    const findings = await runPolicies(objects, { environment: 'x' }, RULES, []);
    expect(failures(findings)).toEqual([]);
    expect(findings.filter((f) => f.rule.startsWith('tempo-')).map((f) => `${f.object}: [${f.rule}]`)).toEqual([
      'StatefulSet/tempo-stack-ingester: [tempo-ingester-zoneless]',
    ]);
    expect(findings.find((f) => f.rule === 'tempo-ingester-zoneless')?.message).toMatch(/as zone "legacy", which no node affinity pins/);
  });

  it('after it, the zones alone pass every policy', async () => {
    expect(failures(await runPolicies(rendered({}), { environment: 'x' }, RULES, []))).toEqual([]);
  });
});

describe('per cluster version and replication factor', () => {
  const service = (objects: KubeObject[], name: string) => find(objects, 'Service', `tempo-stack-${name}`);

  it('trafficDistribution on the distributor and query-frontend Services from Kubernetes 1.31 (beta, on by default) on', () => {
    for (const [version, expected] of [
      ['1.30', undefined],
      ['1.31', 'PreferClose'],
      ['1.33', 'PreferClose'],
    ] as const) {
      const objects = rendered({ cluster: { name: 'c', zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], kubernetesVersion: version } });
      for (const c of ['distributor', 'query-frontend']) expect(service(objects, c).spec.trafficDistribution, `${c} on ${version}`).toBe(expected);
      expect(service(objects, 'ingester').spec.trafficDistribution).toBeUndefined();
    }
  });

  it('volumes: kept when a StatefulSet is deleted; deleted on scale-down where other copies exist', () => {
    const retention = (objects: KubeObject[]) =>
      Object.fromEntries(
        (objects as Any[])
          .filter((o) => o.kind === 'StatefulSet')
          .map((s) => [s.metadata.labels['app.kubernetes.io/component'], s.spec.persistentVolumeClaimRetentionPolicy]),
      );
    expect(retention(rendered({}))).toEqual({
      ingester: { whenDeleted: 'Retain', whenScaled: 'Delete' },
      'metrics-generator': { whenDeleted: 'Retain', whenScaled: 'Delete' },
    });
    const single = rendered({ tempo: { replicationFactor: 1 }, components: { ingester: { zoneAware: false, replicas: 1 } } });
    expect(retention(single).ingester).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  });
});
