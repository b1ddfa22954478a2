// generate writes all or nothing, one run at a time, and an unexpected error is one line and a hint:
// proved with a real read-only directory, a fault injected mid-write (thrown, and a real SIGKILL),
// three concurrent runs, stale and live locks, and the CLI's output.
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../scripts/generate';
import { ROOT } from './helpers/root';
import { runMain } from './helpers/run';
import { type Sandbox, sandbox } from './helpers/sandbox';

const PROD = 'overlays/prod/environment.yaml';
let box: Sandbox | undefined;
afterEach(() => {
  box?.remove();
  box = undefined;
  delete process.env.TEMPO_GITOPS_FAULT;
});

/** A sandbox where prod asks for 4 queriers: generate would rewrite README.md and two files of overlays/prod. */
function edited(cli = false): Sandbox {
  box = sandbox();
  box.write(PROD, `${box.read(PROD)}components:\n  querier:\n    replicas: 4\n`);
  if (cli) {
    // The runner takes its root from where it lives: a copy of the sources, node_modules shared.
    for (const d of ['generators', 'scripts', 'policies', 'package.json', 'package-lock.json']) cpSync(join(ROOT, d), join(box.dir, d), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(box.dir, 'node_modules'));
  }
  return box;
}
/** Files generate leaves behind when it does not finish cleanly. */
const leftovers = (b: Sandbox) =>
  readdirSync(b.dir, { recursive: true, encoding: 'utf8' }).filter((f) => !f.startsWith('node_modules') && /\.generate-(tmp|backup)$|^\.generate/.test(f));
