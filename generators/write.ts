// Writes the rendered files to disk, all or nothing: every new content is staged in a temp file next to
// its target, what will be replaced or removed is backed up (a hard link), a journal lists it all, and
// only then do the renames and removals run. Any failure restores the tree; a crash (the journal left
// behind) is restored by the next run (recoverInterrupted). Only changed files are touched, and generated
// files that no longer belong are removed. The caller holds the lock (scripts/lib/lock.ts).
import {
  closeSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { MAX_FILE_BYTES, readTextFile } from './environment/yaml';
import { type Files, MARKER } from './files';
import { InputError } from './validation/messages';

export interface FileChanges {
  written: string[];
  unchanged: string[];
  removed: string[];
}

/** Left at the root while a write is under way: what to restore if it never finishes. */
export const JOURNAL = '.generate-journal.json';
const TMP = '.generate-tmp';
const BACKUP = '.generate-backup';
const isOurs = (name: string) => name.endsWith(TMP) || name.endsWith(BACKUP);

interface Journal {
  /** Paths being written or removed, and whether they existed (and so get a backup) before. */
  entries: Array<{ path: string; backedUp: boolean }>;
  /** Directories created for new files, outermost first. */
  createdDirs: string[];
}

/** A file could not be written (permissions, a full disk ...): the tree was restored. */
export class WriteError extends Error {
  constructor(
    readonly path: string,
    readonly error: NodeJS.ErrnoException,
    readonly restored: boolean,
  ) {
    super(`cannot write ${path}: ${error.code ?? error.message}`);
    this.name = 'WriteError';
  }
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && !isOurs(d.name))
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
  const marked = dirs.marked.flatMap((d) => listFiles(join(root, d))).filter((f) => head(f, 300).includes(MARKER));
  return [...new Set([...owned, ...marked])].map((f) => relative(root, f)).sort();
}

