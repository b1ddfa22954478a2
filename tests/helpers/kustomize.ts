// The repo root and kustomize builds for tests (the binaries are found by scripts/lib/kustomize.ts).
import { inject } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../generators/kubernetes/objects';
import { kustomize as preferred, kustomizes as found, type Kustomize } from '../../scripts/lib/kustomize';
import { ROOT } from './root';

export { ROOT };
export type { Kustomize };
export const kustomizes = (): Kustomize[] => found(ROOT);
export const kustomize = (): Kustomize => preferred(ROOT);

const parsed = new Map<string, KubeObject[]>();
/**
 * The rendered objects of a kustomization directory (relative to the repo root), as built once for the
 * whole run by tests/setup/kustomize-builds.ts.
 */
export function build(dir: string): KubeObject[] {
  let objects = parsed.get(dir);
  if (!objects) {
    const output = inject('kustomizeBuilds')[dir];
    if (output === undefined) throw new Error(`${dir} is not built by tests/setup/kustomize-builds.ts (prebuiltDirs)`);
    objects = parseAllDocuments(output, { uniqueKeys: true }).map((d) => {
      if (d.errors.length) throw new Error(`${dir}: ${d.errors[0]!.message}`);
      return d.toJS() as KubeObject;
    });
    parsed.set(dir, objects);
  }
  return objects;
}
