// One sandbox for many refusal cases: each prepares it, runs a script's main, and puts it back; the
// tree must be byte-identical afterwards (nothing written).
import { afterAll, expect } from 'vitest';
import { runMain } from './run';
import { type Sandbox, sandbox } from './sandbox';

const PROD = 'overlays/prod/environment.yaml';

export function sharedSandbox(main: (argv: string[], root: string) => number) {
  let shared: Sandbox | undefined;
  afterAll(() => shared?.remove());
  const box = () => (shared ??= sandbox());
  /** Runs main after `prepare` changed the sandbox; `undo` puts it back. Nothing may have changed. */
  function generateAfter(prepare: (b: Sandbox) => void, undo: (b: Sandbox) => void) {
    const b = box();
    const before = JSON.stringify([...b.snapshot()]);
    prepare(b);
    try {
      const started = performance.now();
      const r = runMain(main, [], b.dir);
      return { ...r, ms: performance.now() - started };
    } finally {
      undo(b);
      expect(JSON.stringify([...b.snapshot()]), 'the tree changed').toBe(before);
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
