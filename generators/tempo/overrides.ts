// Tempo 2.10.8's per-tenant overrides: overrides.defaults in tempo.yaml and one block per tenant in the
// runtime overrides file (overrides.yaml, re-read every per_tenant_override_period). Tempo uses a tenant's
// block whole (modules/overrides/runtime_config_overrides.go, getOverridesForUser): every block is
// rendered complete, from environment/tenants.ts, and tenantBlockProblems holds every render to that.
import type { EnvironmentSettings } from '../environment/settings';
import { type TenantSettings, defaultTenantSettings, spanMetricsLabel, tenantBlocks } from '../environment/tenants';
import type { Duration } from '../environment/units';
import { type Problem, jsonPath } from '../validation/messages';

/** The label the metrics-generator puts the tenant id in (registry.inject_tenant_id_as) when multitenancy is on. */
export const TENANT_LABEL = 'tenant';

/** A Prometheus duration (model.Duration, what the overrides take): 336h, 1h30m, 500ms. Whole milliseconds (environment/tenants.ts checks). */
export function promDuration(d: Duration): string {
  let ms = Math.round(d.seconds * 1000);
  if (ms === 0) return '0s';
  let out = '';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    if (ms >= size) out += `${Math.floor(ms / size)}${unit}`;
    ms %= size;
  }
  return out;
}

/** One complete block: every field this repository sets, for one tenant (or the defaults). */
export function overridesBlock(s: TenantSettings): Record<string, unknown> {
  return {
    ingestion: { rate_limit_bytes: s.rateLimitBytes, burst_size_bytes: s.burstSizeBytes, max_traces_per_user: s.maxTracesPerUser },
    read: { max_search_duration: promDuration(s.maxSearchDuration), max_bytes_per_tag_values_query: s.maxBytesPerTagValuesQuery },
    compaction: { block_retention: promDuration(s.retention) },
    metrics_generator: { processors: [...s.processors], processor: { span_metrics: { dimensions: [...s.spanMetricsDimensions] } } },
    global: { max_bytes_per_trace: s.maxBytesPerTrace },
    // The ingester falls back to storage.trace.block's columns only when a tenant has none here; the
    // metrics-generator's local blocks read only these.
    storage: { parquet_dedicated_columns: s.dedicatedColumns.map((c) => ({ scope: c.scope, name: c.name, type: c.type })) },
  };
}

/** overrides.defaults: the block of every tenant without its own; the rate strategy is read from here only. */
export function overridesDefaults(env: EnvironmentSettings): Record<string, unknown> {
  const block = overridesBlock(defaultTenantSettings(env));
  return { ...block, ingestion: { rate_strategy: env.limits.defaults.rateStrategy, ...(block.ingestion as object) } };
}

/** overrides.yaml, in the nested format (the legacy flat one is deprecated and refused by Tempo 3). */
export function runtimeOverrides(env: EnvironmentSettings): Record<string, unknown> {
  return { overrides: Object.fromEntries(tenantBlocks(env).map((b) => [b.tenant, overridesBlock(b.settings)])) };
}

/** What a tenant's block loses when it leaves a field out that the defaults set. */
const ZERO_MEANS: Record<string, string> = {
  'ingestion.rate_limit_bytes': 'a rate limit of 0 refuses every push',
  'ingestion.burst_size_bytes': 'a burst of 0 refuses every push',
  'ingestion.max_traces_per_user': 'no live-trace limit',
  'global.max_bytes_per_trace': 'no trace size limit',
  'read.max_bytes_per_tag_values_query': 'no limit on tag-values responses',
  'metrics_generator.processors': 'no span metrics, service graph or TraceQL metrics',
  'storage.parquet_dedicated_columns': "the generator's local blocks without dedicated columns",
};

type Tree = Record<string, unknown>;
const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Dotted paths of the values (lists count as values) under `t`. */
const leaves = (t: Tree, at: string[] = []): string[][] =>
  Object.entries(t).flatMap(([k, v]) => (isTree(v) && Object.keys(v).length ? leaves(v, [...at, k]) : [[...at, k]]));
const get = (t: unknown, path: string[]) => path.reduce<unknown>((o, k) => (isTree(o) ? o[k] : undefined), t);

type BlockProblem = Problem & { file: 'tempo.yaml' | 'overrides.yaml'; field?: string };

/** Span-metrics dimensions that would become a label the metrics-generator already sets on every series. */
function dimensionProblems(config: unknown, block: unknown, at: { file: BlockProblem['file']; path: string[]; field: string }): BlockProblem[] {
  const registry = get(config, ['metrics_generator', 'registry']);
  const taken = Object.keys(isTree(registry) && isTree(registry.external_labels) ? registry.external_labels : {});
  if (isTree(registry) && typeof registry.inject_tenant_id_as === 'string') taken.push(registry.inject_tenant_id_as);
  const path = ['metrics_generator', 'processor', 'span_metrics', 'dimensions'];
  const dimensions = get(block, path);
  return (Array.isArray(dimensions) ? dimensions : []).flatMap((d, i) => {
    const label = spanMetricsLabel(String(d));
    if (!taken.includes(label)) return [];
    const message = `"${d}" becomes the label ${label}, which the metrics-generator already sets on every series (metrics_generator.registry); expected another attribute`;
    return [{ file: at.file, path: jsonPath([...at.path, ...path, i]), message, field: at.field }];
  });
}

/**
 * Every tenant block sets what overrides.defaults sets (or the tenant gets Tempo's zero for it), never the
 * rate strategy (ignored there), and no span-metrics dimension becomes a label the generator already sets.
 */
export function tenantBlockProblems(config: unknown, overrides: unknown): BlockProblem[] {
  const defaults = get(config, ['overrides', 'defaults']);
  const problems = dimensionProblems(config, defaults, { file: 'tempo.yaml', path: ['overrides', 'defaults'], field: 'limits.defaults.spanMetricsDimensions' });
  const tenants = get(overrides, ['overrides']);
  if (!isTree(tenants)) return problems;
  const required = isTree(defaults) ? leaves(defaults).filter((p) => p.join('.') !== 'ingestion.rate_strategy') : [];
  for (const [tenant, block] of Object.entries(tenants)) {
    // A render that breaks these is a bug of the generator, not of the environment file: no field.
    const add = (path: string[], message: string) => problems.push({ file: 'overrides.yaml', path: jsonPath(['overrides', tenant, ...path]), message });
    const missing = required.map((p) => p.join('.')).filter((key) => get(block, key.split('.')) === undefined);
    if (missing.length) {
      const means = missing.filter((k) => ZERO_MEANS[k]).map((k) => ZERO_MEANS[k]);
      add(
        [],
        `leaves out ${missing.join(', ')}, which overrides.defaults (tempo.yaml) sets: Tempo uses a tenant's block whole, so "${tenant}" would get zero values${means.length ? ` (${means.join('; ')})` : ''}; expected every block complete`,
      );
    }
    if (get(block, ['ingestion', 'rate_strategy']) !== undefined)
      add(['ingestion', 'rate_strategy'], 'is ignored: Tempo 2.10.8 reads the rate strategy from overrides.defaults only; expected it there');
    // Dimensions it inherits are reported once, on the defaults.
    const dims = (b: unknown) => JSON.stringify(get(b, ['metrics_generator', 'processor', 'span_metrics', 'dimensions']));
    if (dims(block) !== dims(defaults))
      problems.push(
        ...dimensionProblems(config, block, { file: 'overrides.yaml', path: ['overrides', tenant], field: `limits.tenants.${tenant}.spanMetricsDimensions` }),
      );
  }
  return problems;
}
