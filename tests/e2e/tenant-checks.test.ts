// The e2e resolves a tenant's override block as Tempo 2.10.8 does (getOverridesForUser), from the rendered
// files only; the real Tempo then has to agree (npm run e2e -- --scenario tenants).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readRendered } from './rendered';
import { blockOf, columnsOf, processorsOf } from './tenant-checks';

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
