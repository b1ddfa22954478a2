// npm run generate [-- --check]: render every environment, validate, then write (or, with --check,
// only report what is stale). On any error nothing is written and the exit code is 1. One run at a time
// (scripts/lib/lock.ts); what an interrupted run half-wrote is restored first (generators/write.ts).
import { performance } from 'node:perf_hooks';
import { yamlMemo } from '../generators/files';
import { InputError } from '../generators/validation/messages';
import { compareFiles, recoverInterrupted, WriteError, writeFiles } from '../generators/write';
import { GENERATED_DIRS, type RenderedRepository, renderRepository } from '../generators/repository';
import { printProblems } from './cli';
import { LockError, withLock } from './lib/lock';

export function main(argv: string[], root = process.cwd()): number {
  try {
    return withLock(
      root,
      (line) => console.error(`generate: ${line}`),
      () => run(argv, root),
    );
  } catch (e) {
    if (!(e instanceof LockError)) throw e;
    // --check writes nothing: a read-only checkout may still be checked.
    if (e.readOnly && argv.includes('--check')) return run(argv, root);
    console.error(`generate: ${e.message}`);
    return 1;
  }
}

function run(argv: string[], root: string): number {
  const started = performance.now();
  const check = argv.includes('--check');
  let rendered: RenderedRepository;
  try {
    const restored = recoverInterrupted(root);
    if (restored.length) console.error(`generate: an earlier run was interrupted mid-write; restored the ${restored.length} file(s) it had changed`);
    rendered = renderRepository(root);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    printProblems('generate', e.problems, '; nothing was written');
    return 1;
  }
  let changes: ReturnType<typeof compareFiles>;
  try {
    changes = (check ? compareFiles : writeFiles)(root, rendered.files, GENERATED_DIRS);
  } catch (e) {
    if (!(e instanceof WriteError)) throw e;
    console.error(
      `generate: cannot write ${e.path} (${e.error.message.split(',')[0]}); ${e.restored ? 'nothing was changed: every file is as it was' : 'some files could not be restored: run generate again once it can write'}`,
    );
    return 1;
  }
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
