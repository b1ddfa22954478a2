// One `generate` at a time per checkout: a lock directory at the root, created whole (owner inside) by one
// atomic rename. A second run waits for the first (bounded), then says who holds it; a lock whose owner
// died on this host is stale and taken over.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK = '.generate.lock';

interface Owner {
  pid: number;
  host: string;
  started: string;
}

/** The lock could not be had: another run holds it, or (`readOnly`) the checkout cannot be written. */
export class LockError extends Error {
  constructor(
    message: string,
    readonly readOnly = false,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function alive(owner: Owner): boolean {
  if (owner.host !== hostname()) return true; // another machine's process: cannot tell, so assume it runs
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(root: string): Owner | undefined {
  try {
    return JSON.parse(readFileSync(join(root, LOCK, 'owner.json'), 'utf8')) as Owner;
  } catch {
    return undefined; // released meanwhile
  }
}

/**
 * Runs `fn` holding the lock. `say` tells the user about waiting or a stale lock; `waitMs` bounds the wait
 * (TEMPO_GITOPS_LOCK_WAIT_MS overrides it).
 */
export function withLock<T>(root: string, say: (line: string) => void, fn: () => T, waitMs = Number(process.env.TEMPO_GITOPS_LOCK_WAIT_MS ?? 30_000)): T {
  const me: Owner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  const lock = join(root, LOCK);
  const deadline = Date.now() + waitMs;
  let waiting = false;
  for (;;) {
    const staged = `${lock}.${process.pid}`;
    try {
      rmSync(staged, { recursive: true, force: true });
      mkdirSync(staged);
      writeFileSync(join(staged, 'owner.json'), JSON.stringify(me));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (['EACCES', 'EPERM', 'EROFS'].includes(code)) throw new LockError(`cannot create ${LOCK} in ${root} (${code}): the checkout is read-only`, true);
      throw e;
    }
    try {
      renameSync(staged, lock); // fails while another lock directory (never empty) is there
      break;
    } catch (e) {
      rmSync(staged, { recursive: true, force: true });
      if (!['EEXIST', 'ENOTEMPTY', 'EISDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    }
    const owner = readOwner(root);
    if (owner && !alive(owner)) {
      // Renamed away first, so of two runs finding it stale only one removes it.
      const stale = `${lock}.stale-${process.pid}`;
      try {
        renameSync(lock, stale);
        rmSync(stale, { recursive: true, force: true });
        say(`removed a stale ${LOCK} of pid ${owner.pid} (started ${owner.started}), which is no longer running`);
      } catch {
        // another run took it over first
      }
      continue;
    }
    if (Date.now() > deadline) {
      const who = owner ? `pid ${owner.pid} on ${owner.host}, started ${owner.started}` : 'unknown owner';
      throw new LockError(
        `another generate is running (${who}); waited ${Math.round(waitMs / 1000)} s. Try again when it is done, or remove ${LOCK} if that process is gone`,
      );
    }
    if (!waiting && owner) say(`waiting for another generate to finish (pid ${owner.pid}) ...`);
    waiting = true;
    sleep(50);
  }
  try {
    return fn();
  } finally {
    // Renamed away first: the lock directory is never seen empty, so never replaced mid-removal.
    if (readOwner(root)?.pid === process.pid) {
      renameSync(lock, `${lock}.released-${process.pid}`);
      rmSync(`${lock}.released-${process.pid}`, { recursive: true, force: true });
    }
  }
}
