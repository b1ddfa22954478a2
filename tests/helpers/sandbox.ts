// A throw-away copy of the sources and generated tree, to run `generate` against broken inputs.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { MANAGED_REGIONS, MARKED_DIRS, OWNED_DIRS } from '../../generators/repository';
import { ROOT } from './kustomize';

export interface Sandbox {
  dir: string;
  write(path: string, content: string): void;
  read(path: string): string;
  /** path -> content of every generated or input file (to prove nothing was written). */
  snapshot(): Map<string, string>;
  remove(): void;
}

export function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'tempo-gitops-'));
  // Patterns (overlays/*/aws) lie inside a copied directory.
  for (const d of [...OWNED_DIRS, ...MARKED_DIRS].filter((p) => !p.includes('*'))) cpSync(join(ROOT, d), join(dir, d), { recursive: true });
  for (const { file } of MANAGED_REGIONS) cpSync(join(ROOT, file), join(dir, file));
  return {
    dir,
    write: (path, content) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    },
    read: (path) => readFileSync(join(dir, path), 'utf8'),
    snapshot: () =>
      new Map(
        readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((d) => d.isFile())
          .map((d) => [relative(dir, join(d.parentPath, d.name)), readFileSync(join(d.parentPath, d.name), 'utf8')] as const)
          .sort(([a], [b]) => a.localeCompare(b)),
      ),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Paths whose content differs between two snapshots (added, removed or changed), sorted. */
export function changedFiles(before: Map<string, string>, after: Map<string, string>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((p) => before.get(p) !== after.get(p)).sort();
}
