// npm run generate [-- --check]: render every environment, validate, then write (or, with --check,
// only report what is stale). On any error nothing is written and the exit code is 1.
import { performance } from 'node:perf_hooks';
import { yamlMemo } from '../generators/files';
import { InputError } from '../generators/validation/messages';
import { compareFiles, writeFiles } from '../generators/write';
import { GENERATED_DIRS, type RenderedRepository, renderRepository } from '../generators/repository';

export function main(argv: string[], root = process.cwd()): number {
  const started = performance.now();
  const check = argv.includes('--check');
  let rendered: RenderedRepository;
  try {
    rendered = renderRepository(root);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    console.error(`generate: ${e.problems.length} problem(s); nothing was written:`);
    for (const p of e.problems) console.error(`  ${p}`);
    return 1;
  }
  const changes = (check ? compareFiles : writeFiles)(root, rendered.files, GENERATED_DIRS);
  yamlMemo.save();
  const written = new Set(changes.written);
  for (const [owner, files] of rendered.filesByEnvironment) {
    const objects = owner === 'base' ? rendered.base.objects.length : rendered.environments.find((r) => r.env.name === owner)!.objects.length;
    const n = files.filter((f) => written.has(f)).length;
    console.log(
      `${owner.padEnd(8)} ${String(objects).padStart(3)} objects, ${String(files.length).padStart(3)} files: ${n} ${check ? 'stale' : 'written'}, ${files.length - n} unchanged`,
    );
  }
  if (changes.removed.length) console.log(`removed ${changes.removed.length} file(s) that no longer belong: ${changes.removed.join(', ')}`);
  console.log(`done in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  if (check && (changes.written.length || changes.removed.length)) {
    console.error('generate --check: the committed files are stale; run `npm run generate` and commit the result');
    return 1;
  }
  return 0;
}
