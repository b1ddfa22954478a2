// The repo root and kustomize builds for tests (the binaries are found by scripts/lib/kustomize.ts).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../generators/kubernetes/objects';
import { kustomize as preferred, kustomizes as found, type Kustomize } from '../../scripts/lib/kustomize';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export type { Kustomize };
export const kustomizes = (): Kustomize[] => found(ROOT);
export const kustomize = (): Kustomize => preferred(ROOT);

const builds = new Map<string, KubeObject[]>();
/** The rendered objects of a kustomization directory (relative to the repo root), built once per worker. */
export function build(dir: string): KubeObject[] {
  let objects = builds.get(dir);
  if (!objects) {
    objects = parseAllDocuments(kustomize().build(join(ROOT, dir)), { uniqueKeys: true }).map((d) => {
      if (d.errors.length) throw new Error(`${dir}: ${d.errors[0]!.message}`);
      return d.toJS() as KubeObject;
    });
    builds.set(dir, objects);
  }
  return objects;
}
