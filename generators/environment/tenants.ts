// Tenants as Tempo 2.10.8 sees them. Its runtime overrides give each tenant one block, used whole
// (modules/overrides/runtime_config_overrides.go, getOverridesForUser): the tenant's own block, else the
// block of "*", else overrides.defaults. A block that sets one field leaves every other field zero (burst
// 0 refuses every push; no processors, no span metrics). So every block is resolved here complete: the
// environment's defaults with what the tenant sets on top; "*" is resolved the same way.
import { MIN_RETENTION_SECONDS, RETENTION_FLOOR_PARTS } from '../tempo/facts';
import type { Problem } from '../validation/messages';
import type { EnvironmentSettings, TenantOwnSettings } from './settings';
import type { Duration } from './units';

export const WILDCARD_TENANT = '*';
/** Tempo's tenant when multitenancy is off (util.FakeTenantID). */
export const SINGLE_TENANT = 'single-tenant';

type DedicatedColumn = EnvironmentSettings['dedicatedColumns'][number];
type Processor = EnvironmentSettings['metricsGenerator']['processors'][number];

/** Everything a tenant's block holds, each field set. */
export interface TenantSettings {
  rateLimitBytes: number;
  burstSizeBytes: number;
  maxTracesPerUser: number;
  maxBytesPerTrace: number;
  maxSearchDuration: Duration;
  maxBytesPerTagValuesQuery: number;
  retention: Duration;
  processors: Processor[];
  spanMetricsDimensions: string[];
  dedicatedColumns: DedicatedColumn[];
}

/** What a tenant without a block of its own gets: Tempo's overrides.defaults. */
export function defaultTenantSettings(env: EnvironmentSettings): TenantSettings {
  const { rateStrategy: _perCluster, ...d } = env.limits.defaults;
  return { ...d, retention: env.retention, processors: env.metricsGenerator.processors, dedicatedColumns: env.dedicatedColumns };
}

export interface TenantBlock {
  tenant: string;
  /** What the environment file sets for this tenant. */
  own: TenantOwnSettings;
  /** The defaults with `own` on top: what the tenant gets. */
  settings: TenantSettings;
}

/** The tenants with a block of their own ("*" among them), in tenant id order. */
export function tenantBlocks(env: EnvironmentSettings): TenantBlock[] {
  const defaults = defaultTenantSettings(env);
  return Object.entries(env.limits.tenants)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([tenant, own]) => {
      const { rateStrategy: _refused, ...set } = own;
      const settings = { ...defaults };
      for (const [k, v] of Object.entries(set)) if (v !== undefined) Object.assign(settings, { [k]: v });
      return { tenant, own, settings };
    });
}

/** What a tenant without a block of its own gets: the block of "*", else the defaults. */
export const unnamedTenantSettings = (env: EnvironmentSettings): TenantSettings =>
  tenantBlocks(env).find((b) => b.tenant === WILDCARD_TENANT)?.settings ?? defaultTenantSettings(env);

/** What Tempo gives `tenant`: its own block, else the block of "*", else the defaults (getOverridesForUser). */
export const settingsOf = (env: EnvironmentSettings, tenant: string): TenantSettings =>
  tenantBlocks(env).find((b) => b.tenant === tenant)?.settings ?? unnamedTenantSettings(env);

/** Who keeps blocks longest, and how long: the S3 lifecycle must not expire them earlier. */
export function longestRetention(env: EnvironmentSettings): { retention: Duration; tenant?: string } {
  let longest: { retention: Duration; tenant?: string } = { retention: env.retention };
  for (const b of tenantBlocks(env))
    if (b.settings.retention.seconds > longest.retention.seconds) longest = { retention: b.settings.retention, tenant: b.tenant };
  return longest;
}

/** The retentions that differ from the environment's, by tenant ("*" included). */
export const ownRetentions = (env: EnvironmentSettings): Array<{ tenant: string; retention: Duration }> =>
  tenantBlocks(env)
    .filter((b) => b.own.retention !== undefined && b.own.retention.seconds !== env.retention.seconds)
    .map((b) => ({ tenant: b.tenant, retention: b.own.retention! }));

/** Go's time.Duration is an int64 of nanoseconds: Tempo cannot parse a longer duration. */
const GO_MAX_DURATION_SECONDS = (2 ** 63 - 1) / 1e9;
const hm = (seconds: number) => {
  const [h, m] = [Math.floor(seconds / 3600), Math.round((seconds % 3600) / 60)];
  return `${h ? `${h}h` : ''}${m || !h ? `${m}m` : ''}`;
};

