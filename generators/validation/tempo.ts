// The Tempo configuration against its schema (tempo-schema.ts) and against the objects around it: the
// replication factor fits the ingesters, receivers listen on every interface, memberlist and the queriers
// dial the right Services, and every port in the config is exposed by the right Service and container.
// `generate` runs it on what it is about to write; `validate` on the kustomize build output.
import type { ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import { TEMPO_COMPONENTS } from '../environment/types';
import { CLUSTER_DOMAIN, CONFIG_MAP, GRPC_SERVERS, NAMESPACE, OVERRIDES_CONFIG_MAP, PORTS, SERVICES, objectName } from '../stack';
import { compiledValidators } from './compiled';
import type { ObjectProblem } from './kubernetes';
import { jsonPath, schemaProblems, type Problem } from './messages';
import { nestedKeyFor, runtimeOverridesSchema, tempoConfigSchema } from './tempo-schema';

export interface TempoProblem extends Problem {
  file: 'tempo.yaml' | 'overrides.yaml';
}

// Compiled on first use, from standalone code cached per schema content (compiled.ts).
let validators: { config: ValidateFunction; overrides: ValidateFunction } | undefined;
function compiled() {
  validators ??= compiledValidators('tempo', [tempoConfigSchema, runtimeOverridesSchema], { config: 'tempo-config', overrides: 'runtime-overrides' }, {
    allErrors: true,
    verbose: true,
    strict: true,
    inlineRefs: false,
  });
  return validators;
}

/** A legacy flat override key gets a message that says where it moved. */
const legacyOverride = (where: (path: string[]) => string) => (path: string[], key: string) => {
  const nested = nestedKeyFor(key);
  if (!nested) return undefined;
  return `legacy flat override key (Tempo 2.10 warns of a type mismatch, Tempo 3 refuses it); write it nested as ${where(path)}.${nested}`;
};

/** Schema and wiring problems of a Tempo config and its runtime overrides, next to the rendered objects. */
export function tempoProblems(config: unknown, overrides: unknown, objects: unknown[]): TempoProblem[] {
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
  problems.push(...wiringProblems(config as Any, objects as Any[]).map((p) => ({ file: 'tempo.yaml' as const, ...p })));
  return problems;
}

/** tempoProblems for a kustomize build output: reads the config and overrides from their ConfigMaps. */
export function builtTempoProblems(objects: unknown[]): ObjectProblem[] {
  const configMaps = (objects as Any[]).filter((o) => o?.kind === 'ConfigMap');
  const find = (name: string, file: string) => configMaps.find((c) => (c.metadata?.name === name || c.metadata?.name?.startsWith(`${name}-`)) && typeof c.data?.[file] === 'string');
  const config = find(CONFIG_MAP, 'tempo.yaml');
  const overrides = find(OVERRIDES_CONFIG_MAP, 'overrides.yaml');
  const missing: ObjectProblem[] = [];
  if (!config) missing.push({ object: `ConfigMap/${CONFIG_MAP}`, path: 'data["tempo.yaml"]', message: 'not rendered: every Tempo pod mounts it' });
  if (!overrides) missing.push({ object: `ConfigMap/${OVERRIDES_CONFIG_MAP}`, path: 'data["overrides.yaml"]', message: 'not rendered: every Tempo pod mounts it' });
  if (!config || !overrides) return missing;

  const parse = (cm: Any, file: string): { value?: unknown; problems: ObjectProblem[] } => {
    const doc = parseDocument(cm.data[file] as string, { uniqueKeys: true, prettyErrors: false });
    const object = `ConfigMap/${cm.metadata.name}`;
    const problems = doc.errors.map((e) => ({ object, path: `data["${file}"]`, message: `YAML error: ${e.message.split('\n')[0]}` }));
    return { value: problems.length ? undefined : doc.toJS(), problems };
  };
  const c = parse(config, 'tempo.yaml');
  const o = parse(overrides, 'overrides.yaml');
  if (c.problems.length || o.problems.length) return [...c.problems, ...o.problems];
  return tempoProblems(c.value, o.value, objects).map((p) => {
    const cm = p.file === 'tempo.yaml' ? config : overrides;
    return { object: `ConfigMap/${cm.metadata.name}`, path: `data["${p.file}"].${p.path}`, message: p.message };
  });
}

type Any = any; // rendered YAML is untyped: each rule checks the shape it reads

const DEFAULTS = { replicationFactor: 1, gossipPort: 7946, httpPort: 3200, grpcPort: 9095 }; // Tempo's own defaults

function wiringProblems(config: Any, objects: Any[]): Problem[] {
  const problems: Problem[] = [];
  const add = (path: Array<string | number>, message: string) => problems.push({ path: jsonPath(path), message });
  if (typeof config !== 'object' || config === null) return problems;
  const services = new Map<string, Any>(objects.filter((o) => o?.kind === 'Service').map((s) => [s.metadata?.name, s]));
  const workloads = objects.filter((o) => o?.kind === 'Deployment' || o?.kind === 'StatefulSet');
  const host = (service: string) => `${service}.${services.get(service)?.metadata?.namespace ?? NAMESPACE}.svc.${CLUSTER_DOMAIN}`;

  /** Why Service `name` port `port` does not reach a container listening on `target` in every pod it selects. */
  const route = (name: string, port: number, target: number): string | undefined => {
    const svc = services.get(name);
    if (!svc) return `Service ${name} is not rendered`;
    const sp = (svc.spec?.ports ?? []).find((p: Any) => p.port === port);
    if (!sp) return `Service ${name} does not expose port ${port} (it exposes ${(svc.spec?.ports ?? []).map((p: Any) => p.port).join(', ') || 'nothing'})`;
    const selector: Record<string, string> = svc.spec?.selector ?? {};
    const selected = workloads.filter((w) => Object.keys(selector).length && Object.entries(selector).every(([k, v]) => w.spec?.template?.metadata?.labels?.[k] === v));
    if (!selected.length) return `Service ${name} selects no pods`;
    const targetPort = sp.targetPort ?? port;
    for (const w of selected) {
      const ports = (w.spec?.template?.spec?.containers ?? []).flatMap((c: Any) => c.ports ?? []);
      const cp = ports.find((p: Any) => (typeof targetPort === 'string' ? p.name === targetPort : p.containerPort === targetPort));
      if (cp?.containerPort !== target) {
        return `Service ${name} port ${port} (targetPort ${targetPort}) does not reach port ${target} of ${w.kind}/${w.metadata?.name}${cp ? ` (it reaches ${cp.containerPort})` : ''}`;
      }
    }
    return undefined;
  };
  const check = (path: Array<string | number>, name: string, port: number, target: number) => {
    const why = route(name, port, target);
    if (why) add(path, why);
  };

  // Every write goes to replication_factor ingesters: fewer pods than that and every push fails.
  const rf = config.ingester?.lifecycler?.ring?.replication_factor ?? DEFAULTS.replicationFactor;
  const ingesters = workloads.find((w) => w.metadata?.name === objectName('ingester'));
  if (ingesters && typeof rf === 'number' && rf > (ingesters.spec?.replicas ?? 1)) {
    add(['ingester', 'lifecycler', 'ring', 'replication_factor'], `is ${rf}, more than the ${ingesters.spec?.replicas ?? 1} replica(s) of StatefulSet/${ingesters.metadata.name}; expected at most the ingester replicas`);
  }

  // Tempo's own ports: HTTP on every component's Service and container; gRPC where other components
  // dial it (GRPC_SERVERS: the other Services leave it out, and the NetworkPolicies admit it nowhere else).
  const httpPort = config.server?.http_listen_port ?? DEFAULTS.httpPort;
  const grpcPort = config.server?.grpc_listen_port ?? DEFAULTS.grpcPort;
  for (const component of TEMPO_COMPONENTS) {
    check(['server', 'http_listen_port'], objectName(component), httpPort, httpPort);
    if (GRPC_SERVERS.includes(component)) check(['server', 'grpc_listen_port'], objectName(component), grpcPort, grpcPort);
  }

  // Receivers bind localhost unless told otherwise (Tempo >= 2.7): other pods could not reach them.
  const receivers = config.distributor?.receivers ?? {};
  const protocols: Array<[Array<string | number>, Any]> = [];
  for (const [name, receiver] of Object.entries<Any>(receivers)) {
    if (name === 'zipkin') protocols.push([['distributor', 'receivers', name], receiver]);
    else for (const [protocol, settings] of Object.entries<Any>(receiver?.protocols ?? {})) protocols.push([['distributor', 'receivers', name, 'protocols', protocol], settings]);
  }
  for (const [path, settings] of protocols) {
    const endpoint = settings?.endpoint;
    if (typeof endpoint !== 'string') {
      add([...path, 'endpoint'], 'is not set, so the receiver binds localhost only and other pods cannot reach it; expected 0.0.0.0:<port>');
      continue;
    }
    const [bindHost, bindPort] = [endpoint.slice(0, endpoint.lastIndexOf(':')), Number(endpoint.slice(endpoint.lastIndexOf(':') + 1))];
    if (bindHost !== '0.0.0.0') add([...path, 'endpoint'], `"${endpoint}" binds ${bindHost || 'an unspecified host'} only: pods behind the Service cannot be reached; expected 0.0.0.0:${bindPort}`);
    check([...path, 'endpoint'], objectName('distributor'), bindPort, bindPort);
  }

  // Memberlist joins through the headless gossip Service, on the port every member binds.
  const gossipPort = config.memberlist?.bind_port ?? DEFAULTS.gossipPort;
  const join = `dns+${host(SERVICES.gossip)}:${gossipPort}`;
  const members: unknown[] = config.memberlist?.join_members ?? [];
  if (!members.length) add(['memberlist', 'join_members'], `is empty: every ring member would stay alone; expected ["${join}"]`);
  members.forEach((m, i) => {
    if (m !== join) add(['memberlist', 'join_members', i], `is ${JSON.stringify(m)}; expected the gossip Service "${join}"`);
  });
  if (members.length) check(['memberlist', 'join_members'], SERVICES.gossip, gossipPort, gossipPort);

  // Queriers pull work from every query-frontend through the headless discovery Service (gRPC).
  const frontend = `${host(SERVICES.queryFrontendDiscovery)}:${grpcPort}`;
  const address = config.querier?.frontend_worker?.frontend_address;
  if (address !== frontend) add(['querier', 'frontend_worker', 'frontend_address'], `is ${JSON.stringify(address ?? null)}; expected the query-frontend discovery Service "${frontend}"`);
  else check(['querier', 'frontend_worker', 'frontend_address'], SERVICES.queryFrontendDiscovery, grpcPort, grpcPort);

  // Memcached through its Service.
  ((config.cache?.caches ?? []) as Any[]).forEach((cache, i) => {
    const addresses = cache?.memcached?.addresses;
    if (typeof addresses !== 'string') return;
    addresses.split(',').forEach((a) => {
      const expected = `dns+${host(objectName('memcached'))}:${PORTS.memcached}`;
      if (a.trim() !== expected) add(['cache', 'caches', i, 'memcached', 'addresses'], `is "${a.trim()}"; expected the memcached Service "${expected}"`);
      else check(['cache', 'caches', i, 'memcached', 'addresses'], objectName('memcached'), PORTS.memcached, PORTS.memcached);
    });
  });
  // The metrics-generator disables itself without a WAL path, and the local-blocks processor (TraceQL
  // metrics) has nowhere to cut blocks without traces_storage.path.
  const generator = config.metrics_generator ?? {};
  if (!generator.storage?.path) add(['metrics_generator', 'storage', 'path'], 'is not set: Tempo disables the metrics-generator; expected a path on its volume');
  const processors: unknown[] = config.overrides?.defaults?.metrics_generator?.processors ?? [];
  if (processors.includes('local-blocks') && !generator.traces_storage?.path) {
    add(['metrics_generator', 'traces_storage', 'path'], 'is not set, but overrides.defaults.metrics_generator.processors has local-blocks; expected a path on the generator volume');
  }
  return problems;
}
