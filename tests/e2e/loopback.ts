// The loopback variant of a rendered Tempo config, for one process: only addresses, ports, ring
// identities, the S3 endpoint and paths on the pod's volumes change. ALLOWED_DIFFERENCES lists every
// path that may differ and why; tests/e2e/loopback.test.ts proves nothing else does.
import { join } from 'node:path';
import type { Any } from './rendered';
import { TEMPO_DEFAULT_PORTS, isWildcardHost, receiverEndpoints, resolveAddress, splitHostPort, type Plan, type PlannedProcess } from './plan';

export const LOOPBACK = '127.0.0.1';
/** s3rver's own default keys (it checks request signatures against them). */
export const S3_ACCESS_KEY = 'S3RVER';
export const S3_SECRET_KEY = 'S3RVER';

export type DifferenceKind = 'address' | 'port' | 'ring identity' | 'S3 endpoint' | 'volume path' | 'loopback timing';

export interface AllowedDifference {
  path: RegExp;
  kind: DifferenceKind;
  why: string;
}

/**
 * Tempo 3 only, and only because its production cadence does not fit a run of minutes: each knob with its
 * production value (Tempo's default) and why the loopback stack shortens it. Nothing else about timing changes.
 */
export const TEMPO3_TIMINGS: Array<{ key: string; value: string | number; why: string }> = [
  {
    key: 'block_builder.consume_cycle_duration',
    value: '10s',
    why: 'a block per cycle (5m): the blocks, compaction and their reads are checked within the run',
  },
  { key: 'storage.trace.blocklist_poll', value: '5s', why: 'queriers, the scheduler and the workers see a new block within a poll (5m)' },
  { key: 'backend_scheduler.provider.compaction.measure_interval', value: '5s', why: 'the scheduler measures the blocklist for compaction every 1m' },
  { key: 'backend_scheduler.provider.compaction.min_cycle_interval', value: '5s', why: 'tenants are prioritised every 30s' },
  { key: 'backend_worker.backoff.max_period', value: '2s', why: "after 'no jobs found' a worker sleeps up to 1m" },
  { key: 'memberlist.pull_push_interval', value: '5s', why: 'with the 30s full sync the block-builder saw its partition Active ~70 s late' },
  { key: 'query_frontend.query_end_cutoff', value: '5s', why: 'searches leave out the newest 30s; the checks search right after pushing' },
  { key: 'ingest.kafka.consumer_group_lag_metric_update_interval', value: '5s', why: 'the lag gauges refresh every 1m' },
];

