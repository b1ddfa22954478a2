// npm run validate [-- <env>...]: builds every overlay with a real kustomize and checks what Argo CD would
// apply: the YAML (no duplicate keys), every object against the strict schema of its apiVersion/kind for
// the environment's Kubernetes version, and the Tempo configuration inside it (schema and wiring).
// Prints one line per environment, then every problem; the exit code is 1 if there is any.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LineCounter, parseAllDocuments } from 'yaml';
import { InputError } from '../generators/environment/load';
import type { Environment } from '../generators/environment/types';
import { loadEnvironments } from '../generators/tree';
import { KubernetesValidator, objectId } from '../generators/validation/kubernetes';
import { kustomize as findKustomize, type Kustomize } from './lib/kustomize';
import { builtTempoProblems } from '../generators/validation/tempo';

export interface EnvironmentReport {
  dir: string;
  objects: number;
  problems: string[];
}

export async function validateEnvironment(env: Environment, root: string, k: Kustomize, validator: KubernetesValidator): Promise<EnvironmentReport> {
  const dir = `overlays/${env.name}`;
  let output: string;
  try {
    output = await k.buildAsync(join(root, dir));
  } catch (e) {
    // kubectl prefixes its error with a klog header (E1126 06:49:55.85 21735 run.go:72]): keep the message.
    const stderr = String((e as { stderr?: string }).stderr ?? e).trim().split('\n')[0]!.replace(/^[EWI]\d{4} [\d:.]+\s+\d+ [^\]]+\] /, '');
    return { dir, objects: 0, problems: [`${dir}: ${k.name} build failed: ${stderr}`] };
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
    for (const p of validator.validate(object, env.cluster.kubernetesVersion)) problems.push(`${dir} ${p.object}: ${p.path}: ${p.message}`);
  }
  for (const p of builtTempoProblems(objects)) problems.push(`${dir} ${p.object}: ${p.path}: ${p.message}`);
  return { dir, objects: objects.length, problems };
}

export async function main(argv: string[], root = process.cwd()): Promise<number> {
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
  if (only.length) envs = envs.filter((e) => only.includes(e.name));

  const k = findKustomize(root);
  const validator = new KubernetesValidator();
  const reports = await Promise.all(envs.map((env) => validateEnvironment(env, root, k, validator)));
  for (const r of reports) console.log(`${r.dir.padEnd(18)} ${String(r.objects).padStart(3)} objects checked, ${r.problems.length} error(s)`);
  const problems = reports.flatMap((r) => r.problems);
  for (const p of problems) console.error(p);
  console.log(`validate: ${k.name} ${k.version}, strict schemas for ${validator.kinds.length} kinds; done in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  return problems.length ? 1 : 0;
}
