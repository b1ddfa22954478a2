// Tenants (issue 15): Tempo 2.10.8 uses a tenant's override block whole, so every block is rendered
// complete; what Tempo would ignore or misread is refused with its reason; retention, lifecycle, cost,
// Grafana and the diagram follow each tenant. (The real Tempo reading these blocks: npm run e2e.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { architectureDiagram } from '../generators/architecture';
import { awsProblems, lifecycle } from '../generators/aws/documents';
import { defaultAssumptions, estimate, retentionShares } from '../generators/cost';
import { vultureArgs } from '../generators/components/vulture';
import type { Environment } from '../generators/environment/index';
import { InputError, loadEnvironment } from '../generators/environment/load';
import { Duration } from '../generators/environment/units';
import { provisionedDatasources } from './helpers/grafana';
import { grafanaDatasources, tempoDatasources } from '../generators/grafana-datasources';
import type { KubeObject } from '../generators/kubernetes/objects';
import { renderEnvironment } from '../generators/render';
import { tempoProblems } from '../generators/tempo/checks';
import { overridesDefaults, promDuration, runtimeOverrides } from '../generators/tempo/overrides';
import type { Any } from './helpers/objects';
import { ROOT } from './helpers/root';

const FILE = 'overlays/prod/environment.yaml';
const PROD = readFileSync(join(ROOT, FILE), 'utf8');
const MULTITENANT = 'features:\n  multitenancy: true\n';
const load = (extra: string): Environment => loadEnvironment(FILE, 'prod', `${PROD}${extra}`, ROOT);
const tenants = (yaml: string) => `limits:\n  tenants:\n${yaml.replace(/^/gm, '    ')}\n`;
function refusals(extra: string): string[] {
  try {
    load(extra);
    return [];
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
}
const AT = String.raw`^overlays/prod/environment\.yaml:\d+:\d+: `;
const block = (env: Environment, tenant: string): Any => (runtimeOverrides(env) as Any).overrides[tenant];
/** Dotted paths of every value in a block (a list is one value). */
const leaves = (o: Any, at = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? leaves(v, `${at}${k}.`) : [`${at}${k}`]));

describe('a tenant that sets one field', () => {
  // The example of issue 15: Tempo refused every push of acme (burst 0) when its block held this field alone.
  const env = load(MULTITENANT + tenants('acme:\n  rateLimitBytes: 2000000'));

  it('gets a complete block: its field, and every other one from the defaults', () => {
    expect(block(env, 'acme')).toEqual({
      ingestion: { rate_limit_bytes: 2000000, burst_size_bytes: 20000000, max_traces_per_user: 10000 },
      read: { max_search_duration: '168h', max_bytes_per_tag_values_query: 1000000 },
      compaction: { block_retention: '336h' },
      metrics_generator: { processors: ['service-graphs', 'span-metrics', 'local-blocks'], processor: { span_metrics: { dimensions: [] } } },
      global: { max_bytes_per_trace: 5000000 },
      storage: {
        parquet_dedicated_columns: [
          { scope: 'span', name: 'user.id', type: 'string' },
          { scope: 'span', name: 'game.id', type: 'string' },
          { scope: 'span', name: 'game_session_id', type: 'string' },
        ],
      },
    });
  });

  it('sets every key overrides.defaults sets, except the rate strategy Tempo reads from the defaults only', () => {
    const defaults = leaves(overridesDefaults(env));
    expect(defaults).toContain('ingestion.rate_strategy');
    expect(leaves(block(env, 'acme'))).toEqual(defaults.filter((k) => k !== 'ingestion.rate_strategy'));
    const r = renderEnvironment(env);
    expect(tempoProblems(r.tempoConfig, r.overrides, r.objects)).toEqual([]);
  });
});

