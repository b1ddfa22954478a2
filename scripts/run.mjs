#!/usr/bin/env node
// Runs scripts/<name>.ts fast: the TypeScript is bundled once with esbuild into node_modules/.cache and
// rebuilt only when a source file changes (a content hash decides). Type-checking is `npm run typecheck`.
// An unexpected error (a bug, not bad input) prints one line and a hint; `--debug` or TEMPO_GITOPS_DEBUG=1
// prints its stack with the .ts lines (the bundle's source map).
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { SourceMap } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['generators', 'scripts', 'policies', 'tests/e2e', 'tests/helpers'];
const [name, ...rest] = process.argv.slice(2);
const debug = rest.includes('--debug') || ['1', 'true'].includes(process.env.TEMPO_GITOPS_DEBUG ?? '');
const args = rest.filter((a) => a !== '--debug');
if (debug) process.setSourceMapsEnabled(true);
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
      else if (/\.(ts|mts|mjs|json)$/.test(entry.name)) hash.update(relative(root, path)).update(readFileSync(path));
    }
  };
  for (const dir of SOURCES) walk(join(root, dir));
  hash.update(readFileSync(join(root, 'package-lock.json')));
  return hash.digest('hex').slice(0, 16);
}

let cacheDir = join(root, 'node_modules', '.cache', 'tempo-gitops');
let bundle = join(cacheDir, `${name}-${sourceHash()}.mjs`);
/** import.meta.url in the bundle: modules resolve packages (and place their caches) from it. */
let here = 'import.meta.url';
if (!existsSync(bundle)) {
  const { build } = await import('esbuild');
  try {
    mkdirSync(cacheDir, { recursive: true });
    accessSync(cacheDir, constants.W_OK);
  } catch {
    // node_modules is not ours to write (another user's checkout, a read-only mount): bundle for this run only.
    // Its code still takes itself for the checkout's bundle: packages resolve from there, caches fail to write.
    here = JSON.stringify(pathToFileURL(bundle).href);
    cacheDir = mkdtempSync(join(tmpdir(), 'tempo-gitops-'));
    bundle = join(cacheDir, basename(bundle));
    process.on('exit', () => rmSync(cacheDir, { recursive: true, force: true }));
  }
  const { outputFiles } = await build({
    entryPoints: [join(root, 'scripts', `${name}.ts`)],
    outfile: bundle,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dependencies go into the bundle too: one file parses faster than node resolves and loads the ~40
    // modules of yaml & co. one by one. CommonJS code in it may still call require(). Packages that find
    // files next to their own code (typescript its lib.*.d.ts) or are native stay external.
    external: ['typescript', 'esbuild'],
    banner: { js: `import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(${here});` },
    ...(here === 'import.meta.url' ? {} : { define: { 'import.meta.url': here } }),
    logLevel: 'error',
    // Read only when a stack is shown (--debug) or an unexpected error is located.
    sourcemap: 'linked',
  });
  // Written aside and renamed into place (the map first): a concurrent run never imports a half-written bundle.
  for (const file of outputFiles.sort((a, b) => b.path.length - a.path.length)) {
    writeFileSync(`${file.path}.${process.pid}`, file.contents);
    renameSync(`${file.path}.${process.pid}`, file.path);
  }
  const current = basename(bundle, '.mjs');
  for (const old of readdirSync(cacheDir)) if (old.startsWith(`${name}-`) && !old.startsWith(current)) rmSync(join(cacheDir, old), { force: true });
}

/** `file.ts:line` of the innermost frame of ours in an error's stack, read from the bundle's source map. */
function sourceOf(error) {
  try {
    const frames = String(error?.stack ?? '').matchAll(/(?:file:\/\/)?([^\s()]+\.(?:mjs|ts)):(\d+):(\d+)/g);
    for (const [, file, line, column] of frames) {
      if (file.endsWith('.ts')) return `${relative(root, file)}:${line}`;
      if (basename(file) !== basename(bundle)) continue;
      const map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
      const entry = map.findEntry(Number(line) - 1, Number(column) - 1);
      if (entry.originalSource && !entry.originalSource.includes('node_modules'))
        return `${relative(root, fileURLToPath(new URL(entry.originalSource, pathToFileURL(bundle))))}:${entry.originalLine + 1}`;
    }
  } catch {
    // no map: the line below still says what happened
  }
  return undefined;
}

try {
  const { main } = await import(pathToFileURL(bundle).href);
  process.exitCode = await main(args, root);
} catch (error) {
  if (debug) console.error(error?.stack ?? error);
  else {
    const at = sourceOf(error);
    console.error(`${name}: unexpected error${at ? ` in ${at}` : ''}: ${String(error?.message ?? error).split('\n')[0]}`);
    console.error(`  This is a bug in tempo-gitops, not in your input: please report it with the output of \`npm run ${name} -- --debug\`.`);
  }
  process.exitCode = 70; // EX_SOFTWARE
}