/** The first `bytes` of a regular file (a stray 1 GB file in a marked directory is not read whole). */
function head(file: string, bytes: number): string {
  const buffer = Buffer.alloc(bytes);
  const fd = openSync(file, 'r');
  try {
    return buffer.subarray(0, readSync(fd, buffer, 0, bytes, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether `file` holds exactly `content`. Read only when it is a regular file of that size: in its place a
 * FIFO would block and a link to /dev/zero never end; an unreadable one is rewritten, or fails to be.
 */
function holds(file: string, content: string): boolean {
  try {
    const stats = statSync(file, { throwIfNoEntry: false });
    return !!stats?.isFile() && stats.size === Buffer.byteLength(content) && readFileSync(file, 'utf8') === content;
  } catch {
    return false;
  }
}

/** What writing `files` would change, without touching the disk. */
export function compareFiles(root: string, files: Files, dirs: GeneratedDirs): FileChanges {
  const changes: FileChanges = { written: [], unchanged: [], removed: [] };
  for (const [path, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const same = holds(join(root, path), content);
    (same ? changes.unchanged : changes.written).push(path);
  }
  changes.removed = generatedFilesOnDisk(root, dirs).filter((f) => !files.has(f));
  return changes;
}

/**
 * Test hook for the all-or-nothing and locking proofs: TEMPO_GITOPS_FAULT=throw:N, kill:N (SIGKILL) or
 * sleep:N:ms (a slow disk) after N files were committed.
 */
function injectFault(committed: number) {
  const [mode, after, ms] = (process.env.TEMPO_GITOPS_FAULT ?? '').split(':');
  if (Number(after) !== committed) return;
  if (mode === 'kill') process.kill(process.pid, 'SIGKILL');
  if (mode === 'throw') throw new Error(`injected fault after ${committed} file(s) (TEMPO_GITOPS_FAULT)`);
  if (mode === 'sleep') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(ms));
}

export function writeFiles(root: string, files: Files, dirs: GeneratedDirs): FileChanges {
  const changes = compareFiles(root, files, dirs);
  if (!changes.written.length && !changes.removed.length) return changes;
  const abs = (path: string) => join(root, path);
  // The journal comes first: from here on a crash at any point is undone by the next run.
  const journal: Journal = {
    entries: [...changes.written, ...changes.removed].map((path) => ({ path, backedUp: existsSync(abs(path)) })),
    createdDirs: [...new Set(changes.written.flatMap((path) => missingDirs(root, dirname(path))))].sort((a, b) => a.length - b.length),
  };
  let current = JOURNAL;
  /** Runs `action` on a path, remembered for the message should it fail. */
  const on = (path: string, action: (file: string) => void) => {
    current = path;
    action(abs(path));
  };
  try {
    writeFileSync(join(root, JOURNAL + TMP), JSON.stringify(journal, null, 1));
    renameSync(join(root, JOURNAL + TMP), join(root, JOURNAL));
    // 1. Stage: nothing visible changes yet (a read-only directory or a full disk fails here).
    for (const dir of journal.createdDirs) on(dir, (d) => mkdirSync(d));
    for (const path of changes.written) on(path, (f) => writeFileSync(f + TMP, files.get(path)!));
    // 2. Back up what will be replaced or removed.
    for (const { path, backedUp } of journal.entries) if (backedUp) on(path, backup);
    // 3. Commit: each rename replaces its file atomically.
    let committed = 0;
    for (const path of changes.written) {
      injectFault(committed++);
      on(path, (f) => renameSync(f + TMP, f));
    }
    for (const path of changes.removed) {
      injectFault(committed++);
      on(path, unlinkSync);
    }
  } catch (e) {
    const restored = restore(root, journal);
    if ((e as NodeJS.ErrnoException).code) throw new WriteError(current, e as NodeJS.ErrnoException, restored);
    throw e;
  }
  // 4. Done: dropping the journal is the commit point; then the backups and emptied directories go.
  rmSync(join(root, JOURNAL), { force: true });
  for (const e of journal.entries) if (e.backedUp) rmSync(abs(e.path) + BACKUP, { force: true });
  for (const path of changes.removed) removeEmptyDirs(root, dirname(path));
  return changes;
}

/** A hard link (no copy, atomic); a copy where the file system has none. */
function backup(file: string) {
  rmSync(file + BACKUP, { force: true });
  try {
    linkSync(file, file + BACKUP);
  } catch {
    copyFileSync(file, file + BACKUP);
  }
}

/** `dir` and its parents that do not exist yet. */
function missingDirs(root: string, dir: string): string[] {
  if (!dir || dir === '.' || existsSync(join(root, dir))) return [];
  return [...missingDirs(root, dirname(dir)), dir];
}

/**
 * Puts every journaled file back as it was, whatever step the run reached: a backup, where there is one,
 * is the original; a file that did not exist before is removed. True when all of it succeeded.
 */
function restore(root: string, journal: Journal): boolean {
  let ok = true;
  const attempt = (step: () => void) => {
    try {
      step();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') ok = false;
    }
  };
  for (const { path, backedUp } of journal.entries) {
    const file = join(root, path);
    attempt(() => rmSync(file + TMP, { force: true }));
    // rename() of a hard link onto its own file does nothing (POSIX): the leftover link is then removed.
    if (backedUp && existsSync(file + BACKUP)) {
      attempt(() => renameSync(file + BACKUP, file));
      attempt(() => rmSync(file + BACKUP, { force: true }));
    } else if (!backedUp) attempt(() => rmSync(file, { force: true }));
  }
  // A directory someone else filled meanwhile stays.
  for (const dir of [...journal.createdDirs].reverse())
    if (existsSync(join(root, dir)) && !readdirSync(join(root, dir)).length) attempt(() => rmdirSync(join(root, dir)));
  if (ok) rmSync(join(root, JOURNAL), { force: true });
  return ok;
}

/** Restores what a crashed run left half-written (its journal); returns the paths it put back. */
export function recoverInterrupted(root: string): string[] {
  const file = join(root, JOURNAL);
  if (!existsSync(file)) return [];
  let journal: Journal;
  try {
    journal = JSON.parse(readTextFile(file, JOURNAL, MAX_FILE_BYTES, "generate's journal")) as Journal;
    if (!Array.isArray(journal.entries)) throw new Error('no entries');
  } catch (e) {
    const why = e instanceof InputError ? e.problems[0]! : `${JOURNAL}: is not a journal generate wrote (${(e as Error).message.split('\n')[0]})`;
    throw new InputError([
      `${why}; an interrupted run left it: put back the generated files by hand (git checkout -- <the generated directories>), then delete it`,
    ]);
  }
  const paths = journal.entries.map((e) => e.path);
  if (!restore(root, journal)) throw new Error(`${JOURNAL}: could not restore every file an interrupted generate changed`);
  return paths;
}

function removeEmptyDirs(root: string, dir: string) {
  // Removing a whole directory (a dual run's tempo3/) reaches it once per file: gone is done.
  while (dir && dir !== '.' && existsSync(join(root, dir)) && readdirSync(join(root, dir)).length === 0) {
    rmdirSync(join(root, dir));
    dir = dirname(dir);
  }
}