describe('tenant blocks', () => {
  it('"*" (every tenant not named) is rendered complete the same way, from the defaults', () => {
    const env = load(MULTITENANT + tenants('"*":\n  maxTracesPerUser: 20000\nacme:\n  burstSizeBytes: 30000000'));
    expect(block(env, '*').ingestion).toEqual({ rate_limit_bytes: 15000000, burst_size_bytes: 20000000, max_traces_per_user: 20000 });
    // A named tenant inherits the defaults, not "*": Tempo gives it its own block and never looks at "*".
    expect(block(env, 'acme').ingestion).toEqual({ rate_limit_bytes: 15000000, burst_size_bytes: 30000000, max_traces_per_user: 10000 });
  });

  it("a tenant's own retention, processors, span-metrics dimensions, columns and query limits stay in its block", () => {
    const env = load(
      MULTITENANT +
        tenants(
          [
            'acme:',
            '  retention: 720h',
            '  processors: [service-graphs]',
            '  spanMetricsDimensions: [team]',
            '  dedicatedColumns: [{ name: team, scope: resource, type: string }]',
            '  maxSearchDuration: 1h30m',
            '  maxBytesPerTagValuesQuery: 5000000',
            'beta:',
            '  maxBytesPerTrace: 1000000',
          ].join('\n'),
        ),
    );
    const acme = block(env, 'acme');
    expect(acme.compaction).toEqual({ block_retention: '720h' });
    expect(acme.metrics_generator).toEqual({ processors: ['service-graphs'], processor: { span_metrics: { dimensions: ['team'] } } });
    expect(acme.storage.parquet_dedicated_columns).toEqual([{ scope: 'resource', name: 'team', type: 'string' }]);
    expect(acme.read).toEqual({ max_search_duration: '1h30m', max_bytes_per_tag_values_query: 5000000 });
    const beta = block(env, 'beta');
    expect(beta.compaction).toEqual({ block_retention: '336h' });
    expect(beta.metrics_generator.processors).toEqual(['service-graphs', 'span-metrics', 'local-blocks']);
    expect(beta.global).toEqual({ max_bytes_per_trace: 1000000 });
  });

  it('the defaults of limits.defaults reach overrides.defaults and every block that does not set its own', () => {
    const env = load(
      `${MULTITENANT}limits:\n  defaults:\n    spanMetricsDimensions: [team]\n    maxSearchDuration: 24h\n  tenants:\n    acme: { rateLimitBytes: 1000000 }\n`,
    );
    for (const b of [overridesDefaults(env) as Any, block(env, 'acme')]) {
      expect(b.metrics_generator.processor.span_metrics.dimensions).toEqual(['team']);
      expect(b.read.max_search_duration).toBe('24h');
    }
  });

  it('a tenant that turns on local-blocks gets its traces_storage path, though the defaults do not', () => {
    const env = load(`${MULTITENANT}metricsGenerator:\n  processors: [span-metrics]\n${tenants('acme:\n  processors: [local-blocks]')}`);
    const r = renderEnvironment(env);
    expect((r.tempoConfig as Any).metrics_generator.traces_storage).toEqual({ path: '/var/tempo/generator/traces' });
    expect(tempoProblems(r.tempoConfig, r.overrides, r.objects)).toEqual([]);
  });

  it('durations are written as Prometheus durations (what runtime overrides take): whole units, no fractions', () => {
    const cases: Array<[string, string]> = [
      ['336h', '336h'],
      ['90m', '1h30m'],
      ['1.5h', '1h30m'],
      ['2h0m30s', '2h30s'],
      ['1500ms', '1s500ms'],
    ];
    for (const [go, prom] of cases) expect(promDuration(Duration.parse(go)), go).toBe(prom);
  });

  it('with multitenancy the metrics-generator labels every series with its tenant', () => {
    const registry = (extra: string) => (renderEnvironment(load(extra)).tempoConfig as Any).metrics_generator.registry;
    expect(registry(MULTITENANT).inject_tenant_id_as).toBe('tenant');
    expect(registry('').inject_tenant_id_as).toBeUndefined();
  });
});

