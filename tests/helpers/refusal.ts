// One sandbox for many refusal cases: each prepares it, runs a script's main, and puts it back; the
// tree must be byte-identical afterwards (nothing written).
import { afterAll, expect } from 'vitest';
import { runMain } from './run';
import { type Sandbox, changedFiles, sandbox } from './sandbox';

const PROD = 'overlays/prod/environment.yaml';

export function sharedSandbox(main: (argv: string[], root: string) => number) {
  let shared: Sandbox | undefined;
  /** The tree every case starts from and must leave: each case puts it back, so it is read once. */
  let pristine: Map<string, string> | undefined;
  afterAll(() => shared?.remove());
  const box = () => (shared ??= sandbox());
  /** Runs main after `prepare` changed the sandbox; `undo` puts it back. Nothing may have changed. */
  function generateAfter(prepare: (b: Sandbox) => void, undo: (b: Sandbox) => void) {
    const b = box();
    pristine ??= b.snapshot();
    const before = pristine;
    prepare(b);
    try {
      const started = performance.now();
      const cpu = process.cpuUsage();
      const r = runMain(main, [], b.dir);
      const used = process.cpuUsage(cpu);
      // ms: wall time (a blocking read takes no CPU); cpuMs: this process's CPU, which other work on a
      // busy machine barely moves, for the assertions about how much work a run does.
      return { ...r, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
    } finally {
      undo(b);
      const after = b.snapshot();
      // A changed tree is reported once: the next case starts from what this one left.
      pristine = after;
      expect(changedFiles(before, after), 'the tree changed').toEqual([]);
    }
  }
  /** Runs main with `file` (prod's environment) edited. */
  function generateWith(edit: (yaml: string) => string, file = PROD) {
    const original = box().read(file);
    return generateAfter(
      (b) => b.write(file, edit(original)),
      (b) => b.write(file, original),
    );
  }
  return { box, generateAfter, generateWith };
}
