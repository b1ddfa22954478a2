// The README's architecture diagram: drawn from the rendered objects, complete, and kept between markers.
import { describe, expect, it } from 'vitest';
import { architectureDiagram } from '../generators/architecture';
import { COMPONENT_NAMES, TEMPO_TARGETS } from '../generators/components/index';
import { replaceRegion } from '../generators/files';
import { InputError } from '../generators/validation/messages';
import { renderRepository } from '../generators/repository';
import { ROOT } from './helpers/kustomize';

const { environments } = renderRepository(ROOT);
const diagram = architectureDiagram(environments);
const mermaid = /```mermaid\n([\s\S]*?)```/.exec(diagram)![1]!;
const nodes = new Map([...mermaid.matchAll(/^ {2}(\w+)[[(]+"?(.*?)"?[\])]+$/gm)].map((m) => [m[1]!, m[2]!]));
const edges = [...mermaid.matchAll(/^ {2}(\w+) -\.?->\|"(.*?)"\| (\w+)$/gm)].map((m) => ({ from: m[1]!, label: m[2]!, to: m[3]! }));

describe('architecture diagram', () => {
  it('has a node per component with its replicas in every environment, read from the rendered objects', () => {
    // Components no environment runs (the tail-sampling gateway unless sampling.tail.enabled) are not drawn.
    // A component's workloads: one, or one per zone (zone-aware ingesters), by their pods' component label.
    const workloadsOf = (r: (typeof environments)[number], c: string) =>
      r.objects.filter(
        (o) =>
          ['Deployment', 'StatefulSet'].includes(o.kind) &&
          (o as { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template.metadata.labels['app.kubernetes.io/component'] === c,
      ) as Array<{ spec: { replicas: number } }>;
    const running = (c: string) => environments.some((r) => workloadsOf(r, c).length > 0);
    expect(running('distributor')).toBe(true);
    for (const component of COMPONENT_NAMES.filter((c) => c !== 'collector' && c !== 'vulture' && running(c))) {
      const label = nodes.get(component.replace(/-/g, '_'));
      expect(label, component).toBeDefined();
      for (const r of environments) {
        const name = `tempo-stack-${component}`;
        const hpa = r.objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === name) as
          | { spec: { minReplicas: number; maxReplicas: number } }
          | undefined;
        const workloads = workloadsOf(r, component);
        const total = workloads.reduce((n, w) => n + w.spec.replicas, 0);
        const zones = workloads.length > 1 ? ` in ${workloads.length} zones` : '';
        const expected = hpa ? `${hpa.spec.minReplicas}-${hpa.spec.maxReplicas} (HPA)` : workloads.length ? `${total}${zones}` : 'off';
        expect(label, `${component} in ${r.env.name}`).toContain(`${r.env.name} ${expected}`);
      }
    }
    expect(nodes.get('collector')).toMatch(/^<b>collector<\/b> DaemonSet<br\/>one per node<br\/>:4317 :4318/);
    expect(nodes.get('vulture')).toContain('<b>vulture</b> Deployment');
    expect(nodes.get('distributor')).toContain(':4317 :4318');
    expect(nodes.get('query_frontend')).toContain(':3200 :9095 :3100');
  });

  it('draws the flows: apps → collector → distributor → ingesters → S3 ← compactor; Grafana → query-frontend → queriers; metrics-generator → Prometheus', () => {
    const pairs = edges.map((e) => `${e.from}>${e.to}`);
    for (const flow of [
      'apps>collector',
      'collector>distributor',
      'distributor>ingester',
      'ingester>s3',
      'compactor>s3',
      'grafana>query_frontend',
      'query_frontend>querier',
      'querier>ingester',
      'querier>s3',
      'distributor>metrics_generator',
      'metrics_generator>prometheus',
      'vulture>distributor',
      'vulture>query_frontend',
    ])
      expect(pairs).toContain(flow);
    for (const e of edges) {
      expect(nodes.has(e.from), e.from).toBe(true);
      expect(nodes.has(e.to), e.to).toBe(true);
    }
  });

  it("draws Tempo 3's write path where an environment runs 3.0, and every Tempo node with its Service ports", () => {
    const pairs = edges.map((e) => `${e.from}>${e.to}`);
    const tempo3 = environments.some((r) => r.env.tempo.version === '3.0');
    for (const flow of ['distributor>kafka', 'kafka>live_store', 'kafka>block_builder', 'block_builder>s3', 'querier>live_store', 'backend_worker>s3'])
      expect(pairs.includes(flow), flow).toBe(tempo3);
    for (const c of TEMPO_TARGETS.filter((t) => nodes.has(t.replace(/-/g, '_')))) expect(nodes.get(c.replace(/-/g, '_')), c).toMatch(/:3200/);
  });

  it('replaces only the region between the markers, and names the file when they are missing', () => {
    const text = 'intro\n<!-- BEGIN GENERATED: architecture -->\nold\n<!-- END GENERATED: architecture -->\noutro\n';
    const out = replaceRegion('README.md', text, 'architecture', 'new');
    expect(out.startsWith('intro\n<!-- BEGIN GENERATED: architecture -->\n')).toBe(true);
    expect(out.endsWith('\nnew\n\n<!-- END GENERATED: architecture -->\noutro\n')).toBe(true);
    expect(replaceRegion('README.md', out, 'architecture', 'new')).toBe(out);
    expect(() => replaceRegion('README.md', 'no markers', 'architecture', 'x')).toThrow(InputError);
    expect(() => replaceRegion('README.md', 'no markers', 'architecture', 'x')).toThrow(
      /^README\.md: expected one "<!-- BEGIN GENERATED: architecture -->" line/,
    );
  });
});
