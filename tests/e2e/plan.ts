// The loopback stack planned from a rendered environment: one process per Tempo component (ingesters:
// as many as their StatefulSets have, up to six in all, at least one per StatefulSet), memcached from its Deployment, vulture from its
// Deployment, each with its own loopback ports and its own directory standing in for its volumes.
import { join } from 'node:path';
import type { Any, RenderedEnvironment } from './rendered';
import {
  MAX_INGESTERS,
  isImage,
  selects,
  serviceForHost,
  services,
  targetContainerPort,
  tempoTarget,
  workloads,
  type Service,
  type Workload,
} from './topology';

export type Role = 'tempo' | 'memcached' | 'vulture';

export interface PlannedProcess {
  /** The pod name it stands for (<workload>-<ordinal>): also its ring identity. */
  id: string;
  role: Role;
  /** The Tempo -target (distributor, ingester, ...); 'memcached' or 'vulture' for the others. */
  component: string;
  workload: Workload;
  /** Port the pod listens on (container port or a port in the Tempo config) -> its loopback port. */
  ports: Map<number, number>;
  /** Ports the rendered config binds on the pod's own loopback only: nobody outside the pod dials them. */
  podLocalPorts: Map<number, number>;
  /** Stands for the pod's filesystem: each volume mount path is re-rooted under it. */
  dir: string;
}

export interface Plan {
  env: RenderedEnvironment;
  namespace: string;
  services: Service[];
  processes: PlannedProcess[];
  /** Loopback S3 server, Prometheus (remote-write receiver) and a port where every connection is dropped. */
  s3Port: number;
  /** The CA (a self-signed certificate) the loopback S3 server's TLS certificate is checked against. */
  s3CaFile: string;
  prometheusPort: number;
  blackholePort: number;
  /** The Kafka fake (Tempo 3 environments: ingest.kafka.address). */
  kafkaPort: number;
  dir: string;
}

/** Hands out free loopback ports (found by binding port 0 beforehand) one at a time. */
export type PortSource = () => number;

/** Default listen ports of Tempo 2.10.8 when the rendered config leaves them out. */
export const TEMPO_DEFAULT_PORTS = { http: 3200, grpc: 9095, memberlist: 7946 } as const;
/** Default receiver ports (OpenTelemetry Collector receivers bind localhost:<port> when no endpoint is set). */
export const RECEIVER_DEFAULT_PORTS: Record<string, number> = {
  'otlp.grpc': 4317,
  'otlp.http': 4318,
  'jaeger.grpc': 14250,
  'jaeger.thrift_http': 14268,
  'jaeger.thrift_compact': 6831,
  'jaeger.thrift_binary': 6832,
  zipkin: 9411,
  opencensus: 55678,
};

export interface ReceiverEndpoint {
  /** e.g. otlp.grpc, zipkin. */
  key: string;
  /** Config path of the endpoint, e.g. distributor.receivers.otlp.protocols.grpc.endpoint. */
  path: string[];
  /** The endpoint as rendered; undefined when the receiver takes its default (localhost). */
  endpoint: string | undefined;
  port: number;
}

/** Every receiver protocol the rendered config enables. */
export function receiverEndpoints(tempo: Any): ReceiverEndpoint[] {
  const out: ReceiverEndpoint[] = [];
  for (const [receiver, cfg] of Object.entries<Any>(tempo?.distributor?.receivers ?? {})) {
    const protocols = cfg?.protocols;
    const entries: Array<[string, Any, string[]]> = protocols
      ? Object.entries<Any>(protocols).map(([p, c]) => [`${receiver}.${p}`, c, ['distributor', 'receivers', receiver, 'protocols', p, 'endpoint']])
      : [[receiver, cfg, ['distributor', 'receivers', receiver, 'endpoint']]];
    for (const [key, c, path] of entries) {
      const endpoint = typeof c?.endpoint === 'string' ? c.endpoint : undefined;
      const port = endpoint ? splitHostPort(endpoint).port : RECEIVER_DEFAULT_PORTS[key];
      if (port === undefined) throw new Error(`receiver ${key}: no endpoint and no known default port`);
      out.push({ key, path, endpoint, port });
    }
  }
  return out;
}

export function splitHostPort(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(address.trim());
  if (!m) throw new Error(`not a host:port address: ${address}`);
  return { host: m[1] ?? m[2] ?? '', port: Number(m[3]) };
}

/** An address every interface serves (0.0.0.0, ::, empty host) as opposed to the pod's own loopback. */
export const isWildcardHost = (host: string) => ['', '0.0.0.0', '::', '[::]'].includes(host);

/** Ports a Tempo process listens on according to the rendered config (HTTP, gRPC, memberlist, receivers). */
function tempoListenPorts(tempo: Any): number[] {
  return [
    tempo?.server?.http_listen_port ?? TEMPO_DEFAULT_PORTS.http,
    tempo?.server?.grpc_listen_port ?? TEMPO_DEFAULT_PORTS.grpc,
    tempo?.memberlist?.bind_port ?? TEMPO_DEFAULT_PORTS.memberlist,
    ...receiverEndpoints(tempo).map((r) => r.port),
  ].map(Number);
}

