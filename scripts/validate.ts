// npm run validate [-- <env>...]: builds every overlay (and every shared kustomization that is applied on
// its own, such as argocd/) with a real kustomize and checks what would be applied: the YAML (no duplicate
// keys), every object against the strict schema of its apiVersion/kind for the cluster's Kubernetes version,
// and, in overlays, the Tempo configuration inside (schema and wiring) and the policies (policies/). Prints
// one line per kustomization, then every problem, then the policies' warnings and the waivers applied; the
// exit code is 1 if there is any problem (a policy error no waiver covers is one).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LineCounter, parseAllDocuments } from 'yaml';
import { InputError } from '../generators/validation/messages';
import type { Environment } from '../generators/environment/index';
import { SHARED_DIRS, loadEnvironments } from '../generators/repository';
import { KubernetesValidator, objectId } from '../generators/kubernetes/validate';
import { builtTempoProblems } from '../generators/tempo/checks';
import { configProblems } from '../generators/tempo3/checks';
import { asObjects } from '../generators/kubernetes/objects';
import { RULES, failures, runPolicies } from '../policies';
import { kustomize as findKustomize, type Kustomize } from './lib/kustomize';

export interface Target {
  /** The kustomization directory, relative to the repo root: overlays/prod, argocd. */
  dir: string;
  kubernetesVersion: string;
  /** Overlays carry the Tempo config ConfigMaps. */
  tempo: boolean;
  /** Overlays: the environment whose policies (and waivers) apply. */
  environment?: string;
}

export interface Report {
  dir: string;
  objects: number;
  problems: string[];
  /** Policy warnings and waived findings: printed, never failing. */
  notes: string[];
}

export const overlayTarget = (env: Environment): Target => ({
  dir: `overlays/${env.name}`,
  kubernetesVersion: env.cluster.kubernetesVersion,
  tempo: true,
  environment: env.name,
});

/** Builds one kustomization and returns every problem as `<dir> <Kind>/<name>: <json path>: <message>`. */
export async function validateTarget(target: Target, root: string, k: Kustomize, validator: KubernetesValidator): Promise<Report> {
  const { dir } = target;
  let output: string;
  try {
    output = await k.buildAsync(join(root, dir));
  } catch (e) {
    // kubectl prefixes its error with a klog header (E1126 06:49:55.85 21735 run.go:72]): keep the message.
    const stderr = String((e as { stderr?: string }).stderr ?? e)
      .trim()
      .split('\n')[0]!
      .replace(/^[EWI]\d{4} [\d:.]+\s+\d+ [^\]]+\] /, '');
    return { dir, objects: 0, problems: [`${dir}: ${k.name} build failed: ${stderr}`], notes: [] };
  }
  const problems: string[] = [];
  const lines = new LineCounter();
  const objects: unknown[] = [];
  for (const doc of parseAllDocuments(output, { uniqueKeys: true, lineCounter: lines })) {
    const object = doc.toJS() as unknown;
    for (const e of doc.errors) {
      const pos = e.linePos?.[0];
      problems.push(`${dir} ${objectId(object)}: (kustomize output${pos ? ` line ${pos.line}, column ${pos.col}` : ''}): ${e.message.split('\n')[0]}`);
    }
    if (object === null || object === undefined) continue;
    objects.push(object);
    for (const p of validator.validate(object, target.kubernetesVersion)) problems.push(`${dir} ${p.object}: ${p.path}: ${p.message}`);
  }
  const built = asObjects(objects);
  if (target.tempo) for (const p of builtTempoProblems(built, configProblems)) problems.push(`${dir} ${p.object}: ${p.path}: ${p.message}`);
  const notes: string[] = [];
  if (target.environment) {
    const findings = await runPolicies(built, { environment: target.environment });
    const failing = new Set(failures(findings));
    for (const f of findings) {
      if (failing.has(f)) problems.push(`${dir} ${f.object}: [${f.rule}] ${f.message}`);
      else notes.push(`${dir} ${f.object}: ${f.waived ? 'waived' : f.severity} [${f.rule}] ${f.message}${f.waived ? ` -- ${f.waived}` : ''}`);
    }
  }
  return { dir, objects: objects.length, problems, notes };
}

/**
 * Every overlay, plus each shared tree applied on its own (not through base). Those go to a management
 * cluster the environment files do not describe: they are held to the newest Kubernetes of any environment.
 */
export function targets(envs: Environment[], root: string): Target[] {
  const newest = envs
    .map((e) => e.cluster.kubernetesVersion)
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
    .at(-1);
  const shared = SHARED_DIRS.filter((t) => !t.inBase && existsSync(join(root, t.dir, 'kustomization.yaml')));
  return [...envs.map(overlayTarget), ...(newest ? shared.map((t) => ({ dir: t.dir, kubernetesVersion: newest, tempo: false })) : [])];
}

/** `kustomize`: the one to build with (default: the preferred one found under root). */
export async function main(argv: string[], root = process.cwd(), kustomize?: Kustomize): Promise<number> {
  const started = performance.now();
  let envs: Environment[];
  try {
    envs = loadEnvironments(root);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    console.error(`validate: ${e.problems.length} problem(s) in the environment files:`);
    for (const p of e.problems) console.error(`  ${p}`);
    return 1;
  }
  const only = argv.filter((a) => !a.startsWith('-'));
  const unknown = only.filter((name) => !envs.some((e) => e.name === name));
  if (unknown.length) {
    console.error(`validate: no environment ${unknown.join(', ')}; expected one of ${envs.map((e) => e.name).join(', ')}`);
    return 2;
  }
  const chosen = only.length ? envs.filter((e) => only.includes(e.name)).map(overlayTarget) : targets(envs, root);

  const k = kustomize ?? findKustomize(root);
  const validator = new KubernetesValidator();
  const reports = await Promise.all(chosen.map((t) => validateTarget(t, root, k, validator)));
  for (const r of reports) console.log(`${r.dir.padEnd(18)} ${String(r.objects).padStart(3)} objects checked, ${r.problems.length} error(s)`);
  const problems = reports.flatMap((r) => r.problems);
  for (const p of problems) console.error(p);
  const notes = reports.flatMap((r) => r.notes);
  const waived = notes.filter((n) => / waived \[/.test(n)).length;
  console.log(
    `policies: ${RULES.length} rules over ${chosen
      .filter((t) => t.environment)
      .map((t) => t.dir)
      .join(', ')}; ${notes.length - waived} warning(s), ${waived} waived${notes.length ? ':' : ''}`,
  );
  for (const n of notes) console.log(`  ${n}`);
  console.log(
    `validate: ${k.name} ${k.version}, strict schemas for ${validator.kinds.length} kinds; done in ${((performance.now() - started) / 1000).toFixed(2)} s`,
  );
  return problems.length ? 1 : 0;
}
