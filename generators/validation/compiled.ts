// Ajv validators compiled once per schema content. Compiling costs ~0.3 s of CPU for the Tempo config
// schema (on every `generate`) and ~0.4 s for the Kubernetes kinds (on every `validate`), so the standalone
// code is cached under node_modules/.cache (like the esbuild bundles of scripts/run.mjs), keyed by a hash of
// the schemas, with V8's code cache next to it: loading the Tempo one then costs ~6 ms instead of ~25 ms.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import type { Options, ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

/** `exports` maps each function name to the `$id` of the schema it validates. */
export function compiledValidators<N extends string>(
  name: string,
  schemas: object[],
  exports: Record<N, string>,
  options: Options,
): Record<N, ValidateFunction> {
  const ajvVersion = (require('ajv/package.json') as { version: string }).version;
  const key = createHash('sha256').update(JSON.stringify({ schemas, exports, options, ajvVersion })).digest('hex').slice(0, 16);
  const dir = join(dirname(require.resolve('ajv/package.json')), '..', '.cache', 'tempo-gitops');
  const file = join(dir, `${name}-validators-${key}.cjs`);
  try {
    return load<N>(file, exports);
  } catch {
    // not compiled yet
  }
  // ajv itself is loaded only to compile: with the cache warm, a run never pays for importing it.
  const { default: Ajv } = require('ajv') as typeof import('ajv');
  const ajv = new Ajv({ ...options, code: { source: true } });
  for (const schema of schemas) ajv.addSchema(schema);
  const { default: standaloneCode } = require('ajv/dist/standalone') as typeof import('ajv/dist/standalone');
  try {
    mkdirSync(dir, { recursive: true });
    for (const old of readdirSync(dir)) if (old.startsWith(`${name}-validators-`)) rmSync(join(dir, old), { force: true });
    writeAtomically(file, standaloneCode(ajv, exports));
    return load<N>(file, exports);
  } catch {
    // A read-only node_modules: compile in memory on every run instead.
    return Object.fromEntries(Object.entries<string>(exports).map(([fn, id]) => [fn, ajv.getSchema(id)!])) as Record<N, ValidateFunction>;
  }
}

function writeAtomically(file: string, content: string | Buffer) {
  writeFileSync(`${file}.${process.pid}`, content);
  renameSync(`${file}.${process.pid}`, file);
}

/** Runs the cached CommonJS module through V8's code cache, writing the cache when it is missing or stale. */
function load<N extends string>(file: string, exports: Record<N, string>): Record<N, ValidateFunction> {
  const code = readFileSync(file, 'utf8');
  const cacheFile = `${file}.v8-cache`;
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // first load
  }
  const script = new Script(`(function (exports, require, module) {${code}\n})`, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} as Record<N, ValidateFunction> };
  (script.runInThisContext() as (e: object, r: NodeJS.Require, m: object) => void)(module.exports, require, module);
  for (const fn of Object.keys(exports) as N[]) if (typeof module.exports[fn] !== 'function') throw new Error(`${file}: no ${fn}`);
  if (!cachedData || script.cachedDataRejected) {
    for (const fn of Object.keys(exports) as N[]) module.exports[fn]({}); // compile the top-level functions into the cache
    try {
      writeAtomically(cacheFile, script.createCachedData());
    } catch {
      // the cache is an optimisation only
    }
  }
  return module.exports;
}
