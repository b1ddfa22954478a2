// The repo root and kustomize builds for tests (the binaries are found by scripts/lib/kustomize.ts).
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { inject } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../generators/kubernetes/objects';
import { kustomize as preferred, kustomizes as found, type Kustomize } from '../../scripts/lib/kustomize';
import { ROOT } from './root';

export { ROOT };
export type { Kustomize };
export const kustomizes = (): Kustomize[] => found(ROOT);
export const kustomize = (): Kustomize => preferred(ROOT);

let prebuilt: Record<string, string> | undefined;
/** The `kustomize build` output of each directory tests/setup/kustomize-builds.ts built, read once per worker. */
export function prebuiltBuilds(): Record<string, string> {
  prebuilt ??= Object.fromEntries(Object.entries(inject('kustomizeBuildFiles')).map(([dir, file]) => [dir, readFileSync(file, 'utf8')]));
  return prebuilt;
}

const parsed = new Map<string, KubeObject[]>();
/**
 * The rendered objects of a kustomization directory (relative to the repo root), as built once for the
 * whole run by tests/setup/kustomize-builds.ts.
 */
export function build(dir: string): KubeObject[] {
  let objects = parsed.get(dir);
  if (!objects) {
    const output = prebuiltBuilds()[dir];
    if (output === undefined) throw new Error(`${dir} is not built by tests/setup/kustomize-builds.ts (prebuiltDirs)`);
    objects = parseAllDocuments(output, { uniqueKeys: true }).map((d) => {
      if (d.errors.length) throw new Error(`${dir}: ${d.errors[0]!.message}`);
      return d.toJS() as KubeObject;
    });
    parsed.set(dir, objects);
  }
  return objects;
}

/**
 * What a build of `dir` reads: every file of the kustomization's directory (kustomize loads nothing outside
 * it) and of each directory it names in resources, components or bases, recursively; paths relative to `dir`.
 */
function inputKey(dir: string): string {
  const hash = createHash('sha256');
  const seen = new Set<string>();
  const visit = (d: string) => {
    if (seen.has(d)) return;
    seen.add(d);
    const files = readdirSync(d, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name))
      .sort();
    for (const f of files)
      hash
        .update(`${relative(dir, f)}\0`)
        .update(readFileSync(f))
        .update('\0');
    // One kustomize cannot read (absent, not YAML) fails the build itself: the files above are the key.
    let k: Record<string, unknown> = {};
    try {
      k = parse(readFileSync(join(d, 'kustomization.yaml'), 'utf8')) ?? {};
    } catch {}
    const named = ['resources', 'components', 'bases'].flatMap((field) => (Array.isArray(k[field]) ? (k[field] as string[]) : []));
    for (const r of named) if (statSync(resolve(d, r), { throwIfNoEntry: false })?.isDirectory()) visit(resolve(d, r));
  };
  visit(dir);
  return hash.digest('hex');
}

const outputs = new Map<string, Promise<string>>();
/**
 * The preferred kustomize, building each distinct input once per worker: a build that reads the same
 * files as an earlier one (or as the repository's, built by tests/setup/kustomize-builds.ts) gets
 * that build's output (buildAsync only). For tests that build the same trees again (diff.test.ts).
 */
export function kustomizeOnce(): Kustomize {
  const k = kustomize();
  if (!outputs.size)
    for (const [dir, output] of Object.entries(prebuiltBuilds())) outputs.set(`${k.name} ${inputKey(join(ROOT, dir))}`, Promise.resolve(output));
  const buildAsync = (dir: string) => {
    const key = `${k.name} ${inputKey(dir)}`;
    let output = outputs.get(key);
    if (!output) {
      output = k.buildAsync(dir);
      outputs.set(key, output);
      // A failed build is not remembered: the next test gets kustomize's own error again.
      output.catch(() => outputs.delete(key));
    }
    return output;
  };
  return { ...k, buildAsync };
}
