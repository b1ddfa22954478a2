// Runs a script's exported main(argv, root) in-process, as its npm script would, capturing its output.
import { vi } from 'vitest';
import { ROOT } from './kustomize';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function runMain(main: (argv: string[], root: string) => number, argv: string[], root = ROOT): Run {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    return { code: main(argv, root), stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