describe('refused tenant settings, each with its reason', () => {
  it('a per-tenant rateStrategy: Tempo reads it from the defaults only', () => {
    expect(refusals(MULTITENANT + tenants('acme:\n  rateStrategy: local'))).toEqual([
      expect.stringMatching(
        new RegExp(
          `${AT}limits\\.tenants\\.acme\\.rateStrategy: is not a per-tenant setting: Tempo 2\\.10\\.8 reads the rate strategy from the defaults only .*; set limits\\.defaults\\.rateStrategy$`,
        ),
      ),
    ]);
  });

  it('a named tenant while multitenancy is off (every span is single-tenant); single-tenant and "*" are fine', () => {
    expect(refusals(tenants('acme:\n  rateLimitBytes: 1000000'))).toEqual([
      expect.stringMatching(
        new RegExp(
          `${AT}limits\\.tenants\\.acme: features\\.multitenancy is off, so every span belongs to "single-tenant" and Tempo never applies the block of "acme"`,
        ),
      ),
    ]);
    expect(refusals(tenants('single-tenant:\n  retention: 720h\n"*":\n  retention: 48h'))).toEqual([]);
  });

  it('a tenant retention the compactor would act on before its blocks are flushed and polled', () => {
    expect(refusals(MULTITENANT + tenants('acme:\n  retention: 1h'))).toEqual([
      expect.stringMatching(new RegExp(`${AT}limits\\.tenants\\.acme\\.retention: 1h would let the compactor delete blocks .*; expected at least 1h50m`)),
    ]);
    // Go's time.Duration (int64 nanoseconds) ends at 2562047h: Tempo could not read a longer one.
    expect(refusals(MULTITENANT + tenants('acme:\n  retention: 3000000h'))).toEqual([
      expect.stringMatching(new RegExp(`${AT}limits\\.tenants\\.acme\\.retention: 3000000h is longer than Go's longest duration; expected at most 2562047h$`)),
    ]);
  });

  it('a zero maxSearchDuration, which does not lift the limit', () => {
    expect(refusals(MULTITENANT + tenants('acme:\n  maxSearchDuration: 0s'))).toEqual([
      expect.stringMatching(
        new RegExp(
          `${AT}limits\\.tenants\\.acme\\.maxSearchDuration: is 0, which does not lift the limit: Tempo then applies query_frontend\\.search\\.max_duration`,
        ),
      ),
    ]);
  });

  it('a duration with a fraction of a millisecond, which a runtime override cannot hold', () => {
    expect(refusals(MULTITENANT + tenants('acme:\n  maxSearchDuration: 1h500us'))).toEqual([
      expect.stringMatching(new RegExp(`${AT}limits\\.tenants\\.acme\\.maxSearchDuration: 1h500us has a fraction of a millisecond`)),
    ]);
  });

  it('two span-metrics dimensions that become the same label', () => {
    expect(refusals(MULTITENANT + tenants('acme:\n  spanMetricsDimensions: [game.id, game_id]'))).toEqual([
      expect.stringMatching(new RegExp(`${AT}limits\\.tenants\\.acme\\.spanMetricsDimensions: "game_id" and "game\\.id" both become the label game_id`)),
    ]);
  });

  it('a span-metrics dimension that becomes a label the metrics-generator already sets', () => {
    const r = renderEnvironment(load(MULTITENANT + tenants('acme:\n  spanMetricsDimensions: [k8s.cluster, tenant]')));
    expect(tempoProblems(r.tempoConfig, r.overrides, r.objects).map((p) => `${p.field}: ${p.path}: ${p.message}`)).toEqual([
      'limits.tenants.acme.spanMetricsDimensions: overrides.acme.metrics_generator.processor.span_metrics.dimensions[1]: "tenant" becomes the label tenant, which the metrics-generator already sets on every series (metrics_generator.registry); expected another attribute',
    ]);
  });

  it("a tenant's dedicated columns: a duplicate, more than 10 of a scope", () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `{ name: a${i}, scope: span, type: string }`).join(', ');
    expect(refusals(MULTITENANT + tenants(`acme:\n  dedicatedColumns: [${eleven}, { name: a0, scope: span, type: string }]`))).toEqual([
      expect.stringMatching(new RegExp(`${AT}limits\\.tenants\\.acme\\.dedicatedColumns: at most 10 span columns are supported, got 12$`)),
      expect.stringMatching(new RegExp(`${AT}limits\\.tenants\\.acme\\.dedicatedColumns: span attribute "a0" is listed twice$`)),
    ]);
  });

  it('a rendered tenant block that leaves a field out, or sets the rate strategy (the check every render and the kustomize output pass)', () => {
    const r = renderEnvironment(load(MULTITENANT + tenants('acme:\n  rateLimitBytes: 2000000')));
    const overrides = structuredClone(r.overrides) as Any;
    overrides.overrides.acme = { ingestion: { rate_limit_bytes: 2000000, rate_strategy: 'local' } };
    const problems = tempoProblems(r.tempoConfig, overrides, r.objects).map((p) => `${p.file}: ${p.path}: ${p.message}`);
    expect(problems).toEqual([
      expect.stringMatching(
        /^overrides\.yaml: overrides\.acme: leaves out ingestion\.burst_size_bytes, ingestion\.max_traces_per_user, read\.max_search_duration, .* which overrides\.defaults \(tempo\.yaml\) sets: Tempo uses a tenant's block whole, so "acme" would get zero values \(a burst of 0 refuses every push; .*\); expected every block complete$/,
      ),
      'overrides.yaml: overrides.acme.ingestion.rate_strategy: is ignored: Tempo 2.10.8 reads the rate strategy from overrides.defaults only; expected it there',
    ]);
  });
});

