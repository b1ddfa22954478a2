// Vitest global setup: every kustomization the tests read is built once, concurrently, before the
// workers start, so no test blocks its worker on a kustomize process (a blocked worker misses vitest's
// own RPC deadlines on a loaded machine). Tests read the output through tests/helpers/kustomize.ts build().
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { SHARED_DIRS, environmentNames } from '../../generators/repository';
import { kustomize } from '../../scripts/lib/kustomize';
import { ROOT } from '../helpers/root';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `kustomize build` output of each directory (relative to the repository root). */
    kustomizeBuilds: Record<string, string>;
  }
}

/** base/, every overlay, and each shared directory applied on its own (argocd/). */
export const prebuiltDirs = (): string[] => [
  'base',
  ...environmentNames(ROOT).map((e) => `overlays/${e}`),
  ...SHARED_DIRS.filter((d) => !d.inBase && !d.perEnvironment).map((d) => d.dir),
];

export default async function setup(project: TestProject): Promise<void> {
  const k = kustomize(ROOT);
  const builds = await Promise.all(prebuiltDirs().map(async (dir) => [dir, await k.buildAsync(join(ROOT, dir))] as const));
  project.provide('kustomizeBuilds', Object.fromEntries(builds));
}
