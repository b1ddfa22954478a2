// The stack as the rendered manifests describe it: which Tempo components run (from each workload's
// `-target=`), with which args, env, ports and pod labels, and which Services name them. The loopback
// stack is planned from this, so a wrong selector or port name in the manifests shows up as a process
// nobody can reach, exactly as in the cluster.
import type { Any } from './rendered';

export interface ContainerPort {
  name?: string;
  containerPort: number;
}

export interface Workload {
  kind: 'Deployment' | 'StatefulSet';
  /** metadata.name, e.g. tempo-stack-ingester: pods are <name>-<ordinal> (StatefulSet) or <name>-<n>. */
  name: string;
  replicas: number;
  podLabels: Record<string, string>;
  image: string;
  args: string[];
  /** Plain env values; values from Secrets are listed by name in secretEnv. */
  env: Record<string, string>;
  secretEnv: string[];
  ports: ContainerPort[];
  mountPaths: string[];
  /** Secret volumes any container of the pod mounts (certificates): where, which Secret, which keys (all when absent). */
  secretMounts: SecretMount[];
}

export interface SecretMount {
  container: string;
  mountPath: string;
  secretName: string;
  items?: Array<{ key: string; path: string }>;
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort: number | string;
}

export interface Service {
  name: string;
  namespace: string;
  selector: Record<string, string>;
  ports: ServicePort[];
}

/**
 * How many processes of a component the loopback stack runs: every component once; ingesters as their
 * StatefulSets have them, up to 6 in all and at least one per StatefulSet (zone-aware: one per zone).
 */
export const MAX_INGESTERS = 6;

function firstContainer(o: Any): Any {
  return o.spec?.template?.spec?.containers?.[0];
}

function workloadOf(o: Any): Workload {
  const c = firstContainer(o);
  const env: Record<string, string> = {};
  const secretEnv: string[] = [];
  for (const e of c.env ?? []) {
    if (typeof e.value === 'string') env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) secretEnv.push(e.name);
  }
  return {
    kind: o.kind,
    name: o.metadata.name,
    // A HorizontalPodAutoscaler owns replicas when the field is absent: one pod is the minimum that runs.
    replicas: o.spec.replicas ?? 1,
    podLabels: o.spec.template.metadata?.labels ?? {},
    image: c.image ?? '',
    args: [...(c.args ?? [])].map(String),
    env,
    secretEnv,
    ports: (c.ports ?? []).map((p: Any) => ({ name: p.name, containerPort: Number(p.containerPort) })),
    mountPaths: (c.volumeMounts ?? []).map((m: Any) => String(m.mountPath)),
    secretMounts: secretMountsOf(o),
  };
}

function secretMountsOf(o: Any): SecretMount[] {
  const spec = o.spec.template.spec;
  const volumes = new Map<string, Any>((spec.volumes ?? []).filter((v: Any) => v.secret).map((v: Any) => [v.name, v.secret]));
  return (spec.containers ?? []).flatMap((c: Any) =>
    (c.volumeMounts ?? [])
      .filter((m: Any) => volumes.has(m.name))
      .map((m: Any) => {
        const secret = volumes.get(m.name);
        return { container: c.name, mountPath: String(m.mountPath), secretName: secret.secretName, ...(secret.items ? { items: secret.items } : {}) };
      }),
  );
}

export function workloads(objects: Any[]): Workload[] {
  return objects.filter((o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && firstContainer(o)).map(workloadOf);
}

/** The `-target=` of a Tempo workload, or undefined for anything else (memcached, vulture, collector). */
export function tempoTarget(w: Workload): string | undefined {
  const arg = w.args.find((a) => /^-{1,2}target=/.test(a));
  return arg?.split('=')[1];
}

export const isImage = (w: Workload, repository: string) => w.image.split(':')[0]!.endsWith(repository);

export function services(objects: Any[]): Service[] {
  return objects
    .filter((o) => o.kind === 'Service')
    .map((o) => ({
      name: o.metadata.name,
      namespace: o.metadata.namespace ?? 'default',
      selector: o.spec.selector ?? {},
      ports: (o.spec.ports ?? []).map((p: Any) => ({ name: p.name, port: Number(p.port), targetPort: p.targetPort ?? Number(p.port) })),
    }));
}

export const selects = (svc: Service, labels: Record<string, string>) =>
  Object.keys(svc.selector).length > 0 && Object.entries(svc.selector).every(([k, v]) => labels[k] === v);

/** The container port a Service port reaches on a pod, or undefined if the pod has no such port. */
export function targetContainerPort(svcPort: ServicePort, w: Workload): number | undefined {
  const t = svcPort.targetPort;
  if (typeof t === 'number' || /^\d+$/.test(String(t))) return Number(t);
  return w.ports.find((p) => p.name === t)?.containerPort;
}

/**
 * An in-cluster host name, as Kubernetes DNS answers it: <svc>.<ns>.svc.cluster.local, <svc>.<ns>.svc,
 * <svc>.<ns> (the stack's own namespace is assumed for a bare <svc>).
 */
export function serviceForHost(host: string, all: Service[], defaultNamespace: string): Service | undefined {
  const parts = host.replace(/\.$/, '').split('.');
  const suffix = parts.slice(2).join('.');
  if (parts.length > 2 && !['svc', 'svc.cluster.local'].includes(suffix)) return undefined;
  const [name, namespace = defaultNamespace] = parts;
  return all.find((s) => s.name === name && s.namespace === namespace);
}