describe('retention per tenant', () => {
  const env = load(MULTITENANT + tenants('acme:\n  retention: 720h\nbrief:\n  retention: 48h'));

  it('the S3 lifecycle follows the longest retention of any tenant, plus a day', () => {
    expect((lifecycle(env) as Any).Rules[0].Expiration).toEqual({ Days: 31 });
    expect((lifecycle(load('')) as Any).Rules[0].Expiration).toEqual({ Days: 15 });
    expect(awsProblems(env)).toEqual([]);
  });

  it("a lifecycle set shorter than a tenant's retention is refused, naming the tenant", () => {
    const short = load(
      `s3:\n  bucket: tempo-traces-prod\n  lifecycle: { expirationDays: 20 }\n${MULTITENANT}${tenants('acme:\n  retention: 720h')}`.replace(
        /^s3:\n {2}bucket: tempo-traces-prod\n/m,
        '',
      ),
    );
    expect(awsProblems(short)).toEqual([
      {
        path: 's3.lifecycle.expirationDays',
        message:
          '20 days would expire blocks Tempo still serves (retention of tenant "acme" (limits.tenants) 720h = 30 days); expected at least 31: the longest retention plus a day for compacted blocks and S3\'s daily lifecycle run (or leave it out: it then follows the longest retention)',
      },
    ]);
  });

  it('npm run cost splits ingest evenly between the named tenants and the others, each with its retention', () => {
    expect(retentionShares(env)).toEqual([
      { who: 'acme', days: 30 },
      { who: 'brief', days: 2 },
      { who: 'other tenants', days: 14 },
    ]);
    const storage = estimate(env, defaultAssumptions()).find((l) => l.item === 'S3 storage')!;
    expect(storage.quantity).toContain('(15.33 (on average: acme 30, brief 2, other tenants 14, ingest split evenly) + 1 noncurrent) days');
  });

  it("the README's diagram shows the tenants' own retention", () => {
    expect(architectureDiagram([renderEnvironment(env)])).toContain('compact, delete after prod 336h (tenant acme 720h, tenant brief 48h)');
  });

  it("tempo-vulture asks for traces no older than its own tenant's retention", () => {
    expect(vultureArgs(load(MULTITENANT + tenants('"*":\n  retention: 48h')))).toContain('-tempo-retention-duration=48h');
    expect(vultureArgs(env)).toContain('-tempo-retention-duration=336h');
  });
});

describe('Grafana with multitenancy', () => {
  const env = load(`${MULTITENANT}${tenants('acme:\n  rateLimitBytes: 2000000\n"team.blue(eu)":\n  retention: 48h\n"*":\n  retention: 48h')}`);

  it("one Tempo data source per tenant (its X-Scope-OrgID), and the operators' one that queries them all", () => {
    expect(tempoDatasources(env)).toEqual([
      { name: 'Tempo', uid: 'tempo', tenants: 'single-tenant|acme|team.blue(eu)' },
      { name: 'Tempo (tenant single-tenant)', uid: 'tempo-tenant-single-tenant', tenants: 'single-tenant', tenantFilter: 'single-tenant' },
      { name: 'Tempo (tenant acme)', uid: 'tempo-tenant-acme', tenants: 'acme', tenantFilter: 'acme' },
      {
        name: 'Tempo (tenant team.blue(eu))',
        uid: expect.stringMatching(/^tempo-tenant-[0-9a-f]{12}$/),
        tenants: 'team.blue(eu)',
        tenantFilter: 'team.blue(eu)',
      },
    ]);
  });

  it("each tenant's data source sends its header, and its span-metrics links keep to its tenant", () => {
    const ds = provisionedDatasources(grafanaDatasources(env) as KubeObject[]) as Any[];
    const acme = ds.find((d) => d.uid === 'tempo-tenant-acme');
    expect(acme.jsonData.httpHeaderName1).toBe('X-Scope-OrgID');
    expect(acme.secureJsonData).toEqual({ httpHeaderValue1: 'acme' });
    for (const q of acme.jsonData.tracesToMetrics.queries) expect(q.query).toMatch(/\{\$__tags, tenant="acme"/);
    const uids = ds.map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) expect(uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
  });

  it('without multitenancy: the one Tempo data source, no header', () => {
    expect(tempoDatasources(load(''))).toEqual([{ name: 'Tempo', uid: 'tempo' }]);
  });
});

describe('README "Tenants"', () => {
  it('its example is an environment generate accepts, rendering what it says', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Tenants\n'));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    const env = load(example);
    expect(block(env, 'acme').ingestion.burst_size_bytes).toBe(20000000);
    expect((lifecycle(env) as Any).Rules[0].Expiration).toEqual({ Days: 31 });
    expect(block(env, 'lean').metrics_generator.processors).toEqual(['span-metrics']);
    expect(block(env, '*').ingestion.max_traces_per_user).toBe(20000);
  });
});
