// The e2e resolves a tenant's override block as Tempo 2.10.8 does (getOverridesForUser), from the rendered
// files only; the real Tempo then has to agree (npm run e2e -- --scenario tenants).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readRendered } from './rendered';
import { blockOf, columnsOf, operatorsHeader, processorsOf, resolvedDifferences } from './tenant-checks';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const staging = readRendered(ROOT, 'staging');
const withBlocks = (overrides: Record<string, unknown>) => ({ ...staging, overrides: { overrides } });

describe('the e2e resolves a tenant like Tempo', () => {
  it('its own block, else the block of "*", else overrides.defaults of tempo.yaml', () => {
    const env = withBlocks({ acme: { metrics_generator: { processors: ['span-metrics'] } }, '*': { metrics_generator: { processors: [] } } });
    expect(processorsOf(env, 'acme')).toEqual(['span-metrics']);
    expect(processorsOf(env, 'someone-else')).toEqual([]);
    expect(processorsOf(withBlocks({}), 'someone-else')).toEqual(staging.tempo.overrides.defaults.metrics_generator.processors);
    // Without multitenancy the tenant is single-tenant.
    expect(blockOf(withBlocks({ 'single-tenant': { x: 1 } }), undefined)).toEqual({ x: 1 });
  });

  it("dedicated columns: the block's, else the storage config's", () => {
    const own = [{ scope: 'resource', name: 'team', type: 'string' }];
    expect(columnsOf(withBlocks({ acme: { storage: { parquet_dedicated_columns: own } } }), 'acme')).toEqual(own);
    expect(columnsOf(withBlocks({ acme: {} }), 'acme')).toEqual(staging.tempo.storage.trace.block.parquet_dedicated_columns);
  });
});

describe('what Tempo says it resolves for a tenant (/status/overrides/<tenant>)', () => {
  // Tempo 2.10.8's reply for acme (captured from the real binary): 720h written as 30d, processors in a
  // map, `options: []` on each column, empty lists left out.
  const reply = {
    runtime_overrides:
      'ingestion:\n  rate_limit_bytes: 2000000\n  burst_size_bytes: 20000000\n  max_traces_per_user: 10000\nread:\n  max_bytes_per_tag_values_query: 1000000\n  max_search_duration: 1h30m\ncompaction:\n  block_retention: 30d\nmetrics_generator:\n  processors:\n  - span-metrics\n  - local-blocks\n  generate_native_histograms: ""\n  ingestion_time_range_slack: 0s\nglobal:\n  max_bytes_per_trace: 5000000\nstorage:\n  parquet_dedicated_columns:\n  - scope: span\n    name: team\n    type: string\n    options: []\n',
    using_default_or_wildcard_runtime_overrides: 'acme',
  };
  const rendered = {
    ingestion: { rate_limit_bytes: 2000000, burst_size_bytes: 20000000, max_traces_per_user: 10000 },
    read: { max_search_duration: '1h30m', max_bytes_per_tag_values_query: 1000000 },
    compaction: { block_retention: '720h' },
    metrics_generator: { processors: ['local-blocks', 'span-metrics'], processor: { span_metrics: { dimensions: [] } } },
    global: { max_bytes_per_trace: 5000000 },
    storage: { parquet_dedicated_columns: [{ scope: 'span', name: 'team', type: 'string' }] },
  };

  it('agrees with the rendered block however Tempo writes it', () => {
    expect(resolvedDifferences(rendered, 'acme', reply)).toEqual([]);
  });

  it('names each setting that differs, and a block from elsewhere', () => {
    const other = { ...rendered, compaction: { block_retention: '336h' }, ingestion: { ...rendered.ingestion, burst_size_bytes: 1 } };
    expect(resolvedDifferences(other, '*', reply)).toEqual([
      'block of acme, want *',
      'ingestion.burst_size_bytes 20000000, want 1',
      `compaction.block_retention ${720 * 3600e9}, want ${336 * 3600e9}`,
    ]);
    const zeros = { ...reply, runtime_overrides: 'ingestion:\n  rate_limit_bytes: 2000000\n' };
    expect(resolvedDifferences(rendered, 'acme', zeros)).toContain('ingestion.burst_size_bytes nothing, want 20000000');
  });
});

describe("the operators' Grafana data source", () => {
  it('is read from the rendered ConfigMap: its X-Scope-OrgID, several tenants at once under multitenancy', () => {
    const cm = (value: string) => ({
      kind: 'ConfigMap',
      metadata: { labels: { grafana_datasource: '1' } },
      data: {
        'x.yaml': `datasources:\n  - uid: tempo\n    jsonData: { httpHeaderName1: X-Scope-OrgID }\n    secureJsonData: { httpHeaderValue1: "${value}" }\n`,
      },
    });
    expect(operatorsHeader({ ...staging, objects: [cm('single-tenant|acme')] })).toBe('single-tenant|acme');
    // staging runs without multitenancy: its data source sends no header.
    expect(operatorsHeader(staging)).toBeUndefined();
  });
});
