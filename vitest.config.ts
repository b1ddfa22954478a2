import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/** @actions/workflow-parser ships source maps without their sources: load it without them (no warnings). */
const WORKFLOW_PARSER = /\/node_modules\/@actions\/workflow-parser\/dist\/.+\.js$/;

export default defineConfig({
  plugins: [
    {
      name: 'workflow-parser-without-source-maps',
      load: (id) => (WORKFLOW_PARSER.test(id) ? readFileSync(id, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, '') : null),
    },
  ],
  test: {
    include: ['tests/**/*.test.ts'],
    // Temporary files in memory and Go's GC settings (tests/setup/processes.ts); kustomize builds run
    // once, concurrently, before the workers start (no test blocks on a subprocess).
    globalSetup: ['tests/setup/processes.ts', 'tests/setup/kustomize-builds.ts'],
    setupFiles: ['tests/setup/e2e-builds.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // kustomize and promtool are separate processes; two workers suit a 2-core machine.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // Test files share a worker's modules instead of importing the generators afresh for each file: a
    // third less CPU for the suite. So a test must never change module state, spies are restored before
    // every test, and a module mock needs vi.doMock on a fresh registry (tests/generate-tempo-check.test.ts).
    isolate: false,
    restoreMocks: true,
    // Its JSON schema is imported without `with { type: 'json' }`, which Node refuses; Vite bundles it.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
