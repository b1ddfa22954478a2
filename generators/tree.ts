// Everything `npm run generate` writes, rendered in memory from the environment files.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARGOCD_DIR, argocdTree } from './argocd';
import { AWS_DIR, awsTree } from './aws';
import { dashboardsTree } from './dashboards/index';
import { InputError, baseEnvironment, loadEnvironment, locate } from './environment/load';
import { schemaWithDefaults } from './environment/schema';
import type { Environment } from './environment/types';
import { alertsTree } from './alerts/tree';
import { architectureDiagram } from './architecture';
import { baseTree, overlayTree, type FileTree } from './layout';
import { replaceRegion } from './output';
import { renderEnvironment, type RenderedEnvironment } from './render';
import { tempoProblems } from './validation/tempo';

export const ENV_FILE = 'environment.yaml';

/**
 * A directory shared by all environments (dashboards/, alerts/, argocd/ ...): every file in it is
 * generated. With `inBase`, base/kustomization.yaml lists it as a resource, so every overlay has it.
 * With `perEnvironment`, it holds one kustomization per environment (<dir>/<env>/) and each overlay
 * lists its own: for content that differs by environment but reads best whole, not as patches.
 */
export interface SharedTree {
  dir: string;
  inBase: boolean;
  perEnvironment?: boolean;
  files(base: RenderedEnvironment, environments: RenderedEnvironment[]): FileTree;
}
export const SHARED_TREES: SharedTree[] = [
  {
    dir: ARGOCD_DIR,
    inBase: false,
    files: (_base, environments) =>
      argocdTree(
        environments,
        SHARED_TREES.filter((t) => t.inBase).map((t) => t.dir),
        SHARED_TREES.filter((t) => t.perEnvironment).map((t) => t.dir),
      ),
  },
  alertsTree,
  dashboardsTree,
];

/** A region of a hand-written file that `generate` owns (see replaceRegion in output.ts). */
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
export const OWNED_DIRS: readonly string[] = ['base', ...SHARED_TREES.map((t) => t.dir), `overlays/*/${AWS_DIR}`];
/** Directories where `generate` owns the files carrying the generated-file marker. */
export const MARKED_DIRS: readonly string[] = ['overlays'];
export const GENERATED_DIRS = { owned: OWNED_DIRS, marked: MARKED_DIRS };

export interface RenderedTree {
  files: FileTree;
  base: RenderedEnvironment;
  environments: RenderedEnvironment[];
  /** Which files belong to which environment (for the summary line). */
  filesByEnvironment: Map<string, string[]>;
}

export function environmentNames(root: string): string[] {
  const dir = join(root, 'overlays');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, ENV_FILE)))
    .map((d) => d.name)
    .sort();
}

export function loadEnvironments(root: string): Environment[] {
  const problems: string[] = [];
  const envs: Environment[] = [];
  const names = environmentNames(root);
  if (names.length === 0) throw new InputError([`${join(root, 'overlays')}: no overlays/<env>/${ENV_FILE} found`]);
  for (const name of names) {
    try {
      envs.push(loadEnvironment(join('overlays', name, ENV_FILE), name, undefined, root));
    } catch (e) {
      if (e instanceof InputError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length) throw new InputError(problems);
  // Each Application owns namespace observability of its cluster: two on one cluster would fight.
  const owners = new Map<string, string>();
  for (const env of envs) {
    const other = owners.get(env.cluster.server);
    if (other) {
      problems.push(`${locate(join('overlays', env.name, ENV_FILE), 'cluster.server', root)}: cluster.server: ${env.cluster.server} is already the cluster of ${other}; expected each environment's own cluster (two Argo CD Applications would fight over namespace observability)`);
    } else owners.set(env.cluster.server, env.name);
  }
  if (problems.length) throw new InputError(problems);
  return envs;
}

export function renderTree(root: string): RenderedTree {
  const base = renderEnvironment(baseEnvironment());
  const environments = loadEnvironments(root).map(renderEnvironment);
  // Render -> validate -> write: a Tempo config that would not start (or not be reachable) stops here.
  const problems = [base, ...environments].flatMap((r) => {
    const dir = r === base ? 'base' : `overlays/${r.env.name}`;
    return tempoProblems(r.tempoConfig, r.overrides, r.objects).map((p) => `${dir}/${p.file}: ${p.path}: ${p.message}`);
  });
  if (problems.length) throw new InputError(problems);
  const files: FileTree = new Map();
  const filesByEnvironment = new Map<string, string[]>();
  const add = (owner: string, tree: FileTree) => {
    for (const [path, content] of tree) files.set(path, content);
    filesByEnvironment.set(owner, [...new Set([...(filesByEnvironment.get(owner) ?? []), ...tree.keys()])]);
  };
  add('base', baseTree(base, SHARED_TREES.filter((t) => t.inBase).map((t) => `../${t.dir}`)));
  for (const t of SHARED_TREES) add('base', t.files(base, environments));
  for (const r of environments) {
    const shared = SHARED_TREES.filter((t) => t.perEnvironment).map((t) => `../../${t.dir}/${r.env.name}`);
    add(r.env.name, new Map([...overlayTree(base, r, shared), ...awsTree(r.env)]));
  }
  add('base', new Map([['overlays/environment.schema.json', schemaFile()]]));
  for (const region of MANAGED_REGIONS) {
    const path = join(root, region.file);
    if (!existsSync(path)) throw new InputError([`${region.file}: missing; it holds the generated ${region.name} between its markers`]);
    const text = files.get(region.file) ?? readFileSync(path, 'utf8');
    add('base', new Map([[region.file, replaceRegion(region.file, text, region.name, region.render(base, environments))]]));
  }
  return { files, base, environments, filesByEnvironment };
}

function schemaFile(): string {
  return `${JSON.stringify({ $comment: 'Code generated by npm run generate. DO NOT EDIT.', ...schemaWithDefaults() }, null, 2)}\n`;
}
