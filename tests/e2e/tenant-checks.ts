// Per-tenant checks: what Tempo itself says it applies to each tenant, against the rendered runtime
// overrides. A tenant is resolved as Tempo 2.10.8 does (getOverridesForUser): its own block in
// overrides.yaml, else the block of "*", else overrides.defaults of tempo.yaml.
import { parse } from 'yaml';
import type { Checks } from './checks';
import { until } from './proc';
import type { Any, RenderedEnvironment } from './rendered';
import { getJson, metricValue, metrics, request, search } from './tempo-api';
import { SINGLE_TENANT } from './tenants';
import { BACKEND, GATEWAY, type DedicatedColumn, type TestTrace, dedicatedColumns } from './traces';

/** The override block Tempo uses for `tenant` (undefined: multitenancy is off). */
export function blockOf(env: RenderedEnvironment, tenant: string | undefined): Any {
  const blocks = env.overrides?.overrides ?? {};
  return blocks[tenant ?? SINGLE_TENANT] ?? blocks['*'] ?? env.tempo.overrides?.defaults ?? {};
}

/** The dedicated columns of the tenant's blocks: its override's, else the storage config's (modules/ingester). */
export function columnsOf(env: RenderedEnvironment, tenant: string | undefined): DedicatedColumn[] {
  return blockOf(env, tenant).storage?.parquet_dedicated_columns ?? dedicatedColumns(env.tempo);
}

export const processorsOf = (env: RenderedEnvironment, tenant: string | undefined): string[] => blockOf(env, tenant).metrics_generator?.processors ?? [];

/** A Prometheus duration of the overrides (336h, 1h30m, 500ms) in nanoseconds, as tempo_limits_* report it. */
function nanoseconds(d: string): number {
  const units: Record<string, number> = { ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86400e9, w: 604800e9, y: 31536000e9 };
  const parts = [...d.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== d) throw new Error(`not a Prometheus duration: ${d}`);
  return parts.reduce((n, [, v, u]) => n + Number(v) * units[u!]!, 0);
}

/** tempo_limits_overrides{limit_name} and where it sits in a block. */
const LIMITS: Array<[string, (b: Any) => number | undefined]> = [
  ['ingestion_rate_limit_bytes', (b) => b.ingestion?.rate_limit_bytes],
  ['ingestion_burst_size_bytes', (b) => b.ingestion?.burst_size_bytes],
  ['max_local_traces_per_user', (b) => b.ingestion?.max_traces_per_user],
  ['max_bytes_per_trace', (b) => b.global?.max_bytes_per_trace],
  ['block_retention', (b) => (b.compaction?.block_retention === undefined ? undefined : nanoseconds(b.compaction.block_retention))],
];

/**
 * Every block of the runtime overrides, as a Tempo process exports it (tempo_limits_overrides): each limit
 * as rendered, none of them zero (a zero there is what a tenant got from an incomplete block).
 */
export async function checkLimitsRead(env: RenderedEnvironment, base: string): Promise<string> {
  const blocks = Object.entries<Any>(env.overrides?.overrides ?? {});
  if (!blocks.length) return 'no tenant has a block of its own: every tenant gets overrides.defaults';
  const text = await metrics(base);
  const wrong: string[] = [];
  for (const [tenant, block] of blocks) {
    for (const [name, rendered] of LIMITS) {
      const read = metricValue(text, 'tempo_limits_overrides', { limit_name: name, user: tenant });
      if (!read) wrong.push(`${tenant} ${name}: Tempo has ${read ?? 'no value'}, rendered ${rendered(block) ?? 'nothing'}`);
      else if (read !== rendered(block)) wrong.push(`${tenant} ${name}: Tempo has ${read}, rendered ${rendered(block)}`);
    }
  }
  if (wrong.length) throw new Error(`the limits Tempo applies differ from the rendered blocks: ${wrong.slice(0, 6).join('; ')}`);
  const retention = blocks.map(([t, b]) => `${t} ${b.compaction?.block_retention}`);
  return `${blocks.length} tenant blocks, ${LIMITS.length} limits each, none zero (retention: ${retention.join(', ')})`;
}

