// The ingestion edge as rendered by `kustomize build` of every overlay: the collector agent forwards to
// the distributor Service that really serves OTLP gRPC, every traces pipeline is guarded and scrubbed,
// the vulture writes to and reads from the rendered Services, and the agent's pods match its config.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SCRUB_PROCESSOR, collectorConfig as collectorConfigOf, redacted } from '../generators/components/collector-config';
import { vultureArgs } from '../generators/components/vulture';
import type { Environment } from '../generators/environment/index';
import type { KubeObject } from '../generators/kubernetes/objects';
import { renderEnvironment } from '../generators/render';
import { loadEnvironments } from '../generators/repository';
import { baseEnvironment } from '../generators/environment/load';
import { overlayFiles } from '../generators/kustomize/layout';
import { ROOT, build } from './helpers/kustomize';
import { type Any, find, tempoConfig } from './helpers/objects';

/** The collector config of an environment (its components.collector settings). */
const collectorConfig = (env: Environment) => collectorConfigOf(env, env.components.collector);

/** The Service behind `host:port` (a cluster-local DNS name), and the container port it reaches. */
function resolve(objects: KubeObject[], host: string, port: number): { service: Any; containerPort: number; workload: Any } {
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(host);
  if (!m) throw new Error(`${host} is not a cluster-local Service name`);
  const service = objects.find((o: Any) => o.kind === 'Service' && o.metadata.name === m[1] && o.metadata.namespace === m[2]) as Any;
  if (!service) throw new Error(`${host}: no Service ${m[2]}/${m[1]} is rendered`);
  const sp = service.spec.ports.find((p: Any) => p.port === port);
  if (!sp) throw new Error(`${host}:${port}: Service ${m[1]} has no port ${port}`);
  const workload = objects.find(
    (o: Any) =>
      ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind) &&
      Object.entries(service.spec.selector).every(([k, v]) => o.spec.template.metadata.labels[k] === v),
  ) as Any;
  if (!workload) throw new Error(`${host}: Service ${m[1]} selects no workload`);
  const cp = workload.spec.template.spec.containers
    .flatMap((c: Any) => c.ports ?? [])
    .find((p: Any) => (typeof sp.targetPort === 'string' ? p.name === sp.targetPort : p.containerPort === sp.targetPort));
  if (!cp) throw new Error(`${host}:${port}: targetPort ${sp.targetPort} is no container port of ${workload.metadata.name}`);
  return { service, containerPort: cp.containerPort, workload };
}

/** The job label the ServiceMonitor's relabeling gives targets of `svc` (what the edge alerts select on). */
function scrapedJob(sm: Any, svc: Any): string {
  const meta: Record<string, string> = { __meta_kubernetes_namespace: svc.metadata.namespace };
  for (const [k, v] of Object.entries<string>(svc.metadata.labels)) meta[`__meta_kubernetes_service_label_${k.replace(/[^A-Za-z0-9_]/g, '_')}`] = v;
  const rule = sm.spec.endpoints[0].relabelings.find((r: Any) => r.targetLabel === 'job');
  return rule.replacement ?? rule.sourceLabels.map((l: string) => meta[l]).join(rule.separator ?? ';');
}

const port = (endpoint: string) => Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
/** An OTTL string literal back to its value: `$$` is the collector's escape for `$`, the rest is Go quoting. */
const ottlLiterals = (statement: string): string[] =>
  [...statement.matchAll(/"(?:\\.|[^\\"])*"/g)].map((m) => JSON.parse(m[0].replace(/\$\$/g, '$')) as string);