const inputsAndOutputs = (b: Sandbox) => {
  const s = b.snapshot();
  for (const k of [...s.keys()]) if (/^(generators|scripts|policies|node_modules)\//.test(k)) s.delete(k);
  return JSON.stringify([...s]);
};
const runCli = (b: Sandbox, args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> =>
  spawnSync(process.execPath, [join(b.dir, 'scripts/run.mjs'), 'generate', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });

describe('generate writes all or nothing', () => {
  /** Runs generate with `readOnly` (a directory of the sandbox) not writable; root ignores permissions, so it runs as nobody. */
  function withReadOnly(b: Sandbox, readOnly: string, argv: string[] = []) {
    const asRoot = process.geteuid?.() === 0;
    if (asRoot) spawnSync('chmod', ['-R', 'a+rwX', b.dir]);
    chmodSync(join(b.dir, readOnly), 0o555);
    if (asRoot) process.seteuid?.(65534); // the effective uid only: restored below
    try {
      return runMain(main, argv, b.dir);
    } finally {
      if (asRoot) process.seteuid?.(0);
      chmodSync(join(b.dir, readOnly), 0o755);
    }
  }

  it('a read-only overlay directory: a clear message, and every file as it was', () => {
    const b = edited();
    const before = b.snapshot();
    const r = withReadOnly(b, 'overlays/prod');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^generate: cannot write overlays\/prod\/\S+ \(EACCES: permission denied\); nothing was changed: every file is as it was$/);
    expect(b.snapshot()).toEqual(before);
    expect(leftovers(b)).toEqual([]);
  });

  it('a read-only checkout: generate says so, --check still checks', () => {
    const b = edited();
    const before = b.snapshot();
    const r = withReadOnly(b, '.');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^generate: cannot create \.generate\.lock in \S+ \(EACCES\): the checkout is read-only$/);
    const check = withReadOnly(b, '.', ['--check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('the committed files are stale');
    expect(b.snapshot()).toEqual(before);
  });

  it('a fault thrown mid-write: the files already replaced are put back', () => {
    const b = edited();
    const before = b.snapshot();
    process.env.TEMPO_GITOPS_FAULT = 'throw:2';
    expect(() => runMain(main, [], b.dir)).toThrow(/injected fault after 2 file\(s\)/);
    expect(b.snapshot()).toEqual(before);
    expect(leftovers(b)).toEqual([]);
    delete process.env.TEMPO_GITOPS_FAULT;
    expect(runMain(main, [], b.dir).code).toBe(0);
    expect(b.read('overlays/prod/patches/querier-deployment.yaml')).toContain('value: 4');
  });

  it('a process killed mid-write: the next run restores what it half-wrote, then writes', () => {
    const b = edited(true);
    const before = inputsAndOutputs(b);
    const killed = runCli(b, [], { TEMPO_GITOPS_FAULT: 'kill:2' });
    expect(killed.signal).toBe('SIGKILL');
    expect(inputsAndOutputs(b), 'two of three files were replaced').not.toBe(before);
    expect(leftovers(b)).toContain('.generate-journal.json');
    const next = runMain(main, [], b.dir);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/removed a stale \.generate\.lock of pid \d+/);
    expect(next.stderr).toMatch(/an earlier run was interrupted mid-write; restored the 3 file\(s\) it had changed/);
    expect(leftovers(b)).toEqual([]);
    expect(runMain(main, ['--check'], b.dir).code).toBe(0);
  });
});

describe('one generate at a time', () => {
  it('three concurrent runs all succeed, one after the other, and leave a consistent tree', async () => {
    const b = edited(true);
    const runs = await Promise.all(
      [0, 1, 2].map(
        () =>
          new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
            // A slow disk (0.3 s before the first rename) makes the runs overlap whatever the timing.
            const env = { ...process.env, TEMPO_GITOPS_FAULT: 'sleep:0:300' };
            const child = spawn(process.execPath, [join(b.dir, 'scripts/run.mjs'), 'generate'], { stdio: ['ignore', 'pipe', 'pipe'], env });
            let [stdout, stderr] = ['', ''];
            child.stdout.on('data', (d) => (stdout += d));
            child.stderr.on('data', (d) => (stderr += d));
            child.on('close', (code) => resolve({ code, stdout, stderr }));
          }),
      ),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    // Serialized, the first run writes the 3 changed files and the others find nothing left to write.
    const written = runs.flatMap((r) => [...r.stdout.matchAll(/: (\d+) written/g)].map((m) => Number(m[1])));
    expect(written.reduce((a, n) => a + n, 0)).toBe(3);
    expect(leftovers(b)).toEqual([]);
    expect(runMain(main, ['--check'], b.dir).code).toBe(0);
  });

  const lockedBy = (b: Sandbox, pid: number) => {
    mkdirSync(join(b.dir, '.generate.lock'));
    writeFileSync(join(b.dir, '.generate.lock/owner.json'), JSON.stringify({ pid, host: hostname(), started: '2026-01-01T00:00:00Z' }));
  };

  it('a lock whose owner is gone is taken over (stale-lock recovery)', () => {
    const b = edited();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    lockedBy(b, dead);
    const r = runMain(main, [], b.dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`removed a stale .generate.lock of pid ${dead}`);
    expect(leftovers(b)).toEqual([]);
  });

  it('a lock held by a running process: a clear message after a bounded wait', () => {
    const b = edited();
    const before = b.snapshot();
    lockedBy(b, process.ppid);
    process.env.TEMPO_GITOPS_LOCK_WAIT_MS = '300';
    try {
      const r = runMain(main, [], b.dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `generate: another generate is running \\(pid ${process.ppid} on .*\\); waited 0 s\\. Try again when it is done, or remove \\.generate\\.lock if that process is gone`,
        ),
      );
    } finally {
      delete process.env.TEMPO_GITOPS_LOCK_WAIT_MS;
    }
    const after = b.snapshot();
    after.delete('.generate.lock/owner.json');
    expect(after).toEqual(before);
  });
});

describe('an unexpected error', () => {
  it('prints one line naming the source file and a hint, not a stack', () => {
    const b = edited(true);
    const r = runCli(b, [], { TEMPO_GITOPS_FAULT: 'throw:0' });
    expect(r.status).toBe(70);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^generate: unexpected error in generators\/write\.ts:\d+: injected fault after 0 file\(s\)/);
    expect(lines[1]).toContain('This is a bug in tempo-gitops, not in your input: please report it with the output of `npm run generate -- --debug`');
  });

  it('with --debug (or TEMPO_GITOPS_DEBUG=1) prints its stack with the .ts lines', () => {
    const b = edited(true);
    for (const [args, env] of [
      [['--debug'], {}],
      [[], { TEMPO_GITOPS_DEBUG: '1' }],
    ] as const) {
      const r = runCli(b, [...args], { TEMPO_GITOPS_FAULT: 'throw:0', ...env });
      expect(r.status).toBe(70);
      expect(r.stderr).toMatch(/^Error: injected fault after 0 file\(s\)/);
      expect(r.stderr).toMatch(/\n {4}at injectFault \(\S*generators\/write\.ts:\d+:\d+\)/);
      expect(r.stderr).toMatch(/\n {4}at \S+ \(\S*scripts\/generate\.ts:\d+:\d+\)/);
      expect(r.stderr).not.toMatch(/generate-[0-9a-f]+\.mjs/);
    }
    expect(statSync(join(b.dir, PROD)).isFile()).toBe(true);
  });
});