/** The metrics-generator runs exactly each tenant's processors (tempo_metrics_generator_active_processors). */
export async function checkProcessors(env: RenderedEnvironment, generatorBase: string, tenants: Array<string | undefined>): Promise<string> {
  const seen: string[] = [];
  let last = '';
  await until(
    'processors',
    30_000,
    async () => {
      const text = await metrics(generatorBase);
      const wrong: string[] = [];
      for (const tenant of tenants) {
        const t = tenant ?? SINGLE_TENANT;
        const want = processorsOf(env, tenant).sort();
        const active = [...text.matchAll(/^tempo_metrics_generator_active_processors\{([^}]*)\}\s+(\S+)/gm)]
          .filter(([, labels, value]) => labels!.includes(`tenant="${t}"`) && Number(value) > 0)
          .map(([, labels]) => /processor="([^"]+)"/.exec(labels!)?.[1] ?? '')
          .sort();
        if (JSON.stringify(active) !== JSON.stringify(want)) wrong.push(`${t}: active ${active.join(',') || 'none'}, want ${want.join(',') || 'none'}`);
      }
      last = wrong.join('; ');
      if (wrong.length) return undefined;
      seen.push(...tenants.map((t) => `${t ?? SINGLE_TENANT} ${processorsOf(env, t).join('+') || 'none'}`));
      return true;
    },
    1000,
  ).catch(() => {
    throw new Error(`the metrics-generator does not run each tenant's processors: ${last}`);
  });
  return seen.join('; ');
}

/**
 * Span metrics reach Prometheus labelled with their tenant for every tenant that runs span-metrics (with
 * its own dimensions as labels), and none for a tenant that does not.
 */
export async function checkTenantSeries(env: RenderedEnvironment, prometheus: string, tenants: Array<string | undefined>): Promise<string> {
  const label = env.tempo.metrics_generator?.registry?.inject_tenant_id_as;
  if (!label) return 'multitenancy is off: one tenant, checked above';
  const external = Object.entries<string>(env.tempo.metrics_generator?.registry?.external_labels ?? {}).map(([k, v]) => `${k}="${v}"`);
  const series = async (tenant: string) => {
    const q = `traces_spanmetrics_calls_total{${[`service="${GATEWAY}"`, `${label}="${tenant}"`, ...external].join(',')}}`;
    const body = await getJson<{ data?: { result?: Array<{ metric: Record<string, string> }> } }>(
      `${prometheus}/api/v1/query?${new URLSearchParams({ query: q })}`,
    );
    return body.data?.result ?? [];
  };
  const parts: string[] = [];
  const without: string[] = [];
  for (const tenant of tenants.map((t) => t ?? SINGLE_TENANT)) {
    if (!processorsOf(env, tenant).includes('span-metrics')) {
      without.push(tenant);
      continue;
    }
    // Attributes the test traces carry on their gateway spans (e2e.protocol, e2e.trace) become labels.
    const dimensions: string[] = blockOf(env, tenant).metrics_generator?.processor?.span_metrics?.dimensions ?? [];
    const carried = dimensions.filter((d) => d.startsWith('e2e.')).map((d) => d.replace(/[^a-zA-Z0-9_]/g, '_'));
    let found: Array<{ metric: Record<string, string> }> = [];
    await until(
      `Prometheus has no span metrics of tenant ${tenant} (${label}="${tenant}")`,
      90_000,
      async () => {
        found = await series(tenant);
        return found.length > 0 ? true : undefined;
      },
      2000,
    );
    const missing = carried.filter((l) => !found.some((s) => l in s.metric));
    if (missing.length) throw new Error(`span metrics of tenant ${tenant} have no label ${missing.join(', ')} (its spanMetricsDimensions)`);
    parts.push(`${tenant}${carried.length ? ` (labels ${carried.join(', ')})` : ''}`);
  }
  for (const tenant of without) {
    const found = await series(tenant);
    if (found.length) throw new Error(`tenant ${tenant} runs no span-metrics processor, yet Prometheus has ${found.length} of its span-metrics series`);
  }
  return `span metrics of ${parts.join(', ')}${without.length ? `; none of ${without.join(', ')} (no span-metrics processor)` : ''}; service ${BACKEND} called by ${GATEWAY}`;
}

