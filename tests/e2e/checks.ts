// Named checks: each records its outcome and time; the first failure stops the run with a message that
// starts with the check's name (planted faults are judged by it).

export interface CheckResult {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  ms: number;
  detail: string;
}

export class CheckFailed extends Error {
  constructor(
    readonly check: string,
    readonly reason: string,
  ) {
    super(`check "${check}" failed: ${reason}`);
  }
}

export class Checks {
  readonly results: CheckResult[] = [];
  /** After the run's own checks end, background checks still winding down are not recorded. */
  private sealed = false;
  constructor(private readonly log: (line: string) => void) {}

  /** Runs a check; its return value (a string) is the detail printed beside "ok". */
  async run<T extends string | void>(name: string, fn: () => Promise<T>, final = false): Promise<T> {
    const started = Date.now();
    try {
      const detail = await fn();
      this.record({ name, status: 'passed', ms: Date.now() - started, detail: detail ?? '' }, final);
      return detail;
    } catch (e) {
      const reason = e instanceof CheckFailed ? e.reason : e instanceof Error ? e.message : String(e);
      this.record({ name, status: 'failed', ms: Date.now() - started, detail: reason }, final);
      throw e instanceof CheckFailed ? e : new CheckFailed(name, reason);
    }
  }

  /** Starts a check now and returns its promise; failures surface when awaited (never unhandled). */
  background<T extends string | void>(name: string, fn: () => Promise<T>): Promise<T> {
    const p = this.run(name, fn);
    p.catch(() => undefined);
    return p;
  }

  skip(name: string, reason: string): void {
    this.record({ name, status: 'skipped', ms: 0, detail: reason });
  }

  seal(): void {
    this.sealed = true;
  }

  /** A check that runs after seal() (stopping the stack, scanning its logs). */
  final<T extends string | void>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.run(name, fn, true);
  }

  private record(r: CheckResult, final = false): void {
    if (this.sealed && !final) return;
    this.results.push(r);
    const mark = { passed: 'ok  ', failed: 'FAIL', skipped: 'skip' }[r.status];
    this.log(`  ${mark} ${r.name} (${(r.ms / 1000).toFixed(1)} s)${r.detail ? `: ${r.detail}` : ''}`);
  }
}

/** Throws a plain error (the enclosing check names it) unless the condition holds. */
export function expectThat(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
