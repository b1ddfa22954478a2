// Everything `npm run generate` writes, rendered in memory from the environment files: the environments
// loaded and checked (each file alone, then with its outputs, then against each other), base/ and each
// overlay, the shared directories (argocd/, alerts/, dashboards/), the AWS documents, the editor schema and the
// README's managed regions.
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { alertsDir, prometheusRule, severityProblems } from './alerts/index';
import { architectureDiagram } from './architecture';
import { ARGOCD_DIR, argocdFiles } from './argocd';
import { AWS_DIR, awsFiles, awsProblems } from './aws/documents';
import { samplingProblems } from './components/sampling';
import { zoneProblems } from './components/zones';
import { dashboardsDir } from './dashboards/index';
import type { Problem } from './validation/messages';
import type { Environment } from './environment/index';
import { stacksOf } from './environment/migration';
import { ENVIRONMENT_FILE_SCHEMA, baseEnvironment, loadEnvironment, locate } from './environment/load';
import { MAX_FILE_BYTES, readTextFile } from './environment/yaml';
import { type Files, MARKER, replaceRegion } from './files';
import { type SharedDir, baseFiles, overlayFiles } from './kustomize/layout';
import { type RenderedEnvironment, renderEnvironment } from './render';
import { configProblems } from './tempo3/checks';
import { InputError } from './validation/messages';

export const ENV_FILE = 'environment.yaml';
export const envFile = (name: string): string => `overlays/${name}/${ENV_FILE}`;

export const SHARED_DIRS: SharedDir[] = [
  {
    dir: ARGOCD_DIR,
    inBase: false,
    files: (_base, environments) =>
      argocdFiles(
        environments,
        SHARED_DIRS.filter((t) => t.inBase).map((t) => t.dir),
        SHARED_DIRS.filter((t) => t.perEnvironment).map((t) => t.dir),
      ),
  },
  alertsDir,
  dashboardsDir,
];

/** A region of a hand-written file that `generate` owns (see replaceRegion in files.ts). */
export interface ManagedRegion {
  file: string;
  /** Also names the module that renders it: generators/<name>.ts. */
  name: string;
  render(base: RenderedEnvironment, environments: RenderedEnvironment[]): string;
}
export const MANAGED_REGIONS: ManagedRegion[] = [
  { file: 'README.md', name: 'architecture', render: (_base, environments) => architectureDiagram(environments) },
];

/**
 * Directories where `generate` owns every file (and removes those that no longer belong); `*` matches one
 * path segment. overlays/<env>/aws/ holds JSON, which has no comment to carry the generated-file marker.
 */
export const OWNED_DIRS: readonly string[] = ['base', ...SHARED_DIRS.map((t) => t.dir), `overlays/*/${AWS_DIR}`];
/** Directories where `generate` owns the files carrying the generated-file marker. */
export const MARKED_DIRS: readonly string[] = ['overlays'];
export const GENERATED_DIRS = { owned: OWNED_DIRS, marked: MARKED_DIRS };

/** Checks of what an environment renders, by the output that renders it (paths are environment.yaml fields). */
const OUTPUT_CHECKS: Array<(env: Environment) => Problem[]> = [
  awsProblems,
  severityProblems,
  samplingProblems,
  // Tempo 3 runs no ingester (its live-store zones are fixed): its zone settings are not read there.
  (env) => (env.tempo.version === '2.10' ? zoneProblems(env, 'ingester', env.components.ingester, env.tempo.replicationFactor) : []),
];

export interface RenderedRepository {
  files: Files;
  base: RenderedEnvironment;
  environments: RenderedEnvironment[];
  /** Which files belong to which environment (for the summary line). */
  filesByEnvironment: Map<string, string[]>;
}

/** A directory that may not be listed is the user's to fix, not a bug. */
const unlisted = (path: string, e: unknown) =>
  `${path}: cannot be listed (${(e as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (e as Error).message}); expected a directory generate may read`;

