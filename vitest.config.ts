import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'policies/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // kustomize and promtool are separate processes; two workers suit a 2-core machine.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
