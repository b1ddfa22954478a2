// The README's architecture diagram (Mermaid, which forges render), drawn from the rendered environments:
// replicas, ports, retention and buckets are read from the objects and config `generate` writes, so the
// picture cannot drift from the code.
import { COMPONENTS, COMPONENT_NAMES, TEMPO_TARGETS } from './components/index';
import { OTLP_GRPC } from './components/distributor';
import { MEMCACHED_PORT } from './components/memcached';
import { LEGACY_HTTP_PORT } from './components/query-frontend';
import { KAFKA_CLUSTER, KAFKA_LISTENER } from './kafka/facts';
import { ownRetentions } from './environment/tenants';
import type { KubeObject } from './kubernetes/objects';
import type { RenderedEnvironment } from './render';
import { objectName } from './stack';
import { SERVICES, TEMPO_PORTS as PORTS } from './tempo/facts';

type Spec = { replicas?: number; minReplicas?: number; maxReplicas?: number; ports?: Array<{ port: number }> };
const spec = (o: KubeObject | undefined): Spec | undefined => (o && 'spec' in o ? (o.spec as Spec) : undefined);
const find = (r: RenderedEnvironment, kinds: string[], name: string) => r.objects.find((o) => kinds.includes(o.kind) && o.metadata.name === name);
const WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet'];
/** Tempo's components, memcached, and the edge: the OpenTelemetry Collector agent and tempo-vulture. */
const NODES = COMPONENT_NAMES;
const RING_MEMBERS = TEMPO_TARGETS.filter((n) => COMPONENTS[n].tempo?.ringMember);

/** The component's workloads: one, or one per zone (zone-aware ingesters), found by their pods' component label. */
const workloadsOf = (r: RenderedEnvironment, component: string) =>
  r.objects.filter(
    (o) =>
      WORKLOADS.includes(o.kind) &&
      'spec' in o &&
      (o.spec as { template?: { metadata?: { labels?: Record<string, string> } } })?.template?.metadata?.labels?.['app.kubernetes.io/component'] === component,
  );

/** `dev 1 · prod 3 in 3 zones · staging 2-4 (HPA)`: what each environment runs (`off` where it has none). */
function replicas(envs: RenderedEnvironment[], component: string): string {
  const counts = envs.map((r) => {
    const hpa = spec(find(r, ['HorizontalPodAutoscaler'], objectName(component)));
    const workloads = workloadsOf(r, component);
    if (workloads[0]?.kind === 'DaemonSet') return 'one per node';
    const total = workloads.reduce((n, w) => n + (spec(w)!.replicas ?? 1), 0);
    const zones = workloads.length > 1 ? ` in ${workloads.length} zones` : '';
    return hpa ? `${hpa.minReplicas}-${hpa.maxReplicas} (HPA)` : workloads.length ? `${total}${zones}` : 'off';
  });
  if (counts.every((c) => c === 'one per node')) return 'one per node';
  return envs.map((r, i) => `${r.env.name} ${counts[i]}`).join(' · ');
}

/** The ports of the component's Service (a zoned component's: its first zone's), in the order the Service lists them. */
function ports(envs: RenderedEnvironment[], component: string): string {
  const name = objectName(component);
  const ofComponent = (o: KubeObject) => o.kind === 'Service' && (o.metadata.name === name || o.metadata.name.startsWith(`${name}-zone-`));
  const service = envs.map((r) => spec(r.objects.find(ofComponent))).find(Boolean);
  return (service?.ports ?? []).map((p) => `:${p.port}`).join(' ');
}

const perEnv = (envs: RenderedEnvironment[], value: (r: RenderedEnvironment) => string) => envs.map((r) => `${r.env.name} ${value(r)}`).join(' · ');
/** `336h`, or with tenants that keep their blocks longer or shorter: `336h (tenant acme 720h)`. */
function retention(r: RenderedEnvironment): string {
  if (r.env.beside) return 'none (compaction_disabled: the 2.10 compactor does it)';
  const own = ownRetentions(r.env).map((t) => `tenant ${t.tenant} ${t.retention.text}`);
  return `${r.env.retention.text}${own.length ? ` (${own.join(', ')})` : ''}`;
}
const nodeId = (component: string) => component.replace(/-/g, '_');

