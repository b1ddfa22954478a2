// Ajv validators compiled once per schema content. Compiling the Tempo config schema costs ~0.3 s of CPU,
// loading its standalone code ~30 ms, and `generate` runs on every edit: the code is cached under
// node_modules/.cache (like the esbuild bundles of scripts/run.mjs), keyed by a hash of the schemas.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Ajv, { type Options, type ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

/** `exports` maps each function name to the `$id` of the schema it validates. */
export function compiledValidators<N extends string>(name: string, schemas: object[], exports: Record<N, string>, options: Options): Record<N, ValidateFunction> {
  const ajvVersion = (require('ajv/package.json') as { version: string }).version;
  const key = createHash('sha256').update(JSON.stringify({ schemas, exports, options, ajvVersion })).digest('hex').slice(0, 16);
  const dir = join(dirname(require.resolve('ajv/package.json')), '..', '.cache', 'tempo-gitops');
  const file = join(dir, `${name}-validators-${key}.cjs`);
  try {
    return require(file) as Record<N, ValidateFunction>;
  } catch {
    // not compiled yet
  }
  const ajv = new Ajv({ ...options, code: { source: true } });
  for (const schema of schemas) ajv.addSchema(schema);
  const { default: standaloneCode } = require('ajv/dist/standalone') as typeof import('ajv/dist/standalone');
  const code = standaloneCode(ajv, exports);
  try {
    mkdirSync(dir, { recursive: true });
    for (const old of readdirSync(dir)) if (old.startsWith(`${name}-validators-`)) rmSync(join(dir, old), { force: true });
    writeFileSync(`${file}.${process.pid}`, code);
    renameSync(`${file}.${process.pid}`, file);
    return require(file) as Record<N, ValidateFunction>;
  } catch {
    // A read-only node_modules: compile in memory on every run instead.
    return Object.fromEntries(Object.entries<string>(exports).map(([fn, id]) => [fn, ajv.getSchema(id)!])) as Record<N, ValidateFunction>;
  }
}
