#!/usr/bin/env node
// Runs scripts/<name>.ts fast: the TypeScript is bundled once with esbuild into node_modules/.cache and
// rebuilt only when a source file changes (a content hash decides). Type-checking is `npm run typecheck`.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['generators', 'scripts', 'policies', 'tests/e2e'];
const [name, ...args] = process.argv.slice(2);
if (!name || !existsSync(join(root, 'scripts', `${name}.ts`))) {
  console.error(`usage: node scripts/run.mjs <script> [args]: no scripts/${name}.ts`);
  process.exit(2);
}

function sourceHash() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mts|mjs|json)$/.test(entry.name)) hash.update(path).update(readFileSync(path));
    }
  };
  for (const dir of SOURCES) walk(join(root, dir));
  hash.update(readFileSync(join(root, 'package-lock.json')));
  return hash.digest('hex').slice(0, 16);
}

const cacheDir = join(root, 'node_modules', '.cache', 'tempo-gitops');
const bundle = join(cacheDir, `${name}-${sourceHash()}.mjs`);
if (!existsSync(bundle)) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(root, 'scripts', `${name}.ts`)],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dependencies go into the bundle too: one file parses faster than node resolves and loads the ~40
    // modules of yaml & co. one by one. CommonJS code in it may still call require(). Packages that find
    // files next to their own code (typescript its lib.*.d.ts) or are native stay external.
    external: ['typescript', 'esbuild'],
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'error',
  });
  for (const old of readdirSync(cacheDir)) if (old.startsWith(`${name}-`) && join(cacheDir, old) !== bundle) rmSync(join(cacheDir, old));
}
const { main } = await import(pathToFileURL(bundle).href);
process.exitCode = await main(args, root);