/** ^a\.b(\.c(\.d)?)?$: a key, or the section (from its second level) holding it that the rendered config lacks. */
function keyOrSection(key: string): RegExp {
  const [a, b, ...rest] = key.split('.');
  return new RegExp(`^${a}\\.${b}${rest.map((k) => `(\\.${k}`).join('')}${rest.map(() => ')?').join('')}$`);
}

/** Every config path the loopback variant may change, and why. Anything else must stay as rendered. */
export const ALLOWED_DIFFERENCES: AllowedDifference[] = [
  { path: /^server\.(http|grpc)_listen_address$/, kind: 'address', why: 'listen on 127.0.0.1 only, never on every interface' },
  { path: /^server\.(http|grpc)_listen_port$/, kind: 'port', why: 'each process has its own free ports on the one loopback' },
  { path: /^memberlist\.(bind_addr|advertise_addr)$/, kind: 'address', why: 'gossip binds and advertises 127.0.0.1' },
  { path: /^memberlist\.(bind_port|advertise_port)$/, kind: 'port', why: 'each process gossips on its own port' },
  { path: /^memberlist\.join_members$/, kind: 'address', why: "the gossip Service's endpoints, resolved as cluster DNS would" },
  {
    path: /^distributor\.receivers\.[^.]+(\.protocols\.[^.]+)?\.endpoint$/,
    kind: 'address',
    why: "the receiver's host mapped to loopback (every-interface binds to 127.0.0.1, pod-local ones stay pod-local), its port renumbered",
  },
  {
    path: /^(distributor|compactor|metrics_generator)\.ring\.instance_(id|addr)$/,
    kind: 'ring identity',
    why: 'one ring member per process: its pod name and loopback address',
  },
  { path: /^ingester\.lifecycler\.(id|address)$/, kind: 'ring identity', why: 'one ring member per ingester process: its pod name and loopback address' },
  { path: /^querier\.frontend_worker\.frontend_address$/, kind: 'address', why: "the query-frontend discovery Service's endpoint" },
  { path: /^cache\.caches\[\d+\]\.memcached\.addresses$/, kind: 'address', why: "the memcached Service's endpoints" },
  {
    path: /^metrics_generator\.storage\.remote_write\[\d+\]\.url$/,
    kind: 'address',
    why: 'the loopback Prometheus (remote-write receiver) stands for the cluster one',
  },
  // Tempo 3 (tempo.yaml with ingest.kafka).
  { path: /^ingest\.kafka\.address$/, kind: 'address', why: "the Kafka fake (kfake) stands for Strimzi's bootstrap Service or the external cluster" },
  {
    path: /^(live_store\.ring\.instance_(id|addr)|block_builder\.instance_id|metrics_generator\.instance_id)$/,
    kind: 'ring identity',
    why: 'its pod name (the hostname Tempo defaults to: -<n> is the partition) and loopback address',
  },
  { path: /^backend_worker\.backend_scheduler_addr$/, kind: 'address', why: "the backend-scheduler Service's endpoint" },
  // The key, or a section the rendered config leaves out (backend_worker.backoff) that only holds it.
  ...TEMPO3_TIMINGS.map(
    (t): AllowedDifference => ({
      path: keyOrSection(t.key),
      kind: 'loopback timing',
      why: t.why,
    }),
  ),
  {
    path: /^storage\.trace\.s3\.(endpoint|tls_ca_path)$/,
    kind: 'S3 endpoint',
    why: "the loopback S3 server, over TLS with the run's own CA (over plain HTTP the S3 client signs uploads in aws-chunked streaming form, which s3rver stores undecoded)",
  },
];

/** A path is also allowed to differ when its value is a file path on one of the pod's volumes, re-rooted. */
export function reroot(path: string, mountPaths: string[], dir: string): string | undefined {
  const mount = mountPaths.find((m) => path === m || path.startsWith(m.endsWith('/') ? m : `${m}/`));
  return mount === undefined ? undefined : join(dir, path);
}

export interface LoopbackContext {
  plan: Plan;
  process: PlannedProcess;
  /** Where unresolvable names point: a port that drops every connection (cluster DNS would say NXDOMAIN). */
  blackhole: string;
  /** Called for each in-cluster address that resolves to nothing, for the failure messages. */
  onUnresolved?: (path: string, address: string) => void;
}

const clone = <T>(v: T): T => structuredClone(v);

function portOf(p: PlannedProcess, rendered: number): number {
  const port = p.ports.get(rendered);
  if (port === undefined) throw new Error(`${p.id}: no loopback port planned for ${rendered}`);
  return port;
}

/** Re-roots every string value that is a path on the process's volumes (WAL, generator storage, overrides file). */
function rerootPaths(node: Any, p: PlannedProcess): Any {
  if (typeof node === 'string') return reroot(node, p.workload.mountPaths, p.dir) ?? node;
  if (Array.isArray(node)) return node.map((n) => rerootPaths(n, p));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, rerootPaths(v, p)]));
  return node;
}

