// The shape of the code: dependencies point one way (environment -> components and Tempo -> outputs ->
// the repository and the writer -> scripts), there is no import cycle (type-only imports count), and a
// source file stays readable in one sitting unless it is a data table.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/kustomize';

// tests/e2e is the harness behind `npm run e2e` and `npm run bench:stack`: code that scripts run.
const SOURCES = ['generators', 'scripts', 'policies', 'tests/e2e'];
const sourceFiles = [...SOURCES, 'tests/helpers']
  .flatMap((dir) =>
    readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && d.name.endsWith('.ts'))
      .map((d) => relative(ROOT, join(d.parentPath, d.name))),
  )
  .sort();

/** Relative imports of a file (static imports and re-exports, type-only ones included), as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^;]*?from '(\.[^']+)'/gms)].map((m) => {
    const target = relative(ROOT, resolve(ROOT, dirname(file), m[1]!));
    if (target.endsWith('.ts') || target.endsWith('.json')) return target;
    return existsSync(join(ROOT, target)) ? `${target}/index.ts` : `${target}.ts`;
  });
}
const graph = new Map(sourceFiles.map((f) => [f, importsOf(f).filter((t) => t.endsWith('.ts'))]));

/** Every cycle's files, found with Tarjan's strongly connected components. */
function cycles(): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return out;
}

/** Modules that produce output files: the environment and the components must not depend on them. */
const OUTPUTS = [
  /^generators\/(alerts|dashboards|kustomize)\//,
  /^generators\/(argocd|architecture|cost|files|render|repository|write)\.ts$/,
  /^generators\/aws\/(documents|bootstrap)\.ts$/,
];

/** Files allowed over the size limit, with the reason: each is one table of data. */
const DATA_TABLES: Record<string, string> = {
  'generators/alerts/rules.ts': 'the alert definitions, one entry per alert',
  'generators/alerts/promtool-tests.ts': 'the promtool cases, one per alert (fires / stays quiet)',
  'generators/tempo/schema.ts': "Tempo's config schema, section by section",
  'generators/tempo3/schema.ts': "Tempo 3.0.3's config schema, section by section",
  'generators/kubernetes/schemas/': 'generated JSON Schemas',
};
const MAX_LINES = 300;

describe('the code', () => {
  it('has no import cycle', () => {
    expect(cycles()).toEqual([]);
  });

  it('imports only files that exist', () => {
    const missing = [...graph].flatMap(([file, targets]) => targets.filter((t) => !sourceFiles.includes(t)).map((t) => `${file} -> ${t}`));
    expect(missing).toEqual([]);
  });

  it('keeps the environment and the components free of outputs, and generators free of scripts, policies and tests', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      for (const t of targets) {
        if (/^generators\/(environment|components)\//.test(file) && OUTPUTS.some((o) => o.test(t))) wrong.push(`${file} -> ${t}`);
        if (file.startsWith('generators/') && /^(scripts|policies|tests)\//.test(t)) wrong.push(`${file} -> ${t}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it(`has no source file over ${MAX_LINES} lines but the data tables`, () => {
    const long = sourceFiles
      .filter((f) => !f.startsWith('tests/helpers/'))
      .filter((f) => !Object.keys(DATA_TABLES).some((t) => f.startsWith(t)))
      .map((f) => [f, readFileSync(join(ROOT, f), 'utf8').split('\n').length] as const)
      .filter(([, n]) => n > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('uses no `any` outside the parsed Tempo config type', () => {
    const uses = sourceFiles
      .filter((f) => !f.startsWith('tests/helpers/'))
      .filter((f) => /:\s*any\b|\bas any\b|<any>|\bRecord<string, any>/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(uses).toEqual(['generators/tempo/checks.ts', 'generators/tempo/tls-checks.ts']);
  });
});
