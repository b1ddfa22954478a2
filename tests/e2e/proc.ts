// Child processes of the e2e: each in its own process group (detached), output to a log file, stopped
// by signalling the group, never waited for without a deadline.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

export interface StopOptions {
  /** How long SIGTERM gets before SIGKILL (the 2.10.8 querier and query-frontend ignore SIGTERM). */
  graceMs: number;
}

/** Every process group started and not yet reaped: killed on exit, whatever path the run takes. */
const live = new Set<Proc>();
let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const p of live) p.signal('SIGKILL');
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      killAll();
      process.exit(130);
    });
  }
}

export class Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  exitCode: number | null | undefined;
  exitSignal: NodeJS.Signals | null = null;

  constructor(
    readonly name: string,
    readonly logFile: string,
    command: string,
    args: string[],
    env: Record<string, string | undefined> = process.env,
    cwd?: string,
  ) {
    hookExit();
    const fd = openSync(logFile, 'a');
    this.child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env, cwd });
    closeSync(fd);
    live.add(this);
    this.exited = new Promise((resolve) => {
      this.child.once('error', () => {
        this.exitCode = null;
        live.delete(this);
        resolve(null);
      });
      this.child.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        live.delete(this);
        resolve(code);
      });
    });
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.running || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, sig); // the whole group: a child of the child goes too
    } catch {
      /* already gone */
    }
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves once the process has exited. */
  async stop({ graceMs }: StopOptions): Promise<'exited' | 'killed'> {
    if (!this.running) return 'exited';
    this.signal('SIGTERM');
    if (await settlesWithin(this.exited, graceMs)) return 'exited';
    this.signal('SIGKILL');
    if (!(await settlesWithin(this.exited, 10_000))) throw new Error(`${this.name}: still running 10 s after SIGKILL`);
    return 'killed';
  }

  async kill9(): Promise<void> {
    this.signal('SIGKILL');
    if (!(await settlesWithin(this.exited, 10_000))) throw new Error(`${this.name}: still running 10 s after SIGKILL`);
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** The last lines of its log, for a failure message. */
  tail(lines = 15): string {
    return this.log().trimEnd().split('\n').slice(-lines).join('\n');
  }
}

export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const done = p.then(() => true as const);
  try {
    return await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `count` distinct free ports on 127.0.0.1: all are held open together, then released. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const s = createServer();
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, '127.0.0.1', resolve);
      });
      servers.push(s);
    }
    return servers.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** A loopback port that accepts and at once drops every connection: where names cluster DNS would not resolve point. */
export async function blackhole(port: number): Promise<Server> {
  const s = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, '127.0.0.1', resolve);
  });
  return s;
}

/** Set when a run ends early: every wait of that run gives up at once instead of running out its deadline. */
let abortedBecause: string | undefined;
export function abortWaits(reason: string): void {
  abortedBecause = reason;
}
export function resetWaits(): void {
  abortedBecause = undefined;
}
function checkAborted(): void {
  if (abortedBecause !== undefined) throw new WaitAborted(abortedBecause);
}
export class WaitAborted extends Error {}

export async function sleep(ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    checkAborted();
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, end - Date.now())));
  }
  checkAborted();
}

/**
 * Retries `attempt` until it returns a value (not undefined) or the deadline passes; then throws `what`
 * (a function when the message reports what the last attempt saw).
 */
export async function until<T>(what: string | (() => string), timeoutMs: number, attempt: () => Promise<T | undefined>, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    checkAborted();
    try {
      const v = await attempt();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) {
      const why = last instanceof Error ? `: last error: ${last.message}` : '';
      throw new Error(`${typeof what === 'function' ? what() : what} (not within ${(timeoutMs / 1000).toFixed(0)} s${why})`);
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