for (const env of loadEnvironments(ROOT)) {
  describe(`overlays/${env.name}: collector agent`, () => {
    const objects = build(`overlays/${env.name}`);
    const tempo = tempoConfig(objects);
    const ds = find(objects, 'DaemonSet', 'tempo-stack-collector');
    const pod = ds.spec.template.spec;
    const container = pod.containers[0];
    const volume = pod.volumes.find((v: Any) => v.name === 'config');
    const cm = find(objects, 'ConfigMap', volume.configMap.name);
    const configPath = container.args.find((a: string) => a.startsWith('--config=')).slice('--config='.length);
    const mount = container.volumeMounts.find((m: Any) => m.name === 'config');
    const config = parse(cm.data[configPath.slice(mount.mountPath.length + 1)]);

    it('mounts its config from a ConfigMap with a content hash (agents roll on change)', () => {
      expect(volume.configMap.name).toMatch(/^tempo-stack-collector-[a-z0-9]{10}$/);
      expect(configPath.startsWith(`${mount.mountPath}/`)).toBe(true);
    });

    it("exports to the distributor Service port that reaches Tempo's OTLP gRPC receiver", () => {
      const exporter = config.exporters.otlp_grpc;
      expect(exporter.endpoint).toBe('tempo-stack-distributor.observability.svc.cluster.local:4317');
      const [host] = exporter.endpoint.split(':');
      const { containerPort, workload } = resolve(objects, host, port(exporter.endpoint));
      expect(workload.metadata.name).toBe('tempo-stack-distributor');
      expect(containerPort).toBe(port(tempo.distributor.receivers.otlp.protocols.grpc.endpoint));
      expect(exporter.sending_queue.enabled).toBe(true);
      expect(exporter.sending_queue.queue_size).toBeGreaterThan(0);
      expect(exporter.retry_on_failure.enabled).toBe(true);
    });

    it('every path from the receiver to an exporter starts with memory_limiter, scrubs before batching, and uses only defined components', () => {
      const pipelines = config.service.pipelines as Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
      const connectors = Object.keys(config.connectors ?? {});
      for (const [name, p] of Object.entries(pipelines)) {
        for (const r of p.receivers) expect({ ...config.receivers, ...config.connectors }, `${name}: receiver ${r}`).toHaveProperty([r]);
        for (const x of p.processors) expect(config.processors, `${name}: processor ${x}`).toHaveProperty([x]);
        for (const e of p.exporters) expect({ ...config.exporters, ...config.connectors }, `${name}: exporter ${e}`).toHaveProperty([e]);
      }
      // Every route a span can take: a pipeline fed by the receiver, then the pipelines its connectors feed.
      const paths = (name: string, before: string[]): string[][] => {
        const p = pipelines[name]!;
        const next = Object.keys(pipelines).filter((n) => pipelines[n]!.receivers.some((r) => p.exporters.includes(r) && connectors.includes(r)));
        const here = [...before, ...p.processors];
        return next.length ? next.flatMap((n) => paths(n, here)) : [here];
      };
      const starts = Object.keys(pipelines).filter((n) => pipelines[n]!.receivers.includes('otlp'));
      expect(starts).toEqual(['traces']);
      const routes = paths('traces', []);
      expect(routes.length).toBeGreaterThan(0);
      for (const processors of routes) {
        const route = processors.join(' > ');
        expect(processors[0], route).toBe('memory_limiter');
        expect(processors, route).toContain(SCRUB_PROCESSOR);
        expect(processors.indexOf(SCRUB_PROCESSOR), route).toBeLessThan(processors.indexOf('batch'));
        // k8s_attributes reads the sender's address, which batching loses.
        expect(processors.indexOf('k8s_attributes'), route).toBeLessThan(processors.indexOf('batch'));
        expect(processors.at(-1), route).toBe('batch');
        // A sampler keeps or drops by trace id before the span leaves the node, never twice.
        expect(processors.filter((x) => x.startsWith('probabilistic_sampler')).length, route).toBeLessThanOrEqual(1);
      }
      expect(config.processors.batch).toEqual({ timeout: '1s', send_batch_size: 1024 });
    });

    it("applies the environment's scrubbing policy to resource, span and span-event attributes", () => {
      const s = env.components.collector.scrubbing;
      const groups = config.processors[SCRUB_PROCESSOR].trace_statements as Array<{ context: string; statements: string[] }>;
      expect(config.processors[SCRUB_PROCESSOR].error_mode).toBe('ignore');
      expect(groups.map((g) => g.context)).toEqual(['resource', 'span', 'spanevent']);
      for (const g of groups) {
        const deleted = g.statements.filter((st) => st.startsWith('delete_key(')).map((st) => ottlLiterals(st)[0]);
        expect(deleted, g.context).toEqual(s.deleteAttributes);
        const hashed = g.statements.filter((st) => st.includes('SHA256(')).map((st) => ottlLiterals(st)[0]);
        expect(hashed, g.context).toEqual(s.hashAttributes);
        const masks = g.statements.filter((st) => st.startsWith('replace_all_patterns(attributes, "value"')).map((st) => ottlLiterals(st).slice(1));
        expect(masks, g.context).toEqual(s.maskPatterns.map((p) => [p.regex, redacted(p.name)]));
      }
      const names = groups.find((g) => g.context === 'span')!.statements.filter((st) => st.startsWith('replace_pattern(name,'));
      expect(names.map((st) => ottlLiterals(st)[0])).toEqual(s.maskPatterns.map((p) => p.regex));
    });

    it('adds cluster.name and environment from the environment file', () => {
      expect(config.processors.resource.attributes.slice(0, 2)).toEqual([
        { key: 'cluster.name', value: env.cluster.name, action: 'upsert' },
        { key: 'environment', value: env.name, action: 'upsert' },
      ]);
    });

    it('pod and Service match the config: receivers, health check, telemetry port, node filter', () => {
      const ports = new Map<string, number>(container.ports.map((p: Any) => [p.name, p.containerPort]));
      expect(ports.get('otlp-grpc')).toBe(port(config.receivers.otlp.protocols.grpc.endpoint));
      expect(ports.get('otlp-http')).toBe(port(config.receivers.otlp.protocols.http.endpoint));
      expect(ports.get('health')).toBe(port(config.extensions.health_check.endpoint));
      expect(ports.get('http-metrics')).toBe(config.service.telemetry.metrics.readers[0].pull.exporter.prometheus.port);
      for (const endpoint of [config.receivers.otlp.protocols.grpc.endpoint, config.extensions.health_check.endpoint]) expect(endpoint).toMatch(/^0\.0\.0\.0:/);
      expect(config.service.telemetry.metrics.readers[0].pull.exporter.prometheus.host).toBe('0.0.0.0');
      expect(container.readinessProbe.httpGet).toEqual({ path: config.extensions.health_check.path, port: 'health' });
      expect(container.env.find((e: Any) => e.name === config.processors.k8s_attributes.filter.node_from_env_var).valueFrom.fieldRef.fieldPath).toBe(
        'spec.nodeName',
      );
      const svc = find(objects, 'Service', 'tempo-stack-collector');
      expect(svc.spec.internalTrafficPolicy).toBe('Local');
      expect(svc.spec.ports.map((p: Any) => [p.port, ports.get(p.targetPort)])).toEqual([
        [4317, 4317],
        [4318, 4318],
        [8888, 8888],
      ]);
      const sm = find(objects, 'ServiceMonitor', 'tempo-stack-collector');
      expect(sm.spec.endpoints.map((e: Any) => e.port)).toEqual(['http-metrics']);
      expect(Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => svc.metadata.labels[k] === v)).toBe(true);
      expect(scrapedJob(sm, svc)).toBe('observability/collector');
    });

    it('k8s_attributes can read what it watches: the pod mounts the token of a ServiceAccount bound to read-only rules', () => {
      expect(pod.automountServiceAccountToken).toBe(true);
      const binding = find(objects, 'ClusterRoleBinding', 'tempo-stack-collector');
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: 'observability' }]);
      const role = find(objects, 'ClusterRole', binding.roleRef.name);
      const granted = role.rules.flatMap((r: Any) => r.resources.map((res: string) => `${r.apiGroups[0] || 'core'}/${res}`)).sort();
      expect(granted).toEqual(['apps/replicasets', 'core/namespaces', 'core/pods']);
      for (const r of role.rules) expect(r.verbs).toEqual(['get', 'list', 'watch']);
    });
  });

  describe(`overlays/${env.name}: tempo-vulture`, () => {
    const objects = build(`overlays/${env.name}`);
    const tempo = tempoConfig(objects);
    const vulture = find(objects, 'Deployment', 'tempo-stack-vulture').spec.template.spec.containers[0];
    const arg = (flag: string): string | undefined => vulture.args.find((a: string) => a.startsWith(`-${flag}=`))?.slice(flag.length + 2);

    it('pushes to the distributor Service port that reaches the OTLP gRPC receiver (with TLS: through its sidecar)', () => {
      const url = new URL(arg('tempo-push-url')!);
      let target = { host: url.hostname, port: Number(url.port) };
      if (tempo.distributor.receivers.otlp.protocols.grpc.tls) {
        // vulture pushes plaintext to the sidecar on its loopback, which exports over TLS with the CA.
        const cm = objects.find((o: Any) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('tempo-stack-vulture-tls-sidecar-')) as Any;
        const sidecar = parse(cm.data['tls-sidecar.yaml']);
        expect(sidecar.receivers.otlp.protocols.grpc.endpoint).toBe(`${url.hostname}:${url.port}`);
        expect(sidecar.service.pipelines.traces.processors).toEqual([]);
        expect(sidecar.exporters.otlp_grpc.tls).toEqual({ ca_file: '/etc/tempo-ca/ca.crt' });
        const [host, port] = sidecar.exporters.otlp_grpc.endpoint.split(':');
        target = { host, port: Number(port) };
      }
      const { workload, containerPort } = resolve(objects, target.host, target.port);
      expect(workload.metadata.name).toBe('tempo-stack-distributor');
      expect(containerPort).toBe(port(tempo.distributor.receivers.otlp.protocols.grpc.endpoint));
    });

    it("reads back through the query-frontend Service port that reaches Tempo's HTTP server", () => {
      const url = new URL(arg('tempo-query-url')!);
      const { workload, containerPort } = resolve(objects, url.hostname, Number(url.port));
      expect(workload.metadata.name).toBe('tempo-stack-query-frontend');
      expect(containerPort).toBe(tempo.server.http_listen_port);
    });

    it("runs Tempo's own tag, knows the retention, and is scraped on the port it listens on", () => {
      expect(vulture.image).toBe(`grafana/tempo-vulture:${env.tempo.tag}`);
      // 2.10: the compactor applies retention; 3.0: the backend-workers.
      expect(arg('tempo-retention-duration')).toBe((tempo.compactor ?? tempo.backend_worker).compaction.block_retention);
      expect(arg('tempo-org-id')).toBe(env.features.multitenancy ? 'tempo-vulture' : undefined);
      const listen = Number(arg('prometheus-listen-address')!.replace(':', ''));
      expect(vulture.ports.find((p: Any) => p.name === 'http-metrics').containerPort).toBe(listen);
      const svc = find(objects, 'Service', 'tempo-stack-vulture');
      const sm = find(objects, 'ServiceMonitor', 'tempo-stack-vulture');
      expect(svc.spec.ports.map((p: Any) => p.name)).toContain(sm.spec.endpoints[0].port);
      expect(scrapedJob(sm, svc)).toBe('observability/vulture');
    });
  });
}