export function loopbackTempoConfig(rendered: Any, ctx: LoopbackContext): Any {
  const { plan, process: p } = ctx;
  const c = rerootPaths(clone(rendered), p);
  const resolve = (path: string, address: string): string[] => {
    const found = resolveAddress(plan, address);
    if (found.length === 0) ctx.onUnresolved?.(path, address);
    return found.length ? found : [ctx.blackhole];
  };

  c.server ??= {};
  c.server.http_listen_address = LOOPBACK;
  c.server.grpc_listen_address = LOOPBACK;
  c.server.http_listen_port = portOf(p, rendered?.server?.http_listen_port ?? TEMPO_DEFAULT_PORTS.http);
  c.server.grpc_listen_port = portOf(p, rendered?.server?.grpc_listen_port ?? TEMPO_DEFAULT_PORTS.grpc);

  if (c.memberlist) {
    const gossip = portOf(p, rendered.memberlist.bind_port ?? TEMPO_DEFAULT_PORTS.memberlist);
    c.memberlist.bind_addr = [LOOPBACK];
    c.memberlist.bind_port = gossip;
    c.memberlist.advertise_addr = LOOPBACK;
    c.memberlist.advertise_port = gossip;
    c.memberlist.join_members = (rendered.memberlist.join_members ?? []).flatMap((m: string) => resolve('memberlist.join_members', m));
  }

  for (const r of receiverEndpoints(rendered)) {
    const host = r.endpoint === undefined ? 'localhost' : splitHostPort(r.endpoint).host;
    // Every-interface binds are what other pods reach; a pod-local bind gets a port nobody else dials.
    const port = isWildcardHost(host) ? portOf(p, r.port) : p.podLocalPorts.get(r.port);
    let node = c;
    for (const k of r.path.slice(0, -1)) node = node[k] ??= {};
    node.endpoint = `${LOOPBACK}:${port}`;
  }

  for (const ring of ['distributor', 'compactor', 'metrics_generator'] as const) {
    if (!c[ring]?.ring) continue;
    c[ring].ring.instance_id = p.id;
    c[ring].ring.instance_addr = LOOPBACK;
  }
  if (c.ingester?.lifecycler) {
    c.ingester.lifecycler.id = p.id;
    c.ingester.lifecycler.address = LOOPBACK;
  }

  const frontend = c.querier?.frontend_worker?.frontend_address;
  if (typeof frontend === 'string' && frontend) c.querier.frontend_worker.frontend_address = resolve('querier.frontend_worker.frontend_address', frontend)[0];

  for (const [i, cache] of (c.cache?.caches ?? []).entries()) {
    if (typeof cache?.memcached?.addresses !== 'string') continue;
    const path = `cache.caches[${i}].memcached.addresses`;
    cache.memcached.addresses = cache.memcached.addresses
      .split(',')
      .flatMap((a: string) => resolve(path, a.trim()))
      .join(',');
  }

  for (const rw of c.metrics_generator?.storage?.remote_write ?? []) {
    const url = new URL(rw.url);
    rw.url = `http://${LOOPBACK}:${plan.prometheusPort}${url.pathname}${url.search}`;
  }

  if (c.ingest?.kafka) {
    c.ingest.kafka.address = `${LOOPBACK}:${plan.kafkaPort}`;
    // The pod name is Tempo's default instance id (the hostname): loopback processes share one hostname.
    if (p.component === 'live-store') c.live_store = { ...c.live_store, ring: { ...c.live_store?.ring, instance_id: p.id, instance_addr: LOOPBACK } };
    if (p.component === 'block-builder') c.block_builder = { ...c.block_builder, instance_id: p.id };
    if (p.component === 'metrics-generator') c.metrics_generator.instance_id = p.id;
    const scheduler = c.backend_worker?.backend_scheduler_addr;
    if (typeof scheduler === 'string') c.backend_worker.backend_scheduler_addr = resolve('backend_worker.backend_scheduler_addr', scheduler)[0];
    for (const t of TEMPO3_TIMINGS) {
      const keys = t.key.split('.');
      let node = c;
      for (const k of keys.slice(0, -1)) node = node[k] ??= {};
      node[keys.at(-1)!] = t.value;
    }
  }

  if (c.storage?.trace?.s3) {
    c.storage.trace.s3.endpoint = `${LOOPBACK}:${plan.s3Port}`;
    c.storage.trace.s3.tls_ca_path = plan.s3CaFile;
  }
  return c;
}

/** Dotted paths (a.b[0].c) where two configs differ; arrays of scalars compare whole. */
export function differingPaths(a: Any, b: Any, prefix = ''): string[] {
  const isObj = (v: Any) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const scalarArray = (v: Any) => Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object');
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differingPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  if (Array.isArray(a) && Array.isArray(b) && !(scalarArray(a) && scalarArray(b)) && a.length === b.length) {
    return a.flatMap((x, i) => differingPaths(x, b[i], `${prefix}[${i}]`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}

/** Walks a config to the value at a dotted path produced by differingPaths. */
export function valueAt(config: Any, path: string): Any {
  let node = config;
  for (const part of path.split('.').flatMap((s) => s.split(/\[(\d+)\]/).filter(Boolean))) node = node?.[/^\d+$/.test(part) ? Number(part) : part];
  return node;
}

/** Why a path may differ, or undefined if it may not. */
export function allowedDifference(path: string, rendered: Any, derived: Any, p: PlannedProcess): string | undefined {
  const rule = ALLOWED_DIFFERENCES.find((r) => r.path.test(path));
  if (rule) return `${rule.kind}: ${rule.why}`;
  const before = valueAt(rendered, path);
  if (typeof before === 'string' && valueAt(derived, path) === reroot(before, p.workload.mountPaths, p.dir))
    return "volume path: the pod's volume is a directory of the process";
  return undefined;
}