function entries(root: string, path: string) {
  try {
    return readdirSync(join(root, path), { withFileTypes: true });
  } catch (e) {
    throw new InputError([unlisted(path, e)]);
  }
}

/** Whether overlays/<name>/environment.yaml exists: a dangling symlink, or one in a directory that may not be searched, is an environment file that cannot be read (loading it says so), not a missing one. */
function hasEnvironmentFile(root: string, name: string): boolean {
  try {
    return lstatSync(join(root, 'overlays', name, ENV_FILE), { throwIfNoEntry: false }) !== undefined;
  } catch {
    return true;
  }
}

/** The environments: every overlays/<name>/ holding an environment.yaml, sorted. */
export function environmentNames(root: string): string[] {
  if (!existsSync(join(root, 'overlays'))) return [];
  return entries(root, 'overlays')
    .filter((d) => d.isDirectory() && hasEnvironmentFile(root, d.name))
    .map((d) => d.name)
    .sort();
}

/** Files that look like an environment file but are not read (environment.yml, Environment.yaml ...): say so. */
export function misnamedEnvironmentFiles(root: string): string[] {
  if (!existsSync(join(root, 'overlays'))) return [];
  return entries(root, 'overlays')
    .filter((d) => d.isDirectory())
    .flatMap((d) => {
      let files: string[];
      try {
        files = readdirSync(join(root, 'overlays', d.name));
      } catch (e) {
        return [unlisted(`overlays/${d.name}`, e)];
      }
      return files
        .filter((f) => f !== ENV_FILE && /^environment\.(ya?ml|json)$/i.test(f))
        .map((f) => `overlays/${d.name}/${f}: is not read; expected the environment in overlays/${d.name}/${ENV_FILE} (rename it)`);
    });
}

/** One environment, loaded and checked with what it renders; throws InputError naming file, line and field. */
export function loadChecked(root: string, name: string): Environment {
  // A dual run's Tempo 3 stack renders from the same file: its problems are the file's too (once each).
  // They run with the cross-field checks, so a schema problem elsewhere in the file does not hide them.
  return loadEnvironment(envFile(name), name, undefined, root, (env) => OUTPUT_CHECKS.flatMap((check) => stacksOf(env).flatMap(check)));
}

export function loadEnvironments(root: string): Environment[] {
  const problems: string[] = [];
  const envs: Environment[] = [];
  const names = environmentNames(root);
  if (names.length === 0) throw new InputError([`${join(root, 'overlays')}: no overlays/<env>/${ENV_FILE} found`]);
  for (const name of names) {
    try {
      envs.push(loadChecked(root, name));
    } catch (e) {
      if (e instanceof InputError) problems.push(...e.problems);
      else throw e;
    }
  }
  problems.push(...misnamedEnvironmentFiles(root));
  if (problems.length) throw new InputError(problems);
  problems.push(...sharedProblems(root, envs));
  if (problems.length) throw new InputError(problems);
  return envs;
}

/**
 * What two environments must not share. A cluster: two Argo CD Applications would fight over namespace
 * observability. A bucket prefix (or one inside another's: Tempo lists the tenants under its prefix): each
 * compactor would apply its retention to the other's blocks and both would rewrite the tenant index.
 */