/**
 * MAX_INGESTERS processes shared by the ingester StatefulSets (zone-aware: one per zone): an equal share each,
 * at least one, then what is left to the StatefulSets with more replicas, in order (the migration's single
 * StatefulSet beside three one-pod zones gets three processes: several old pods, as in the cluster).
 */
function shareIngesters(sets: Workload[]): Map<Workload, number> {
  const share = Math.max(1, Math.floor(MAX_INGESTERS / Math.max(1, sets.length)));
  const counts = new Map(sets.map((w) => [w, Math.min(w.replicas, share)]));
  let left = MAX_INGESTERS - [...counts.values()].reduce((a, b) => a + b, 0);
  for (const w of sets) {
    const more = Math.max(0, Math.min(left, w.replicas - counts.get(w)!));
    counts.set(w, counts.get(w)! + more);
    left -= more;
  }
  return counts;
}

export function planStack(env: RenderedEnvironment, nextPort: PortSource, dir: string): Plan {
  const all = workloads(env.objects);
  const svcs = services(env.objects);
  const namespace = env.objects.find((o) => o.kind === 'Namespace')?.metadata?.name ?? svcs[0]?.namespace ?? 'default';
  const processes: PlannedProcess[] = [];
  const add = (role: Role, component: string, w: Workload, ordinal: number, listen: number[]) => {
    const id = `${w.name}-${ordinal}`;
    const ports = new Map<number, number>();
    for (const p of [...w.ports.map((x) => x.containerPort), ...listen]) if (!ports.has(p)) ports.set(p, nextPort());
    const podLocalPorts = new Map<number, number>();
    if (role === 'tempo') {
      for (const r of receiverEndpoints(env.tempo)) if (!r.endpoint || !isWildcardHost(splitHostPort(r.endpoint).host)) podLocalPorts.set(r.port, nextPort());
    }
    // A URL on the pod's own loopback (tempo-vulture's push through its TLS sidecar) gets a port of its own.
    for (const a of role === 'vulture' ? w.args : []) {
      const local = /^-[\w-]+=https?:\/\/(?:127\.0\.0\.1|localhost):(\d+)/.exec(a);
      if (local) podLocalPorts.set(Number(local[1]), nextPort());
    }
    processes.push({ id, role, component, workload: w, ports, podLocalPorts, dir: join(dir, id) });
  };
  const ingesters = shareIngesters(all.filter((w) => tempoTarget(w) === 'ingester'));
  for (const w of all) {
    const target = tempoTarget(w);
    if (target) {
      const count = target === 'ingester' ? ingesters.get(w)! : 1;
      for (let i = 0; i < count; i++) add('tempo', target, w, i, tempoListenPorts(env.tempo));
    } else if (isImage(w, 'memcached')) add('memcached', 'memcached', w, 0, []);
    else if (isImage(w, 'tempo-vulture')) add('vulture', 'vulture', w, 0, []);
  }
  return {
    env,
    namespace,
    services: svcs,
    processes,
    s3Port: nextPort(),
    s3CaFile: join(dir, 's3-tls', 'cert.pem'),
    prometheusPort: nextPort(),
    blackholePort: nextPort(),
    kafkaPort: nextPort(),
    dir,
  };
}

/**
 * What an in-cluster address reaches on loopback: the Service's endpoints (pods its selector matches,
 * through its port's targetPort), as 127.0.0.1:<that process's port>. A name that is no Service of the
 * stack, or a Service with no matching pod or port, resolves to nothing: callers dial the blackhole then.
 */
export function resolveAddress(plan: Plan, address: string): string[] {
  const { host, port } = splitHostPort(address.replace(/^dns(srv)?(noa)?\+/, ''));
  const svc = serviceForHost(host, plan.services, plan.namespace);
  const svcPort = svc?.ports.find((p) => p.port === port);
  if (!svc || !svcPort) return [];
  const out: string[] = [];
  for (const p of plan.processes) {
    if (!selects(svc, p.workload.podLabels)) continue;
    const container = targetContainerPort(svcPort, p.workload);
    const loopback = container === undefined ? undefined : p.ports.get(container);
    if (loopback !== undefined) out.push(`127.0.0.1:${loopback}`);
  }
  return out;
}

export const byComponent = (plan: Plan, component: string) => plan.processes.filter((p) => p.component === component);

export function only(plan: Plan, component: string): PlannedProcess {
  const [p, ...rest] = byComponent(plan, component);
  if (!p || rest.length) throw new Error(`the rendered manifests have ${rest.length + (p ? 1 : 0)} ${component} workloads; the e2e expects one`);
  return p;
}

/** The loopback URL of a process for a port of its pod (e.g. 3200). */
export function urlOf(p: PlannedProcess, podPort: number, scheme = 'http'): string {
  const port = p.ports.get(podPort);
  if (port === undefined) throw new Error(`${p.id} has no port ${podPort}`);
  return `${scheme}://127.0.0.1:${port}`;
}
