// generate writes all or nothing, one run at a time, and an unexpected error is one line and a hint:
// proved with a real read-only directory, a fault injected mid-write (thrown, and a real SIGKILL),
// three concurrent runs, stale and live locks, and the CLI's output.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, lstatSync, mkdirSync, readdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
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
function edited(): Sandbox {
  box = sandbox();
  box.write(PROD, `${box.read(PROD)}components:\n  querier:\n    replicas: 4\n`);
  return box;
}
/** Files generate leaves behind when it does not finish cleanly. Dirents: a plain recursive listing
 * would follow the node_modules symlink of a CLI sandbox into 3 s of directories. */
const leftovers = (b: Sandbox) =>
  readdirSync(b.dir, { recursive: true, withFileTypes: true })
    .map((d) => relative(b.dir, join(d.parentPath, d.name)))
    .filter((f) => !f.startsWith('node_modules') && /\.generate-(tmp|backup)$|^\.generate/.test(f));
const inputsAndOutputs = (b: Sandbox) => {
  const s = b.snapshot();
  for (const k of [...s.keys()]) if (/^(generators|scripts|policies|tests|node_modules)\//.test(k)) s.delete(k);
  return JSON.stringify([...s]);
};
interface Exit {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}
/** `node scripts/run.mjs generate` in a sandbox with the sources (the runner takes its root from where it lives). */
function runCli(b: Sandbox, args: string[], env: Record<string, string> = {}, uid?: number, killAfterMs?: number): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(b.dir, 'scripts/run.mjs'), 'generate', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
      ...(uid === undefined ? {} : { uid, gid: uid }),
    });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // A run that would block (reading a FIFO) is killed after `killAfterMs`.
    const timer = killAfterMs ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : undefined;
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}
/**
 * A sandbox of its own with the sources, for the tests that run processes concurrently. All the sources
 * scripts/run.mjs hashes (tests/e2e and tests/helpers too): the runner then finds the checkout's bundle in
 * the shared node_modules/.cache instead of bundling a variant and removing the checkout's.
 */
function cliSandbox(cache: 'shared' | 'read-only' = 'shared'): Sandbox {
  const b = sandbox();
  b.write(PROD, `${b.read(PROD)}components:\n  querier:\n    replicas: 4\n`);
  for (const d of ['generators', 'scripts', 'policies', 'tests/e2e', 'tests/helpers', 'package.json', 'package-lock.json'])
    cpSync(join(ROOT, d), join(b.dir, d), { recursive: true });
  if (cache === 'shared') symlinkSync(join(ROOT, 'node_modules'), join(b.dir, 'node_modules'));
  else {
    // The packages, and a .cache nobody may write (no bundle, no compiled validators in it).
    mkdirSync(join(b.dir, 'node_modules/.cache'), { recursive: true });
    for (const p of readdirSync(join(ROOT, 'node_modules'))) if (p !== '.cache') symlinkSync(join(ROOT, 'node_modules', p), join(b.dir, 'node_modules', p));
  }
  return b;
}

