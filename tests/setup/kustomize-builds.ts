// Vitest global setup: every kustomization the tests read is built once, concurrently, before the
// workers start, so no test blocks its worker on a kustomize process (a blocked worker misses vitest's
// own RPC deadlines on a loaded machine). Tests read the output through tests/helpers/kustomize.ts build().
// The outputs go to files, and the workers get their paths: vitest sends the provided context with every
// test file, and 1.5 MB of YAML sent 49 times cost ~2 s of CPU (serialising, piping, parsing).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { SHARED_DIRS, environmentNames } from '../../generators/repository';
import { kustomize } from '../../scripts/lib/kustomize';
import { ROOT } from '../helpers/root';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The file holding the `kustomize build` output of each directory (relative to the repository root). */
    kustomizeBuildFiles: Record<string, string>;
  }
}

/** base/, every overlay, and each shared directory applied on its own (argocd/). */
export const prebuiltDirs = (): string[] => [
  'base',
  ...environmentNames(ROOT).map((e) => `overlays/${e}`),
  ...SHARED_DIRS.filter((d) => !d.inBase && !d.perEnvironment).map((d) => d.dir),
];

export default async function setup(project: TestProject): Promise<() => void> {
  const k = kustomize(ROOT);
  // In the run's temporary directory (tests/setup/processes.ts, set up before this one).
  const out = mkdtempSync(join(tmpdir(), 'kustomize-builds-'));
  const files = await Promise.all(
    prebuiltDirs().map(async (dir, i) => {
      const file = join(out, `${i}.yaml`);
      writeFileSync(file, await k.buildAsync(join(ROOT, dir)));
      return [dir, file] as const;
    }),
  );
  project.provide('kustomizeBuildFiles', Object.fromEntries(files));
  return () => rmSync(out, { recursive: true, force: true });
}
