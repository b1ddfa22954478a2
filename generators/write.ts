// Writes the rendered files to disk: only changed files, each via a temp file and rename, and removes
// generated files that no longer belong. Nothing is written unless the whole repository rendered.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { type Files, MARKER } from './files';

export interface FileChanges {
  written: string[];
  unchanged: string[];
  removed: string[];
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

/** Which generated files exist on disk: every file of an owned directory, marked files elsewhere. */
export interface GeneratedDirs {
  owned: readonly string[];
  marked: readonly string[];
}

/** The directories a pattern names; `*` matches one path segment. */
export function expandDir(root: string, pattern: string): string[] {
  let dirs = [''];
  for (const segment of pattern.split('/')) {
    dirs = dirs.flatMap((d) => {
      if (segment !== '*') return [join(d, segment)];
      const abs = join(root, d);
      return existsSync(abs)
        ? readdirSync(abs, { withFileTypes: true })
            .filter((e) => e.isDirectory())
            .map((e) => join(d, e.name))
        : [];
    });
  }
  return dirs.filter((d) => existsSync(join(root, d)));
}

export function generatedFilesOnDisk(root: string, dirs: GeneratedDirs): string[] {
  const owned = dirs.owned.flatMap((p) => expandDir(root, p)).flatMap((d) => listFiles(join(root, d)));
  const marked = dirs.marked.flatMap((d) => listFiles(join(root, d))).filter((f) => readFileSync(f, 'utf8').slice(0, 300).includes(MARKER));
  return [...new Set([...owned, ...marked])].map((f) => relative(root, f)).sort();
}

/** What writing `files` would change, without touching the disk. */
export function compareFiles(root: string, files: Files, dirs: GeneratedDirs): FileChanges {
  const changes: FileChanges = { written: [], unchanged: [], removed: [] };
  for (const [path, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const file = join(root, path);
    const same = existsSync(file) && readFileSync(file, 'utf8') === content;
    (same ? changes.unchanged : changes.written).push(path);
  }
  changes.removed = generatedFilesOnDisk(root, dirs).filter((f) => !files.has(f));
  return changes;
}

export function writeFiles(root: string, files: Files, dirs: GeneratedDirs): FileChanges {
  const changes = compareFiles(root, files, dirs);
  for (const path of changes.written) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, files.get(path)!);
    renameSync(tmp, file);
  }
  for (const path of changes.removed) {
    unlinkSync(join(root, path));
    removeEmptyDirs(root, dirname(path));
  }
  return changes;
}

function removeEmptyDirs(root: string, dir: string) {
  while (dir && dir !== '.' && readdirSync(join(root, dir)).length === 0) {
    rmdirSync(join(root, dir));
    dir = dirname(dir);
  }
}