function sharedProblems(root: string, envs: Environment[]): string[] {
  const problems: string[] = [];
  const clash = (env: Environment, field: string, what: string, other: Environment, theirs: string, why: string) =>
    problems.push(
      `${locate(envFile(env.name), field, root)}: ${field}: ${what} is already ${theirs} of ${other.name} (${envFile(other.name)}); expected each environment's own: ${why}`,
    );
  for (const [i, env] of envs.entries()) {
    for (const other of envs.slice(0, i)) {
      if (env.cluster.server === other.cluster.server)
        clash(env, 'cluster.server', env.cluster.server, other, 'the cluster', 'two Argo CD Applications would fight over namespace observability');
      if (env.cluster.name === other.cluster.name)
        clash(
          env,
          'cluster.name',
          env.cluster.name,
          other,
          'the cluster name',
          'two stacks in one cluster would fight over namespace observability and its objects',
        );
      const [a, b] = [env.s3.prefix, other.s3.prefix];
      if (env.s3.bucket === other.s3.bucket && (a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`))) {
        clash(
          env,
          's3.prefix',
          `s3://${env.s3.bucket}/${a}`,
          other,
          a === b ? 'the block store' : `${a.startsWith(b) ? 'inside' : 'around'} s3://${other.s3.bucket}/${b}, the block store`,
          "each stack's compactor would delete the other's blocks by its own retention and both would rewrite the tenant index; set another bucket or prefix",
        );
      }
    }
  }
  return problems;
}

/** Render -> check -> (the caller) write: a Tempo config that would not start, or not be reachable, stops here. */
function renderedProblems(root: string, base: RenderedEnvironment, environments: RenderedEnvironment[]): string[] {
  const stacks = environments.flatMap((r) => (r.dualRun ? [r.dualRun] : []));
  return [base, ...environments, ...stacks].flatMap((r) => {
    const dir = r === base ? 'base' : `overlays/${r.env.name}${r.env.beside ? '/tempo3' : ''}`;
    return configProblems(r.tempoConfig, r.overrides, r.objects).map((p) =>
      p.field && r !== base ? `${locate(envFile(r.env.name), p.field, root)}: ${p.field}: ${p.message}` : `${dir}/${p.file}: ${p.path}: ${p.message}`,
    );
  });
}

export function renderRepository(root: string): RenderedRepository {
  const base = renderEnvironment(baseEnvironment());
  const environments = loadEnvironments(root).map((env) => renderEnvironment(env));
  // A dual run's Tempo 3 stack carries its alerts in its own namespace (its jobs are <namespace>/<component>).
  for (const { dualRun } of environments) dualRun?.objects.push(prometheusRule(dualRun.env));
  const problems = renderedProblems(root, base, environments);
  if (problems.length) throw new InputError(problems);
  const files: Files = new Map();
  const filesByEnvironment = new Map<string, string[]>();
  const add = (owner: string, more: Files) => {
    for (const [path, content] of more) files.set(path, content);
    filesByEnvironment.set(owner, [...new Set([...(filesByEnvironment.get(owner) ?? []), ...more.keys()])]);
  };
  add(
    'base',
    baseFiles(
      base,
      SHARED_DIRS.filter((t) => t.inBase).map((t) => `../${t.dir}`),
    ),
  );
  for (const t of SHARED_DIRS) add('base', t.files(base, environments));
  for (const r of environments) {
    const shared = SHARED_DIRS.filter((t) => t.perEnvironment).map((t) => `../../${t.dir}/${r.env.name}`);
    add(r.env.name, new Map([...overlayFiles(base, r, shared), ...awsFiles(r.env)]));
  }
  add(
    'base',
    new Map([['overlays/environment.schema.json', `${JSON.stringify({ $comment: `${MARKER}. DO NOT EDIT.`, ...ENVIRONMENT_FILE_SCHEMA }, null, 2)}\n`]]),
  );
  for (const region of MANAGED_REGIONS) {
    const path = join(root, region.file);
    if (!existsSync(path)) throw new InputError([`${region.file}: missing; it holds the generated ${region.name} between its markers`]);
    // Stat first: a FIFO or a link to /dev/zero in its place would block or never end.
    const text = files.get(region.file) ?? readTextFile(path, region.file, 16 * MAX_FILE_BYTES, `a file with the generated ${region.name}`);
    add('base', new Map([[region.file, replaceRegion(region.file, text, region.name, region.render(base, environments))]]));
  }
  return { files, base, environments, filesByEnvironment };
}
