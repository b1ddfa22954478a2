// The ServiceMonitors of every overlay (real `kustomize build`) find exactly the metrics port of each
// component, and their relabelings produce the labels the alerts, the promtool cases and the dashboards
// select on: job="<namespace>/<component>", cluster, namespace, pod, container.
import { describe, expect, it } from 'vitest';
import { runningComponents } from '../generators/render';
import { ZONE_LABEL } from '../generators/components/tempo';
import { scrapeJob, scrapeLabels } from '../generators/servicemonitors';
import { NAMESPACE, objectName } from '../generators/stack';
import { environmentNames, loadEnvironments } from '../generators/repository';
import { ROOT, build } from './helpers/kustomize';
import type { Any } from './helpers/objects';

interface Relabeling {
  action?: string;
  sourceLabels?: string[];
  separator?: string;
  regex?: string;
  targetLabel?: string;
  replacement?: string;
}

/** Prometheus' `replace` relabeling (the only action these ServiceMonitors use). */
function relabel(labels: Record<string, string>, rules: Relabeling[]): Record<string, string> {
  const out = { ...labels };
  for (const r of rules) {
    expect(r.action ?? 'replace').toBe('replace');
    const value = (r.sourceLabels ?? []).map((l) => out[l] ?? '').join(r.separator ?? ';');
    const match = new RegExp(`^(?:${r.regex ?? '(.*)'})$`).exec(value);
    if (match && r.targetLabel) out[r.targetLabel] = (r.replacement ?? '$1').replace(/\$(\d)/g, (_, i: string) => match[Number(i)] ?? '');
  }
  return out;
}

const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);

const envs = new Map(loadEnvironments(ROOT).map((e) => [e.name, e]));

describe.each(environmentNames(ROOT))('ServiceMonitors of %s', (name) => {
  const env = envs.get(name)!;
  const scraped = runningComponents(env).map((r) => r.component);
  const objects = build(`overlays/${name}`);
  const of = (kind: string) => objects.filter((o) => o.kind === kind) as Any[];

  it('one per scraped component, carrying the selector labels Prometheus picks them by', () => {
    const monitors = of('ServiceMonitor');
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(scraped.map((c) => objectName(c.name)).sort());
    for (const m of monitors) {
      expect(m.metadata.namespace).toBe(NAMESPACE);
      expect(matches(env.monitoring.selectorLabels, m.metadata.labels), m.metadata.name).toBe(true);
    }
  });

  it('scrape OpenMetrics text only, never protobuf, so the classic histogram buckets the rules read stay', () => {
    for (const m of of('ServiceMonitor')) {
      expect(m.spec.scrapeProtocols, m.metadata.name).toEqual(['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1']);
    }
  });

  it('every workload is scraped (zone-aware ingesters: every zone, through the component Service)', () => {
    const workloads = objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind)) as Any[];
    const components = new Set(scraped.map((c) => c.name));
    for (const w of workloads) {
      const component = w.spec.template.metadata.labels['app.kubernetes.io/component'];
      expect(components, w.metadata.name).toContain(component);
      // A zoned component (the live-store) has a Service per zone: <component>-<zone>.
      const zone = w.spec.template.metadata.labels[ZONE_LABEL];
      const svc = of('Service').find((x) => x.metadata.name === objectName(zone ? `${component}-${zone}` : component));
      expect(
        Object.entries(svc.spec.selector).every(([k, v]) => w.spec.template.metadata.labels[k] === v),
        w.metadata.name,
      ).toBe(true);
    }
  });

  for (const c of scraped) {
    const component = c.name;
    it(`${component}: selects one Service port, a container's metrics port, and labels it job="${scrapeJob(NAMESPACE, component)}"`, () => {
      const monitor = of('ServiceMonitor').find((m) => m.metadata.name === objectName(component));
      const endpoint = monitor.spec.endpoints[0];
      const wanted = c.metrics;
      expect(endpoint.port).toBe(wanted.port);

      const services = of('Service').filter((s) => s.metadata.namespace === NAMESPACE && matches(monitor.spec.selector.matchLabels, s.metadata.labels));
      const withPort = services.filter((s) => s.spec.ports.some((p: Any) => p.name === endpoint.port));
      // One Service, or one per zone for a zoned component.
      const zones = objects
        .filter((o: Any) => ['StatefulSet'].includes(o.kind) && o.metadata.labels['app.kubernetes.io/component'] === component)
        .map((o: Any) => o.spec.template.metadata.labels[ZONE_LABEL])
        .filter(Boolean);
      expect(withPort.map((s) => s.metadata.name).sort(), 'Services the ServiceMonitor scrapes').toEqual(
        zones.length ? zones.map((z: string) => `${objectName(component)}-${z}`).sort() : [objectName(component)],
      );
      const service = withPort[0];
      const servicePort = service.spec.ports.find((p: Any) => p.name === endpoint.port);

      const workload = objects.find(
        (o: Any) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind) && matches(service.spec.selector, o.spec.template.metadata.labels),
      ) as Any;
      const container = workload.spec.template.spec.containers.find((c: Any) => c.ports?.some((p: Any) => p.name === servicePort.targetPort));
      expect(container?.name, 'container serving /metrics').toBe(wanted.container);
      expect(container.ports.find((p: Any) => p.name === servicePort.targetPort).containerPort).toBe(wanted.number);

      const pod = `${workload.metadata.name}-0`;
      const meta = {
        __meta_kubernetes_namespace: service.metadata.namespace,
        __meta_kubernetes_service_label_app_kubernetes_io_component: service.metadata.labels['app.kubernetes.io/component'],
        __meta_kubernetes_pod_name: pod,
        __meta_kubernetes_pod_container_name: container.name,
      };
      const labels = relabel(meta, endpoint.relabelings);
      const expected = scrapeLabels(env, c, pod, '10.0.0.1');
      for (const key of ['job', 'cluster', 'namespace', 'pod', 'container']) expect(labels[key], key).toBe(expected[key]);
      expect(labels.job).toBe(`${NAMESPACE}/${component}`);
      expect(labels.cluster).toBe(env.cluster.name);
    });
  }
});