type Tree = Record<string, Any>;
const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Dotted paths of the values (lists count as values) under `t`. */
const leaves = (t: Tree, at: string[] = []): string[][] =>
  Object.entries(t).flatMap(([k, v]) => (isTree(v) && Object.keys(v).length ? leaves(v, [...at, k]) : [[...at, k]]));
const get = (t: unknown, path: string[]) => path.reduce<unknown>((o, k) => (isTree(o) ? o[k] : undefined), t);

/** A value as Tempo's YAML and ours can both write it: durations in ns (Tempo writes 720h as 30d), lists sorted, empty lists as absent. */
function comparable(path: string, v: unknown): string {
  if (v === undefined || v === null || (Array.isArray(v) && !v.length)) return 'nothing';
  if (path === 'read.max_search_duration' || path === 'compaction.block_retention') return String(nanoseconds(String(v)));
  // Tempo adds `options: []` to each dedicated column, and keeps processors in a map (any order).
  if (path === 'storage.parquet_dedicated_columns')
    return JSON.stringify((v as Tree[]).map((c) => ({ scope: c.scope, name: c.name, type: c.type, ...(c.options?.length ? { options: c.options } : {}) })));
  if (path === 'metrics_generator.processors') return JSON.stringify([...(v as string[])].sort());
  return JSON.stringify(v);
}

/**
 * What Tempo resolves for a tenant (GET /status/overrides/<tenant>: the block it uses and where it came
 * from) against the block the e2e expects: every key the rendered block sets, with the same value.
 */
export function resolvedDifferences(
  expected: Tree,
  source: string,
  reply: { runtime_overrides?: string; using_default_or_wildcard_runtime_overrides?: string },
): string[] {
  const wrong: string[] = [];
  if (reply.using_default_or_wildcard_runtime_overrides !== source)
    wrong.push(`block of ${reply.using_default_or_wildcard_runtime_overrides ?? 'nothing'}, want ${source}`);
  const resolved = parse(reply.runtime_overrides ?? '') ?? {};
  for (const path of leaves(expected).filter((p) => p.join('.') !== 'ingestion.rate_strategy')) {
    const key = path.join('.');
    const [want, got] = [comparable(key, get(expected, path)), comparable(key, get(resolved, path))];
    if (want !== got) wrong.push(`${key} ${got}, want ${want}`);
  }
  return wrong;
}

