import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'policies/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // kustomize and promtool are separate processes; two workers suit a 2-core machine.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // Its JSON schema is imported without `with { type: 'json' }`, which Node refuses; Vite bundles it.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
