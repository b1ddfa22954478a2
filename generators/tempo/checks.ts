// The Tempo configuration against its schema (schema.ts) and against the objects around it: the
// replication factor fits the ingesters, receivers listen on every interface, memberlist and the queriers
// dial the right Services, and every port in the config is exposed by the right Service and container.
// `generate` runs it on what it is about to write; `validate` on the kustomize build output; the
// durability policies (policies/rules/tempo.ts) read each pod's config through podConfigs.
import type { ValidateFunction } from 'ajv';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { parse, parseDocument } from 'yaml';
import { COMPONENTS, TEMPO_TARGETS } from '../components/index';
import { MEMCACHED_PORT } from '../components/memcached';
import { ZONE_LABEL } from '../components/tempo';
import { Cluster, type PodTemplate, matchesMap, namespaceOf } from '../kubernetes/cluster';
import type { KubeObject, ObjectOf } from '../kubernetes/objects';
import { CLUSTER_DOMAIN, NAMESPACE, objectName, selectorLabels } from '../stack';
import { compiledValidators } from '../validation/compiled';
import { type ObjectProblem, type Problem, jsonPath, schemaProblems } from '../validation/messages';
import { CONFIG_MAP, OVERRIDES_CONFIG_MAP, SERVICES, effective } from './facts';
import { tenantBlockProblems } from './overrides';
import { nestedKeyFor, runtimeOverridesSchema, tempoConfigSchema } from './schema';
import { tlsWiringProblems } from './tls-checks';

export interface TempoProblem extends Problem {
  file: 'tempo.yaml' | 'overrides.yaml';
  /** The environment.yaml field that sets what is wrong, when there is one (messages then point there). */
  field?: string;
}

// Compiled on first use, from standalone code cached per schema content (validation/compiled.ts).
let validators: { config: ValidateFunction; overrides: ValidateFunction } | undefined;
function compiled() {
  validators ??= compiledValidators(
    'tempo',
    [tempoConfigSchema, runtimeOverridesSchema],
    { config: 'tempo-config', overrides: 'runtime-overrides' },
    {
      allErrors: true,
      verbose: true,
      strict: true,
      inlineRefs: false,
    },
  );
  return validators;
}

/** A legacy flat override key gets a message that says where it moved. */
const legacyOverride = (where: (path: string[]) => string) => (path: string[], key: string) => {
  const nested = nestedKeyFor(key);
  if (!nested) return undefined;
  return `legacy flat override key (Tempo 2.10 warns of a type mismatch, Tempo 3 refuses it); write it nested as ${where(path)}.${nested}`;
};

/** Schema and wiring problems of a Tempo config and its runtime overrides, next to the rendered objects. */
export function tempoProblems(config: unknown, overrides: unknown, objects: KubeObject[]): TempoProblem[] {
  const { config: validateConfig, overrides: validateOverrides } = compiled();
  const problems: TempoProblem[] = [];
  if (!validateConfig(config)) {
    const hook = legacyOverride(() => 'overrides.defaults');
    const at = (path: string[], key: string) => (path.length === 1 && path[0] === 'overrides' ? hook(path, key) : undefined);
    problems.push(...schemaProblems(validateConfig.errors ?? [], config, at).map((p) => ({ file: 'tempo.yaml' as const, ...p })));
  }
  if (!validateOverrides(overrides)) {
    const hook = legacyOverride((path: string[]) => jsonPath(path));
    const at = (path: string[], key: string) => (path.length === 2 && path[0] === 'overrides' ? hook(path, key) : undefined);
    problems.push(...schemaProblems(validateOverrides.errors ?? [], overrides, at).map((p) => ({ file: 'overrides.yaml' as const, ...p })));
  }
  if (typeof config === 'object' && config !== null) problems.push(...wiringProblems(config as TempoConfig, new Cluster(objects), overrides as TempoConfig));
  problems.push(...tenantBlockProblems(config, overrides));
  return problems;
}

/** A Tempo 3 config has the Kafka ingest section (2.10's optional one is never rendered here). */
export const isTempo3Config = (config: unknown): boolean => typeof config === 'object' && config !== null && 'ingest' in config;

/** tempoProblems for a kustomize build output: reads the config and overrides from their ConfigMaps; `check`
 * judges them (tempo3/checks.ts configProblems picks the version's). */