describe('generate writes all or nothing', () => {
  /** Runs generate with `readOnly` (a directory of the sandbox) not writable; root ignores permissions, so it runs as nobody. */
  function withReadOnly(b: Sandbox, readOnly: string, argv: string[] = [], mode = 0o555) {
    const asRoot = process.geteuid?.() === 0;
    if (asRoot) spawnSync('chmod', ['-R', 'a+rwX', b.dir]);
    chmodSync(join(b.dir, readOnly), mode);
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

  it('a directory it may not list or search: a problem naming it, not an unexpected error', () => {
    const b = edited();
    b.write('overlays/qa/environment.yaml', b.read(PROD));
    const before = b.snapshot();
    for (const [dir, mode, problems] of [
      ['overlays/qa', 0o000, ['overlays/qa/environment.yaml: cannot be read (permission denied)', 'overlays/qa: cannot be listed (permission denied)']],
      ['overlays/qa', 0o311, ['overlays/qa: cannot be listed (permission denied)']],
      ['overlays', 0o000, ['overlays: cannot be listed (permission denied)']],
    ] as const) {
      const r = withReadOnly(b, dir, [], mode);
      expect(r.code, `${dir} ${mode.toString(8)}`).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^generate: ${problems.length} problem\\(s\\); nothing was written:`));
      for (const p of problems) expect(r.stderr).toContain(p);
      expect(r.stderr).not.toContain('unexpected error');
    }
    expect(b.snapshot()).toEqual(before);
  });

  it('a journal that is not one (garbage, no entries): what to do, not an unexpected error; nothing written', () => {
    const b = edited();
    for (const journal of ['garbage{\n', '{"x":1}\n']) {
      b.write('.generate-journal.json', journal);
      const before = b.snapshot();
      const r = runMain(main, [], b.dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /^generate: 1 problem\(s\); nothing was written:\n {2}\.generate-journal\.json: is not a journal generate wrote \(.*\); an interrupted run left it: put back the generated files by hand/,
      );
      expect(b.snapshot()).toEqual(before);
    }
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
});

describe('one generate at a time', () => {
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

// These run processes: concurrently, each in a sandbox of its own.
describe.concurrent('processes: killed mid-write, three at once, an unexpected error', () => {
  it('a process killed mid-write: the next run restores what it half-wrote, then writes', async ({ expect }) => {
    const b = cliSandbox();
    try {
      const before = inputsAndOutputs(b);
      const killed = await runCli(b, [], { TEMPO_GITOPS_FAULT: 'kill:2' });
      expect(killed.signal).toBe('SIGKILL');
      expect(inputsAndOutputs(b), 'two of three files were replaced').not.toBe(before);
      expect(leftovers(b)).toContain('.generate-journal.json');
      const next = runMain(main, [], b.dir);
      expect(next.code, next.stderr).toBe(0);
      expect(next.stderr).toMatch(/removed a stale \.generate\.lock of pid \d+/);
      expect(next.stderr).toMatch(/an earlier run was interrupted mid-write; restored the 3 file\(s\) it had changed/);
      expect(leftovers(b)).toEqual([]);
      expect(runMain(main, ['--check'], b.dir).code).toBe(0);
    } finally {
      b.remove();
    }
  });

  it('three concurrent runs all succeed, one after the other, and leave a consistent tree', async ({ expect }) => {
    const b = cliSandbox();
    try {
      // A slow disk (0.3 s before the first rename) makes the runs overlap whatever the timing.
      const runs = await Promise.all([0, 1, 2].map(() => runCli(b, [], { TEMPO_GITOPS_FAULT: 'sleep:0:300' })));
      for (const r of runs) expect(r.status, r.stderr).toBe(0);
      // Serialized, the first run writes the 3 changed files and the others find nothing left to write.
      const written = runs.flatMap((r) => [...r.stdout.matchAll(/: (\d+) written/g)].map((m) => Number(m[1])));
      expect(written.reduce((a, n) => a + n, 0)).toBe(3);
      expect(leftovers(b)).toEqual([]);
      expect(runMain(main, ['--check'], b.dir).code).toBe(0);
    } finally {
      b.remove();
    }
  });

  it('a node_modules it may not write (a read-only checkout): --check bundles aside, checks, and leaves nothing', async ({ expect }) => {
    const b = cliSandbox('read-only');
    try {
      mkdirSync(join(b.dir, 'tmp'));
      // root ignores permissions: the run is nobody's, in a tree nobody may read.
      const nobody = process.geteuid?.() === 0 ? 65534 : undefined;
      if (nobody !== undefined) spawnSync('chmod', ['-R', 'a+rwX', b.dir]);
      chmodSync(join(b.dir, 'node_modules/.cache'), 0o555);
      const r = await runCli(b, ['--check'], { TMPDIR: join(b.dir, 'tmp') }, nobody);
      expect(r.stderr).toContain('generate --check: the committed files are stale'); // prod's 4 queriers are not generated
      expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
      expect(r.status).toBe(1);
      expect(readdirSync(join(b.dir, 'node_modules/.cache'))).toEqual([]);
      expect(readdirSync(join(b.dir, 'tmp')), 'the bundle made for the run is removed').toEqual([]);
    } finally {
      chmodSync(join(b.dir, 'node_modules/.cache'), 0o755);
      b.remove();
    }
  });

  it('a generated file that is a FIFO or a link to /dev/zero is replaced, never read; a managed README that is one is refused', async ({ expect }) => {
    const b = cliSandbox();
    try {
      const [fifo, zero] = ['overlays/prod/tempo.yaml', 'overlays/prod/overrides.yaml'];
      for (const f of [fifo, zero]) unlinkSync(join(b.dir, f));
      execFileSync('mkfifo', [join(b.dir, fifo)]);
      symlinkSync('/dev/zero', join(b.dir, zero));
      const check = await runCli(b, ['--check'], {}, undefined, 20_000);
      expect(check.signal, 'it blocked').toBeNull();
      expect(check.stderr).toContain('the committed files are stale');
      const run = await runCli(b, []);
      expect(run.status, run.stderr).toBe(0);
      for (const f of [fifo, zero]) expect(lstatSync(join(b.dir, f)).isFile(), f).toBe(true);
      unlinkSync(join(b.dir, 'README.md'));
      execFileSync('mkfifo', [join(b.dir, 'README.md')]);
      const readme = await runCli(b, [], {}, undefined, 20_000);
      expect(readme.signal, 'it blocked').toBeNull();
      expect(readme.stderr).toContain('README.md: is a named pipe (FIFO); expected a regular file');
      expect(readme.status).toBe(1);
    } finally {
      b.remove();
    }
  });

  it('an unexpected error: one line naming the source file and a hint; --debug or TEMPO_GITOPS_DEBUG=1: the stack with .ts lines', async ({ expect }) => {
    const b = cliSandbox();
    try {
      const fault = { TEMPO_GITOPS_FAULT: 'throw:0' };
      // The plain run alone: beside another, it could also print that it waits for the lock.
      const plain = await runCli(b, [], fault);
      const [flag, variable] = await Promise.all([runCli(b, ['--debug'], fault), runCli(b, [], { ...fault, TEMPO_GITOPS_DEBUG: '1' })]);
      expect(plain.status).toBe(70);
      const lines = plain.stderr.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^generate: unexpected error in generators\/write\.ts:\d+: injected fault after 0 file\(s\)/);
      expect(lines[1]).toContain('This is a bug in tempo-gitops, not in your input: please report it with the output of `npm run generate -- --debug`');
      for (const r of [flag, variable]) {
        expect(r.status).toBe(70);
        expect(r.stderr).toMatch(/^Error: injected fault after 0 file\(s\)/m);
        expect(r.stderr).toMatch(/\n {4}at injectFault \(\S*generators\/write\.ts:\d+:\d+\)/);
        expect(r.stderr).toMatch(/\n {4}at \S+ \(\S*scripts\/generate\.ts:\d+:\d+\)/);
        expect(r.stderr).not.toMatch(/generate-[0-9a-f]+\.mjs/);
      }
      expect(leftovers(b)).toEqual([]);
    } finally {
      b.remove();
    }
  });
});