/** Every setting of each tenant, as a Tempo process resolves it: its own block, else "*", else the defaults. */
export async function checkResolvedOverrides(env: RenderedEnvironment, base: string, tenants: Array<string | undefined>): Promise<string> {
  const blocks = env.overrides?.overrides ?? {};
  const wrong: string[] = [];
  const seen: string[] = [];
  for (const tenant of tenants.map((t) => t ?? SINGLE_TENANT)) {
    const source = tenant in blocks ? tenant : '*' in blocks ? '*' : 'default overrides';
    const r = await request(`${base}/status/overrides/${encodeURIComponent(tenant)}`, { headers: { Accept: 'application/json' } });
    if (r.status !== 200) throw new Error(`/status/overrides/${tenant}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
    const expected = blockOf(env, tenant);
    const diff = resolvedDifferences(expected, source, JSON.parse(r.text));
    if (diff.length) wrong.push(`${tenant}: ${diff.join('; ')}`);
    seen.push(`${tenant} (${source === tenant ? 'own' : source})`);
  }
  if (wrong.length) throw new Error(`Tempo resolves tenants otherwise than rendered: ${wrong.slice(0, 4).join(' | ')}`);
  const keys = leaves(blockOf(env, tenants[0] ?? SINGLE_TENANT)).filter((p) => p.join('.') !== 'ingestion.rate_strategy').length;
  return `${seen.join(', ')}: all ${keys} settings as rendered`;
}

/** Each tenant's own maxSearchDuration: a search an hour longer is refused (the query-frontend's check). */
export async function checkSearchLimit(env: RenderedEnvironment, frontend: string, tenants: Array<string | undefined>): Promise<string> {
  const seen: string[] = [];
  for (const tenant of tenants) {
    const max = blockOf(env, tenant).read?.max_search_duration;
    if (!max) throw new Error(`the block of ${tenant ?? SINGLE_TENANT} sets no read.max_search_duration`);
    const end = Math.floor(Date.now() / 1000);
    const start = end - nanoseconds(max) / 1e9 - 3600;
    const r = await request(`${frontend}/api/search?${new URLSearchParams({ q: '{}', start: String(start), end: String(end) })}`, { tenant });
    if (r.status !== 400 || !r.text.includes('exceeds'))
      throw new Error(
        `a search of ${max} + 1h as ${tenant ?? SINGLE_TENANT}: HTTP ${r.status} ${r.text.slice(0, 160)}, want 400 (exceeds its max_search_duration)`,
      );
    seen.push(`${tenant ?? SINGLE_TENANT} ${max}`);
  }
  return `refused past each tenant's own limit: ${seen.join(', ')}`;
}

/** The operators' Grafana data source (uid tempo) and the X-Scope-OrgID it sends ("a|b"), from the rendered ConfigMap. */
export function operatorsHeader(env: RenderedEnvironment): string | undefined {
  for (const cm of env.objects.filter((o) => o.kind === 'ConfigMap' && o.metadata?.labels?.grafana_datasource === '1')) {
    for (const text of Object.values<string>(cm.data ?? {})) {
      const ds = (parse(text.replace(/\$\$/g, '$'))?.datasources ?? []).find((d: Any) => d.uid === 'tempo');
      if (ds?.jsonData?.httpHeaderName1 === 'X-Scope-OrgID') return ds.secureJsonData?.httpHeaderValue1;
    }
  }
  return undefined;
}

/** One search with the operators' header finds the traces of every tenant it names, and a trace by id of each. */
export async function checkOperatorsQuery(env: RenderedEnvironment, frontend: string, sent: TestTrace[]): Promise<string> {
  const header = operatorsHeader(env);
  if (!header) throw new Error("the operators' data source (uid tempo) sends no X-Scope-OrgID, which a multitenant Tempo refuses");
  const mine = header.split('|').map((t) => {
    const trace = sent.find((x) => x.tenant === t);
    if (!trace) throw new Error(`no trace was pushed as ${t}, which the operators' data source queries`);
    return trace;
  });
  const q = `{ resource.service.name = "${GATEWAY}" && span.e2e.trace =~ "${mine.map((t) => t.traceId).join('|')}" }`;
  const end = Math.ceil(Date.now() / 1000) + 60;
  let found: string[] = [];
  await until(
    'found',
    30_000,
    async () => {
      found = (await search(frontend, { q, start: String(end - 3600), end: String(end), limit: '50' }, header)).map((h) => h.traceID);
      return mine.every((t) => found.includes(t.traceId)) ? true : undefined;
    },
    1000,
  ).catch(() => {
    const missing = mine.filter((t) => !found.includes(t.traceId)).map((t) => t.tenant);
    throw new Error(`a search as ${header} finds no trace of ${missing.join(', ')}`);
  });
  for (const t of mine) {
    const r = await request(`${frontend}/api/v2/traces/${t.traceId}`, { tenant: header, headers: { Accept: 'application/json' } });
    if (r.status !== 200) throw new Error(`trace ${t.traceId} of ${t.tenant} by id as ${header}: HTTP ${r.status} ${r.text.slice(0, 160)}`);
  }
  return `X-Scope-OrgID ${header}: one search and a trace by id find the traces of ${mine.length} tenants`;
}

/** The checks above, once every tenant has pushed; the Prometheus one runs in the background (its promise). */
export async function tenantChecks(
  checks: Checks,
  env: RenderedEnvironment,
  tenants: Array<string | undefined>,
  urls: { distributor: string; frontend: string; generator?: string; prometheus: string },
): Promise<string> {
  await checks.run('tenant limits as Tempo applies them', () => checkLimitsRead(env, urls.distributor));
  await checks.run('every setting of each tenant as Tempo resolves it (/status/overrides)', () => checkResolvedOverrides(env, urls.distributor, tenants));
  await checks.run("each tenant's maxSearchDuration refuses a longer search", () => checkSearchLimit(env, urls.frontend, tenants));
  if (!urls.generator) return '';
  const generator = urls.generator;
  await checks.run('metrics-generator processors per tenant', () => checkProcessors(env, generator, tenants));
  return checks.background('span metrics per tenant reach Prometheus', () => checkTenantSeries(env, urls.prometheus, tenants));
}