export function builtTempoProblems(objects: KubeObject[], check: typeof tempoProblems = tempoProblems): ObjectProblem[] {
  // A dual run's overlay holds two stacks, one per namespace: each is judged with its own objects (and the cluster-scoped ones).
  const configs = objects.filter((o) => o.kind === 'ConfigMap' && (o.metadata.name === CONFIG_MAP || o.metadata.name.startsWith(`${CONFIG_MAP}-`)));
  const namespaces = [...new Set(configs.map((o) => o.metadata.namespace ?? ''))];
  if (namespaces.length < 2) return stackProblems(objects, check);
  const own = (ns: string) => objects.filter((o) => (o.metadata.namespace ?? ns) === ns);
  return namespaces.flatMap((ns) => stackProblems(own(ns), check));
}

function stackProblems(objects: KubeObject[], check: typeof tempoProblems): ObjectProblem[] {
  const configMaps = objects.filter((o): o is ObjectOf<'ConfigMap'> => o.kind === 'ConfigMap');
  const find = (name: string, file: string) =>
    configMaps.find((c) => (c.metadata.name === name || c.metadata.name.startsWith(`${name}-`)) && typeof c.data?.[file] === 'string');
  const config = find(CONFIG_MAP, 'tempo.yaml');
  const overrides = find(OVERRIDES_CONFIG_MAP, 'overrides.yaml');
  const missing: ObjectProblem[] = [];
  if (!config) missing.push({ object: `ConfigMap/${CONFIG_MAP}`, path: 'data["tempo.yaml"]', message: 'not rendered: every Tempo pod mounts it' });
  if (!overrides)
    missing.push({ object: `ConfigMap/${OVERRIDES_CONFIG_MAP}`, path: 'data["overrides.yaml"]', message: 'not rendered: every Tempo pod mounts it' });
  if (!config || !overrides) return missing;

  const read = (cm: ObjectOf<'ConfigMap'>, file: string): { value?: unknown; problems: ObjectProblem[] } => {
    const doc = parseDocument(cm.data![file]!, { uniqueKeys: true, prettyErrors: false });
    const object = `ConfigMap/${cm.metadata.name}`;
    const problems = doc.errors.map((e) => ({ object, path: `data["${file}"]`, message: `YAML error: ${e.message.split('\n')[0]}` }));
    return { value: problems.length ? undefined : doc.toJS(), problems };
  };
  const c = read(config, 'tempo.yaml');
  const o = read(overrides, 'overrides.yaml');
  if (c.problems.length || o.problems.length) return [...c.problems, ...o.problems];
  return check(c.value, o.value, objects).map((p) => {
    const cm = p.file === 'tempo.yaml' ? config : overrides;
    return { object: `ConfigMap/${cm.metadata.name}`, path: `data["${p.file}"].${p.path}`, message: p.message };
  });
}

/** The parts of a Tempo config the rules read: anything may be missing or of the wrong type. */
// biome-ignore lint/suspicious/noExplicitAny: a parsed config is untyped; each rule checks what it reads
export type TempoConfig = Record<string, any>;

/** A Tempo pod and the config file its `-config.file` argument points into (through its mounted ConfigMap). */
export interface TempoPod {
  pod: PodTemplate;
  container: IContainer;
  config: TempoConfig;
}

/** Pods of a Tempo target, each with the config it runs with (or why it cannot be read). */
type PodConfig = TempoPod | { pod: PodTemplate; error: string };
/** Every policy rule reads the same pods' configs: parsed once per cluster and target (read-only to callers). */
const parsed = new WeakMap<Cluster, Map<string, PodConfig[]>>();

export function podConfigs(cluster: Cluster, target: string): PodConfig[] {
  const byTarget = parsed.get(cluster) ?? new Map<string, PodConfig[]>();
  parsed.set(cluster, byTarget);
  const configs = byTarget.get(target) ?? readPodConfigs(cluster, target);
  byTarget.set(target, configs);
  return configs;
}

function readPodConfigs(cluster: Cluster, target: string): PodConfig[] {
  return cluster.pods
    .filter((p) => matchesMap(selectorLabels(target), p.labels))
    .map((pod) => {
      for (const container of pod.spec.containers) {
        const file = container.args?.find((a) => a.startsWith('-config.file='))?.slice('-config.file='.length);
        if (!file) continue;
        const dir = file.slice(0, file.lastIndexOf('/'));
        const mount = container.volumeMounts?.find((m) => m.mountPath === dir || m.mountPath === file);
        const volume = pod.spec.volumes?.find((v) => v.name === mount?.name);
        const key = mount?.mountPath === file ? mount.subPath : file.slice(file.lastIndexOf('/') + 1);
        const cm = cluster.kind('ConfigMap').find((c) => c.metadata.name === volume?.configMap?.name && namespaceOf(c) === pod.namespace);
        const text = key ? cm?.data?.[key] : undefined;
        if (text === undefined) return { pod, error: `-config.file=${file}: no ConfigMap key is mounted there` };
        return { pod, container, config: (parse(text) ?? {}) as TempoConfig };
      }
      return { pod, error: 'no container has a -config.file argument' };
    });
}