describe('multitenancy', () => {
  const env = baseEnvironment();
  const on: Environment = { ...env, features: { ...env.features, multitenancy: true } };

  it('the agent writes as collector.tenant and vulture as its own tenant; without it, neither sends a tenant', () => {
    expect(collectorConfig(on).exporters.otlp_grpc?.headers).toEqual({ 'X-Scope-OrgID': env.components.collector.tenant });
    expect(vultureArgs(on)).toContain('-tempo-org-id=tempo-vulture');
    expect(collectorConfig(env).exporters.otlp_grpc?.headers).toBeUndefined();
    expect(vultureArgs(env).some((a) => a.startsWith('-tempo-org-id'))).toBe(false);
  });
});

describe('feature switches', () => {
  const base = renderEnvironment(baseEnvironment());
  const on = baseEnvironment();
  const off: Environment = { ...on, name: 'dev', features: { ...on.features, collector: false, vulture: false } };
  const rendered = renderEnvironment(off);

  it('are on by default', () => {
    expect(
      base.objects
        .filter((o) => /collector|vulture/.test(o.metadata.name))
        .map((o) => `${o.kind}/${o.metadata.name}`)
        .sort(),
    ).toEqual([
      'ClusterRole/tempo-stack-collector',
      'ClusterRoleBinding/tempo-stack-collector',
      'DaemonSet/tempo-stack-collector',
      'Deployment/tempo-stack-vulture',
      'NetworkPolicy/tempo-stack-collector',
      'NetworkPolicy/tempo-stack-vulture',
      'Service/tempo-stack-collector',
      'Service/tempo-stack-vulture',
      'ServiceAccount/tempo-stack-collector',
      'ServiceMonitor/tempo-stack-collector',
      'ServiceMonitor/tempo-stack-vulture',
    ]);
  });

  it('turned off, an overlay deletes every edge object of base and its config ConfigMap', () => {
    expect(rendered.objects.some((o) => /collector|vulture/.test(o.metadata.name))).toBe(false);
    const deletions = [...overlayFiles(base, rendered).entries()]
      .filter(([, content]) => content.includes('$patch: delete'))
      .map(([path]) => path.replace('overlays/dev/patches/', ''))
      .filter((p) => /collector|vulture/.test(p))
      .sort();
    expect(deletions).toEqual([
      'collector-clusterrole.yaml',
      'collector-clusterrolebinding.yaml',
      'collector-configmap.yaml',
      'collector-daemonset.yaml',
      'collector-networkpolicy.yaml',
      'collector-service.yaml',
      'collector-serviceaccount.yaml',
      'collector-servicemonitor.yaml',
      'vulture-deployment.yaml',
      'vulture-networkpolicy.yaml',
      'vulture-service.yaml',
      'vulture-servicemonitor.yaml',
      'vulture-tls-sidecar-configmap.yaml',
    ]);
  });
});