/** A block retention the compactor can live with (environment/checks.ts checks `retention` the same way). */
export function retentionProblem(r: Duration): string | undefined {
  if (r.seconds < MIN_RETENTION_SECONDS) {
    const parts = Object.entries(RETENTION_FLOOR_PARTS).map(([key, s]) => `${key} ${hm(s)}`);
    return `${r.text} would let the compactor delete blocks before they are flushed, polled and queried; expected at least ${hm(MIN_RETENTION_SECONDS)} (Tempo 2.10.8: ${parts.join(' + ')})`;
  }
  if (r.seconds > GO_MAX_DURATION_SECONDS) return `${r.text} is longer than Go's longest duration; expected at most 2562047h`;
  return undefined;
}

/** Runtime overrides take Prometheus durations (model.Duration): whole milliseconds. */
const wholeMilliseconds = (d: Duration) => Math.abs(d.seconds * 1000 - Math.round(d.seconds * 1000)) < 1e-6;

/** At most 10 string columns per scope (vParquet4 and vParquet5), each attribute once. */
export function dedicatedColumnProblems(path: string, columns: DedicatedColumn[]): Problem[] {
  const problems: Problem[] = [];
  for (const scope of ['span', 'resource'] as const) {
    const names = columns.filter((c) => c.scope === scope).map((c) => c.name);
    if (names.length > 10) problems.push({ path, message: `at most 10 ${scope} columns are supported, got ${names.length}` });
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) problems.push({ path, message: `${scope} attribute "${dup}" is listed twice` });
  }
  return problems;
}

/** Tempo's label for an attribute (Prometheus strutil.SanitizeLabelName): what else is not [a-zA-Z0-9_] becomes _. */
export const spanMetricsLabel = (attribute: string) => attribute.replace(/[^a-zA-Z0-9_]/g, '_');

/** Settings Tempo would ignore or misread, and limits that would not work, as problems of environment.yaml fields. */
export function tenantProblems(env: EnvironmentSettings): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const durations = (path: string, s: Partial<Pick<TenantSettings, 'maxSearchDuration' | 'spanMetricsDimensions'>>) => {
    if (s.maxSearchDuration?.seconds === 0)
      add(
        `${path}.maxSearchDuration`,
        'is 0, which does not lift the limit: Tempo then applies query_frontend.search.max_duration (168h); expected a duration above 0',
      );
    if (s.maxSearchDuration && !wholeMilliseconds(s.maxSearchDuration))
      add(`${path}.maxSearchDuration`, `${s.maxSearchDuration.text} has a fraction of a millisecond; Tempo's runtime overrides take whole milliseconds`);
    const labels = (s.spanMetricsDimensions ?? []).map(spanMetricsLabel);
    const clash = labels.findIndex((l, i) => labels.indexOf(l) !== i);
    if (clash >= 0)
      add(
        `${path}.spanMetricsDimensions`,
        `"${s.spanMetricsDimensions![clash]}" and "${s.spanMetricsDimensions![labels.indexOf(labels[clash]!)]}" both become the label ${labels[clash]}; expected attributes with distinct labels`,
      );
  };
  durations('limits.defaults', env.limits.defaults);
  if (!wholeMilliseconds(env.retention))
    add('retention', `${env.retention.text} has a fraction of a millisecond; Tempo's runtime overrides take whole milliseconds`);

  for (const [tenant, own] of Object.entries(env.limits.tenants)) {
    const path = `limits.tenants.${tenant}`;
    if (!env.features.multitenancy && tenant !== SINGLE_TENANT && tenant !== WILDCARD_TENANT)
      add(
        path,
        `features.multitenancy is off, so every span belongs to "${SINGLE_TENANT}" and Tempo never applies the block of "${tenant}"; expected features.multitenancy: true, or the tenant "${SINGLE_TENANT}" or "*"`,
      );
    if (own.rateStrategy !== undefined)
      add(
        `${path}.rateStrategy`,
        "is not a per-tenant setting: Tempo 2.10.8 reads the rate strategy from the defaults only (a tenant block's rate_strategy is ignored); set limits.defaults.rateStrategy",
      );
    durations(path, own);
    if (own.retention) {
      const why = retentionProblem(own.retention);
      if (why) add(`${path}.retention`, why);
      else if (!wholeMilliseconds(own.retention))
        add(`${path}.retention`, `${own.retention.text} has a fraction of a millisecond; Tempo's runtime overrides take whole milliseconds`);
    }
    if (own.dedicatedColumns) problems.push(...dedicatedColumnProblems(`${path}.dedicatedColumns`, own.dedicatedColumns));
  }
  return problems;
}