/** Wiring every Tempo version shares (tempo3/checks.ts adds Tempo 3's). */
export function wiringProblems(config: TempoConfig, cluster: Cluster, overrides?: TempoConfig): TempoProblem[] {
  const problems: TempoProblem[] = [];
  const add = (path: Array<string | number>, message: string, field?: string) =>
    problems.push({ file: 'tempo.yaml', path: jsonPath(path), message, ...(field ? { field } : {}) });
  // Rendered objects have no namespace yet (kustomize sets it: the Namespace object's); built ones do.
  const namespace = cluster.objects.find((o) => o.kind === 'Service')?.metadata.namespace ?? '';
  const dnsNamespace = namespace || (cluster.objects.find((o) => o.kind === 'Namespace')?.metadata.name ?? NAMESPACE);
  const host = (service: string) => `${service}.${dnsNamespace}.svc.${CLUSTER_DOMAIN}`;
  const check = (path: Array<string | number>, name: string, port: number, target = port) => {
    const why = cluster.unreachable(name, namespace, port, target);
    if (why) add(path, why);
  };

  // Every write goes to replication_factor ingesters: fewer pods than that and every push fails. Zone-aware
  // ingesters are one StatefulSet per zone: the ring counts them all.
  const rf = effective(config, 'ingester.lifecycler.ring.replication_factor');
  const ingesters = cluster.kind('StatefulSet').filter((w) => matchesMap(selectorLabels('ingester'), w.spec?.template.metadata?.labels ?? {}));
  const replicas = ingesters.reduce((n, w) => n + (w.spec?.replicas ?? 1), 0);
  if (ingesters.length && typeof rf === 'number' && rf > replicas) {
    add(
      ['ingester', 'lifecycler', 'ring', 'replication_factor'],
      `${replicas} ingester(s) (${ingesters.map((w) => `StatefulSet/${w.metadata.name}`).join(', ')}) for replication factor ${rf}: every trace is written to ${rf} ingesters, so every push would fail; expected at least ${rf} ingesters`,
      'components.ingester.replicas',
    );
  }

  // Tempo's own ports: HTTP on every target's Service and container (probes, scrapes, queries); gRPC
  // where other components dial it through a Service (the others are dialed at their ring address).
  const httpPort = effective(config, 'server.http_listen_port') as number;
  const grpcPort = effective(config, 'server.grpc_listen_port') as number;
  // The targets this stack runs (its version decides which): a workload started with -target=<name>.
  const running = TEMPO_TARGETS.filter((t) => cluster.pods.some((p) => p.spec.containers.some((c) => c.args?.includes(`-target=${t}`))));
  const version = isTempo3Config(config) ? '3.0' : '2.10';
  const dialed = (t: (typeof TEMPO_TARGETS)[number]) => {
    const traits = COMPONENTS[t].tempo;
    return traits?.grpcServer === true && (!traits.grpcServerIn || traits.grpcServerIn.includes(version));
  };
  for (const target of running) {
    if (COMPONENTS[target].tempo?.ordinal || COMPONENTS[target].tempo?.stateful) {
      // Zoned StatefulSets have a Service per zone; each must expose the ports like any other.
      const zoned = cluster.kind('Service').filter((s) => s.metadata.name.startsWith(`${objectName(target)}-`) && s.spec?.selector?.[ZONE_LABEL]);
      if (zoned.length) {
        for (const s of zoned) {
          check(['server', 'http_listen_port'], s.metadata.name, httpPort);
          if (dialed(target)) check(['server', 'grpc_listen_port'], s.metadata.name, grpcPort);
        }
        continue;
      }
    }
    check(['server', 'http_listen_port'], objectName(target), httpPort);
    if (dialed(target)) check(['server', 'grpc_listen_port'], objectName(target), grpcPort);
  }

  // Receivers bind localhost unless told otherwise (Tempo >= 2.7): other pods could not reach them.
  const protocols: Array<[Array<string | number>, TempoConfig | undefined]> = [];
  for (const [name, receiver] of Object.entries<TempoConfig | undefined>(config.distributor?.receivers ?? {})) {
    if (name === 'zipkin') protocols.push([['distributor', 'receivers', name], receiver]);
    else
      for (const [protocol, settings] of Object.entries<TempoConfig | undefined>(receiver?.protocols ?? {}))
        protocols.push([['distributor', 'receivers', name, 'protocols', protocol], settings]);
  }
  for (const [path, settings] of protocols) {
    const endpoint = settings?.endpoint;
    if (typeof endpoint !== 'string') {
      add([...path, 'endpoint'], 'is not set, so the receiver binds localhost only and other pods cannot reach it; expected 0.0.0.0:<port>');
      continue;
    }
    const [bindHost, bindPort] = [endpoint.slice(0, endpoint.lastIndexOf(':')), Number(endpoint.slice(endpoint.lastIndexOf(':') + 1))];
    if (bindHost !== '0.0.0.0')
      add(
        [...path, 'endpoint'],
        `"${endpoint}" binds ${bindHost || 'an unspecified host'} only: pods behind the Service cannot be reached; expected 0.0.0.0:${bindPort}`,
      );
    check([...path, 'endpoint'], objectName('distributor'), bindPort);
  }

  // Memberlist joins through the headless gossip Service, on the port every member binds.
  const gossipPort = effective(config, 'memberlist.bind_port') as number;
  const join = `dns+${host(SERVICES.gossip)}:${gossipPort}`;
  const members: unknown[] = config.memberlist?.join_members ?? [];
  if (!members.length) add(['memberlist', 'join_members'], `is empty: every ring member would stay alone; expected ["${join}"]`);
  members.forEach((m, i) => {
    if (m !== join) add(['memberlist', 'join_members', i], `is ${JSON.stringify(m)}; expected the gossip Service "${join}"`);
  });
  if (members.length) check(['memberlist', 'join_members'], SERVICES.gossip, gossipPort);

  // Queriers pull work from every query-frontend through the headless discovery Service (gRPC).
  const frontend = `${host(SERVICES.queryFrontendDiscovery)}:${grpcPort}`;
  const address = config.querier?.frontend_worker?.frontend_address;
  if (address !== frontend)
    add(
      ['querier', 'frontend_worker', 'frontend_address'],
      `is ${JSON.stringify(address ?? null)}; expected the query-frontend discovery Service "${frontend}"`,
    );
  else check(['querier', 'frontend_worker', 'frontend_address'], SERVICES.queryFrontendDiscovery, grpcPort);

  // Memcached through its Service.
  ((config.cache?.caches ?? []) as TempoConfig[]).forEach((cache, i) => {
    const addresses = cache?.memcached?.addresses;
    if (typeof addresses !== 'string') return;
    for (const a of addresses.split(',')) {
      const expected = `dns+${host(objectName('memcached'))}:${MEMCACHED_PORT}`;
      if (a.trim() !== expected) add(['cache', 'caches', i, 'memcached', 'addresses'], `is "${a.trim()}"; expected the memcached Service "${expected}"`);
      else check(['cache', 'caches', i, 'memcached', 'addresses'], objectName('memcached'), MEMCACHED_PORT);
    }
  });
  // The metrics-generator disables itself without a WAL path, and the local-blocks processor (TraceQL
  // metrics) has nowhere to cut blocks without traces_storage.path.
  const generator = config.metrics_generator ?? {};
  if (!generator.storage?.path)
    add(['metrics_generator', 'storage', 'path'], 'is not set: Tempo disables the metrics-generator; expected a path on its volume');
  const blocks: Array<[string, TempoConfig | undefined]> = [
    ['overrides.defaults.metrics_generator.processors', config.overrides?.defaults],
    ...Object.entries<TempoConfig | undefined>(overrides?.overrides ?? {}).map(([t, b]): [string, TempoConfig | undefined] => [
      `${jsonPath(['overrides', t, 'metrics_generator', 'processors'])} (overrides.yaml)`,
      b,
    ]),
  ];
  const local = blocks.find(([, b]) => ((b?.metrics_generator?.processors ?? []) as unknown[]).includes('local-blocks'));
  if (local && !generator.traces_storage?.path) {
    add(['metrics_generator', 'traces_storage', 'path'], `is not set, but ${local[0]} has local-blocks; expected a path on the generator volume`);
  }
  tlsWiringProblems(config, cluster, add);
  return problems;
}
