// npm run kubernetes-schemas [-- --check]: writes generators/kubernetes/schemas/*.json, strict JSON Schemas
// of the kinds in SCHEMA_SOURCES, derived from the packages' TypeScript declarations with
// ts-json-schema-generator (every interface becomes `additionalProperties: false`, so an unknown field
// anywhere is an error, like `kubeconform -strict`). Run it after bumping one of those packages.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createGenerator } from 'ts-json-schema-generator';
import { SCHEMA_SOURCES } from '../generators/kubernetes/kinds';

export const SCHEMA_DIR = 'generators/kubernetes/schemas';

type Definitions = Record<string, unknown>;

/** What the schemas are made from: this script, the kinds list, and the versions of the packages involved. */
export function schemaInputs(root: string): string {
  const hash = createHash('sha256');
  for (const file of ['scripts/kubernetes-schemas.ts', 'generators/kubernetes/kinds.ts']) hash.update(file).update(readFileSync(join(root, file)));
  const packages = [...new Set(['typescript', 'ts-json-schema-generator', '@kubernetes-models/apimachinery', ...SCHEMA_SOURCES.map((s) => s.package)])];
  for (const pkg of packages.sort()) hash.update(`${pkg}@${readVersion(root, pkg)}`);
  return hash.digest('hex');
}

/** The digest a schema file records of its own kinds and definitions (a hand edit changes them, not it). */
export const contentDigest = (kinds: unknown, definitions: unknown): string =>
  createHash('sha256').update(JSON.stringify({ kinds, definitions })).digest('hex');
const FREE_FORM_DECLARED = JSON.stringify({ type: 'object', additionalProperties: false });
/** Inline empty types (`config?: {}`: a CRD's x-kubernetes-preserve-unknown-fields) are free-form too. */
function freeForm(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(freeForm);
  if (!node || typeof node !== 'object') return node;
  if (JSON.stringify(node) === FREE_FORM_DECLARED) return {};
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, freeForm(v)]));
}

/** file name -> content of every schema file, rendered from the installed packages. */
export function renderSchemas(root: string): Map<string, string> {
  // One program for every kind: the declarations are type-checked once.
  const aliases: string[] = [];
  const entry = SCHEMA_SOURCES.flatMap((source, s) =>
    source.kinds.map((key, k) => {
      const alias = `K${s}_${k}`;
      aliases.push(alias);
      const kind = key.slice(key.lastIndexOf('/') + 1);
      return `import type { I${kind} as ${alias}_ } from '${source.package}/${key}';\nexport type ${alias} = ${alias}_;`;
    }),
  );
  const cache = join(root, 'node_modules', '.cache', 'tempo-gitops');
  mkdirSync(cache, { recursive: true });
  const entryFile = join(cache, 'kubernetes-schemas-entry.ts');
  writeFileSync(entryFile, `${entry.join('\n')}\n`);
  const generator = createGenerator({
    path: entryFile,
    tsconfig: join(root, 'tsconfig.json'),
    expose: 'export',
    topRef: false,
    jsDoc: 'none',
    skipTypeCheck: true,
    additionalProperties: false,
    sortProps: true,
  });

  const files = new Map<string, string>();
  const inputs = schemaInputs(root);
  SCHEMA_SOURCES.forEach((source, s) => {
    const kinds: Record<string, string> = {};
    const definitions: Definitions = {};
    source.kinds.forEach((key, k) => {
      // createSchema per kind: the generator itself fails if two different types of one kind share a name.
      const schema = generator.createSchema(`K${s}_${k}`) as { $ref?: string; definitions?: Definitions };
      const name = decodeURIComponent(String(schema.$ref).replace('#/definitions/', ''));
      const root = schema.definitions?.[name] as { properties?: Record<string, { const?: string }> } | undefined;
      const apiVersion = key.slice(0, key.lastIndexOf('/'));
      const kind = key.slice(key.lastIndexOf('/') + 1);
      if (root?.properties?.apiVersion?.const !== apiVersion || root.properties.kind?.const !== kind) {
        throw new Error(`${source.package}/${key}: I${kind} does not declare apiVersion "${apiVersion}" and kind "${kind}"`);
      }
      kinds[key] = name;
      for (const [def, declared] of Object.entries(schema.definitions ?? {})) {
        // An empty interface stands for free-form JSON (RawExtension, FieldsV1, JSON): the API server keeps
        // whatever it holds, so it must accept anything rather than nothing.
        const body = freeForm(declared);
        // Types are named by their short TypeScript name: two kinds must not disagree on one.
        if (def in definitions && JSON.stringify(definitions[def]) !== JSON.stringify(body)) {
          throw new Error(`${source.file}: two different types are both named ${def} (the second under ${key}); move ${key} to a schema file of its own`);
        }
        definitions[def] = body;
      }
    });
    files.set(source.file, format(source.package, readVersion(root, source.package), inputs, kinds, definitions));
  });
  return files;
}

function readVersion(root: string, pkg: string): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

/** One definition per line: small, and a package bump shows as a reviewable diff of the types it changed. */
function format(pkg: string, version: string, inputs: string, kinds: Record<string, string>, definitions: Definitions): string {
  const sortedKeys = (o: Record<string, unknown>) =>
    Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    );
  const sorted = (o: Record<string, unknown>) => Object.entries(sortedKeys(o)).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return [
    '{',
    `  "$comment": ${JSON.stringify(`Code generated by npm run kubernetes-schemas from the TypeScript declarations of ${pkg} ${version}. DO NOT EDIT.`)},`,
    `  "package": ${JSON.stringify(pkg)},`,
    `  "version": ${JSON.stringify(version)},`,
    // The tests compare these two digests instead of regenerating (seconds of type-checking) while the inputs are unchanged.
    `  "inputs": ${JSON.stringify(inputs)},`,
    `  "sha256": ${JSON.stringify(contentDigest(sortedKeys(kinds), sortedKeys(definitions)))},`,
    '  "kinds": {',
    sorted(kinds).join(',\n'),
    '  },',
    '  "definitions": {',
    sorted(definitions).join(',\n'),
    '  }',
    '}',
    '',
  ].join('\n');
}

export function main(argv: string[], root = process.cwd()): number {
  const started = performance.now();
  const check = argv.includes('--check');
  const stale: string[] = [];
  for (const [file, content] of renderSchemas(root)) {
    const path = join(root, SCHEMA_DIR, file);
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      // missing: stale
    }
    if (current === content) continue;
    stale.push(file);
    if (!check) {
      mkdirSync(join(root, SCHEMA_DIR), { recursive: true });
      writeFileSync(path, content);
    }
  }
  console.log(
    `${SCHEMA_DIR}: ${stale.length} ${check ? 'stale' : 'written'} (${stale.join(', ') || 'none'}) in ${((performance.now() - started) / 1000).toFixed(2)} s`,
  );
  if (check && stale.length) {
    console.error('kubernetes-schemas --check: the committed schemas are stale; run `npm run kubernetes-schemas` and commit the result');
    return 1;
  }
  return 0;
}