export function architectureDiagram(rendered: RenderedEnvironment[]): string {
  // A dual run's Tempo 3 stack is drawn as an environment of its own ("staging (3.x)"): same bucket, its own pods.
  const envs = rendered.flatMap((r) => (r.dualRun ? [r, { ...r.dualRun, env: { ...r.dualRun.env, name: `${r.env.name} (3.x)` } }] : [r]));
  const present = NODES.filter((c) => envs.some((r) => workloadsOf(r, c).length));
  const tempo3 = envs.filter((r) => r.env.tempo.version === '3.0');
  const kind = (c: string) => envs.map((r) => workloadsOf(r, c)[0]?.kind).find(Boolean);
  const outside = ['apps', 'grafana', 's3', 'prometheus', ...(present.includes('collector') ? [] : ['collector'])];
  const otlpGrpc = OTLP_GRPC;
  const grpc = `gRPC :${PORTS.grpc}`;
  const lines = [
    'flowchart LR',
    '  apps(["instrumented apps"])',
    ...(present.includes('collector') ? [] : ['  collector(["OpenTelemetry Collector"])']),
    '  grafana(["Grafana"])',
    `  s3[("S3<br/>${perEnv(envs, (r) => r.env.s3.bucket)}")]`,
    '  prometheus(["Prometheus"])',
    ...present.map((c) => `  ${nodeId(c)}["<b>${c}</b> ${kind(c)}<br/>${replicas(envs, c)}<br/>${ports(envs, c)}"]`),
    `  apps -->|"OTLP, to the agent on their node"| collector`,
    `  collector -->|"OTLP gRPC :${otlpGrpc}"| distributor`,
    // The tail-sampling gateway, where an environment runs it: whole traces in, the kept ones out.
    ...(present.includes('gateway')
      ? [`  collector -->|"whole traces by trace id :${otlpGrpc}"| gateway`, `  gateway -->|"kept traces :${otlpGrpc}"| distributor`]
      : []),
    // Tempo 2.10: the distributor writes to the ingesters and the generators; the compactor compacts.
    ...(present.includes('ingester')
      ? [`  distributor -->|"spans, ${grpc}"| ingester`, `  distributor -->|"spans, ${grpc}"| metrics_generator`, '  ingester -->|"flush blocks"| s3']
      : []),
    ...(present.includes('compactor') ? [`  compactor -->|"compact, delete after ${perEnv(envs, retention)}"| s3`] : []),
    // Tempo 3.0: the distributor writes to Kafka; live-stores, block-builders and generators consume it.
    ...(tempo3.length
      ? [
          `  kafka[("Kafka<br/>${perEnv(tempo3, (r) => (r.env.kafka.cluster === 'strimzi' ? `Strimzi ${KAFKA_CLUSTER}` : 'external'))}<br/>:${KAFKA_LISTENER.port}")]`,
          `  distributor -->|"produce spans :${KAFKA_LISTENER.port}"| kafka`,
          '  kafka -->|"consume partitions"| live_store',
          '  kafka -->|"consume partitions"| block_builder',
          '  kafka -->|"consume partitions"| metrics_generator',
          '  block_builder -->|"write blocks, one copy"| s3',
          `  querier -->|"recent traces, ${grpc}"| live_store`,
          `  backend_worker -->|"pull jobs, ${grpc}"| backend_scheduler`,
          `  backend_worker -->|"compact, delete after ${perEnv(tempo3, retention)}"| s3`,
        ]
      : []),
    `  grafana -->|"TraceQL, HTTP :${LEGACY_HTTP_PORT} or :${PORTS.http}"| query_frontend`,
    `  query_frontend -->|"jobs, ${grpc} (queriers pull)"| querier`,
    ...(present.includes('ingester') ? [`  querier -->|"recent traces, ${grpc}"| ingester`] : []),
    '  querier -->|"blocks"| s3',
    ...(present.includes('memcached')
      ? [`  querier -.->|"bloom, parquet footers :${MEMCACHED_PORT}"| memcached`, `  query_frontend -.->|"search results :${MEMCACHED_PORT}"| memcached`]
      : []),
    '  metrics_generator -->|"remote write span metrics, service graphs"| prometheus',
    ...(present.includes('rollout-operator') ? ['  rollout_operator -.->|"rolls out and drains one zone at a time"| ingester'] : []),
    ...(present.includes('vulture')
      ? [`  vulture -->|"test traces, OTLP :${otlpGrpc}"| distributor`, `  vulture -->|"reads them back, HTTP :${PORTS.http}"| query_frontend`]
      : []),
    '  classDef outside stroke-dasharray: 4 4',
    `  class ${outside.join(',')} outside`,
  ];
  return [
    '```mermaid',
    ...lines,
    '```',
    '',
    'Replicas per environment and Service ports come from the rendered objects; dashed nodes run outside',
    `this stack. Ring members (${RING_MEMBERS.join(', ')}) gossip on :${PORTS.gossip}`,
    `through the headless Service \`${SERVICES.gossip}\`; queriers find every query-frontend through`,
    `\`${SERVICES.queryFrontendDiscovery}\`.`,
  ].join('\n');
}
