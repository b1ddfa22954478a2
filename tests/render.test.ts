// Key properties of the rendered stack, read from the real `kustomize build` output of each overlay.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeObject } from '../generators/kubernetes/objects';
import { RECEIVERS } from '../generators/components/distributor';
import { LEGACY_HTTP_PORT } from '../generators/components/query-frontend';
import { ZONE_LABEL } from '../generators/components/tempo';
import { loadChecked } from '../generators/repository';
import { selectorLabels } from '../generators/stack';
import { SERVICES, TEMPO_PORTS as PORTS } from '../generators/tempo/facts';
import { environmentNames } from '../generators/repository';
import { ROOT, build } from './helpers/kustomize';
import { type Any, find, tempoConfig } from './helpers/objects';

const workloads = (objects: KubeObject[]): Any[] => objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');

describe('prod carries the design figures', () => {
  const prod = build('overlays/prod');
  const replicas = (kind: string, component: string) => find(prod, kind, `tempo-stack-${component}`).spec.replicas;

  /** prod's ingesters are zone-aware: one StatefulSet per zone, the component's replicas split over them. */
  const ingesters = workloads(prod).filter((w) => w.metadata.labels['app.kubernetes.io/component'] === 'ingester');

  it('replicas per component', () => {
    expect(replicas('Deployment', 'distributor')).toBe(3);
    expect(ingesters.map((w) => w.spec.replicas)).toEqual([1, 1, 1]);
    expect(replicas('Deployment', 'query-frontend')).toBe(2);
    expect(replicas('Deployment', 'querier')).toBe(2);
    expect(replicas('Deployment', 'compactor')).toBe(1);
    expect(replicas('StatefulSet', 'metrics-generator')).toBe(1);
  });

  it('ingesters: one StatefulSet per zone, pinned to it, 50Gi volume each, parallel start, a grace period long enough to flush, one zone down at a time', () => {
    expect(ingesters.map((w) => w.metadata.name)).toEqual(['a', 'b', 'c'].map((z) => `tempo-stack-ingester-zone-${z}`));
    const zones = ingesters.map((ing) => {
      expect(ing.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('50Gi');
      expect(ing.spec.podManagementPolicy).toBe('Parallel');
      expect(ing.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(600);
      expect(ing.spec.updateStrategy).toEqual({ type: 'OnDelete' });
      expect(ing.metadata.labels['rollout-group']).toBe('ingester');
      expect(ing.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Delete' });
      const anti = ing.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
      expect(anti.topologyKey).toBe('kubernetes.io/hostname');
      const pin = ing.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0];
      expect(pin.key).toBe('topology.kubernetes.io/zone');
      expect(ing.spec.template.spec.containers[0].env).toContainEqual({ name: 'AVAILABILITY_ZONE', value: pin.values[0] });
      return pin.values[0];
    });
    expect(zones).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    expect(find(prod, 'ZoneAwarePodDisruptionBudget', 'tempo-stack-ingester').spec).toEqual({
      maxUnavailablePercentage: 100,
      selector: { matchLabels: { 'rollout-group': 'ingester' } },
    });
    expect(prod.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'tempo-stack-ingester')).toBeUndefined();
  });

  it('Tempo config: 14-day retention, bucket tempo-traces-prod in us-east-1, replication factor 3, flush on shutdown', () => {
    const cfg = tempoConfig(prod);
    expect(cfg.compactor.compaction.block_retention).toBe('336h');
    expect(cfg.storage.trace.backend).toBe('s3');
    expect(cfg.storage.trace.s3.bucket).toBe('tempo-traces-prod');
    expect(cfg.storage.trace.s3.region).toBe('us-east-1');
    expect(cfg.ingester.lifecycler.ring.replication_factor).toBe(3);
    expect(cfg.ingester.flush_all_on_shutdown).toBe(true);
    expect(cfg.storage.trace.block.parquet_dedicated_columns.map((c: Any) => c.name)).toEqual(['user.id', 'game.id', 'game_session_id']);
  });
});

for (const envName of environmentNames(ROOT)) {
  describe(`overlays/${envName}`, () => {
    const objects = build(`overlays/${envName}`);
    const cfg = tempoConfig(objects);
    const env = loadChecked(ROOT, envName);

    it('puts every namespaced object in namespace observability', () => {
      const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'ValidatingWebhookConfiguration'];
      for (const o of objects.filter((x) => !clusterScoped.includes(x.kind)))
        expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('observability');
    });

    it('every receiver binds 0.0.0.0 on its port, and the distributor Service exposes all five', () => {
      const r = cfg.distributor.receivers;
      const endpoints = [r.otlp.protocols.grpc, r.otlp.protocols.http, r.jaeger.protocols.grpc, r.jaeger.protocols.thrift_http, r.zipkin].map(
        (x: Any) => x.endpoint,
      );
      expect(endpoints).toEqual(RECEIVERS.map((x) => `0.0.0.0:${x.port}`));
      const svcPorts = find(objects, 'Service', 'tempo-stack-distributor').spec.ports.map((p: Any) => p.port);
      for (const x of RECEIVERS) expect(svcPorts).toContain(x.port);
    });

    it('the query-frontend answers on 3200 and 3100; queriers find it through the discovery Service', () => {
      const ports = find(objects, 'Service', 'tempo-stack-query-frontend').spec.ports;
      expect(ports.map((p: Any) => [p.port, p.targetPort])).toEqual(
        expect.arrayContaining([
          [PORTS.http, 'http'],
          [LEGACY_HTTP_PORT, 'http'],
        ]),
      );
      const discovery = find(objects, 'Service', SERVICES.queryFrontendDiscovery);
      expect(discovery.spec.clusterIP).toBe('None');
      expect(discovery.spec.publishNotReadyAddresses).toBe(true);
      expect(cfg.querier.frontend_worker.frontend_address).toBe(`${SERVICES.queryFrontendDiscovery}.observability.svc.cluster.local:9095`);
    });

    it('memberlist joins the headless gossip Service, which selects exactly the ring members', () => {
      expect(cfg.memberlist.join_members).toEqual([`dns+${SERVICES.gossip}.observability.svc.cluster.local:7946`]);
      const gossip = find(objects, 'Service', SERVICES.gossip);
      expect(gossip.spec.clusterIP).toBe('None');
      expect(gossip.spec.publishNotReadyAddresses).toBe(true);
      const members = workloads(objects)
        .filter((w) => Object.entries(gossip.spec.selector).every(([k, v]) => w.spec.template.metadata.labels[k] === v))
        .map((w) => w.metadata.labels['app.kubernetes.io/component']);
      // The ring members of the environment's Tempo version (modules.go: who joins memberlist).
      const ring =
        env.tempo.version === '3.0'
          ? ['backend-worker', 'block-builder', 'distributor', 'live-store', 'metrics-generator', 'querier']
          : ['compactor', 'distributor', 'ingester', 'metrics-generator', 'querier'];
      expect([...new Set(members)].sort()).toEqual(ring);
    });

    it('Tempo containers: pinned image, target args, /ready probe, requests and limits, GOMEMLIMIT under the limit', () => {
      for (const w of workloads(objects)) {
        for (const c of w.spec.template.spec.containers) {
          expect(c.image, w.metadata.name).toMatch(/:[A-Za-z0-9_.-]+$/);
          expect(c.image).not.toMatch(/:latest$/);
          expect(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, `${w.metadata.name}/${c.name}`).toBeTruthy();
          if (!c.image.startsWith('grafana/tempo:')) continue;
          const component = w.metadata.labels['app.kubernetes.io/component'];
          const zone = w.spec.template.metadata.labels[ZONE_LABEL];
          expect(c.args).toEqual([
            `-target=${component}`,
            '-config.file=/conf/tempo.yaml',
            '-config.expand-env=true',
            // Each live-store zone tells its pods their zone.
            ...(zone ? [`-live-store.instance-availability-zone=${zone}`] : []),
          ]);
          const tls = Boolean(tempoConfig(objects).server.http_tls_config);
          expect(c.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http', ...(tls ? { scheme: 'HTTPS' } : {}) });
          expect(c.ports.find((p: Any) => p.name === 'http').containerPort).toBe(3200);
          const gomem = c.env.find((e: Any) => e.name === 'GOMEMLIMIT').value as string;
          const limitMi = Number(/^(\d+)Gi$/.exec(c.resources.limits.memory)?.[1] ?? 0) * 1024 || Number(/^(\d+)Mi$/.exec(c.resources.limits.memory)?.[1]);
          expect(Number(gomem.replace('MiB', ''))).toBeLessThan(limitMi);
          expect(Number(gomem.replace('MiB', ''))).toBeGreaterThan(limitMi * 0.8);
        }
      }
    });

    it('selectors are the stable selector labels and match their pod templates', () => {
      for (const w of workloads(objects)) {
        const component = w.metadata.labels['app.kubernetes.io/component'];
        // A zone StatefulSet of ingesters also selects on its own name (the rollout-operator finds its pods by
        // the `name` label); a live-store zone's on its zone.
        const rollout = w.metadata.labels['rollout-group'] ? { name: w.metadata.name } : {};
        const zone = w.spec.template.metadata.labels[ZONE_LABEL];
        expect(w.spec.selector.matchLabels).toEqual({ ...selectorLabels(component), ...rollout, ...(zone ? { [ZONE_LABEL]: zone } : {}) });
        for (const [k, v] of Object.entries(w.spec.selector.matchLabels)) expect(w.spec.template.metadata.labels[k]).toBe(v);
      }
    });

    it('a PodDisruptionBudget for every workload that may run several replicas, and only those', () => {
      for (const w of workloads(objects)) {
        const hpa = objects.find((o: Any) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === w.metadata.name) as Any;
        const replicas = hpa ? hpa.spec.maxReplicas : w.spec.replicas;
        const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === w.metadata.name);
        expect(Boolean(pdb), `${w.metadata.name} (${replicas} replicas)`).toBe(replicas > 1);
      }
    });

    it('the config ConfigMap has a content hash (pods roll on change); the overrides ConfigMap does not (hot reload)', () => {
      const names = objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name);
      expect(names.some((n) => /^tempo-stack-config-[a-z0-9]{10}$/.test(n))).toBe(true);
      expect(names).toContain('tempo-stack-overrides');
      const overrides = parse((find(objects, 'ConfigMap', 'tempo-stack-overrides') as Any).data['overrides.yaml']);
      expect(Object.keys(overrides)).toEqual(['overrides']);
      expect(cfg.overrides.per_tenant_override_config).toBe('/runtime-config/overrides.yaml');
    });
  });
}
