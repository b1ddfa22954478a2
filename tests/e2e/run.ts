// One e2e run against one rendered environment: plan the loopback stack, start it, run its checks (Tempo 2:
// tempo2.ts; Tempo 3: tempo3.ts), stop everything, scan the logs for panics, clean up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyAlertFaultTimings } from './alert-faults';
import type { Binaries } from './binaries';
import { CheckFailed, Checks, expectThat, type CheckResult } from './checks';
import { DualRunScenario, isDualRun, splitDualRun } from './dual-run';
import type { E2EOptions } from './context';
import { fault } from './faults';
import { checkLoopbackListeners } from './listeners';
import { planStack } from './plan';
import { abortWaits, freePorts, resetWaits } from './proc';
import { closeClients } from './push';
import { readRendered } from './rendered';
import { STOP_GRACE_MS, Stack } from './stack';
import { Tempo2Scenario } from './tempo2';
import { Tempo3Scenario, VULTURE_PACING_3, isTempo3 } from './tempo3';
import { prepareTls } from './tls';

export type { E2EOptions } from './context';

export interface E2EResult {
  env: string;
  ok: boolean;
  failure?: CheckFailed;
  results: CheckResult[];
  wallMs: number;
  notes: string[];
  dir: string;
}

// Vulture's pace, compressed to fit a minute: a trace is checked once its last write is a long-write
// backoff old, by then past trace_idle_period + flush_check_period (15 s), so searchable in the ingesters.
const VULTURE_PACING = [
  '-tempo-write-backoff-duration=5s',
  '-tempo-long-write-backoff-duration=16s',
  '-tempo-read-backoff-duration=1s',
  '-tempo-search-backoff-duration=3s',
];

export async function runE2E(opts: E2EOptions, bin: Binaries): Promise<E2EResult> {
  const started = Date.now();
  const rendered = readRendered(opts.root, opts.env);
  // A dual run (migration.tempo3): the overlay holds two stacks; `env` is the 2.10 one, dual-run.ts runs both.
  const dual = isDualRun(opts.root, opts.env) ? splitDualRun(opts.root, rendered) : undefined;
  const env = dual?.tempo2 ?? rendered;
  const notes: string[] = [];
  if (opts.plant) {
    const f = fault(opts.plant);
    if (f.inTempo3 && !dual) throw new Error(`--plant ${f.name}: it is planted in a dual run's Tempo 3 stack (--scenario dual-run)`);
    f.plant(f.inTempo3 && dual ? dual.tempo3 : env);
    notes.push(`planted fault ${f.name}: ${f.description}`);
  }
  if (opts.alertFaults && isTempo3(env))
    notes.push('--alert-faults on Tempo 3: a tenant over its limit and remote write down (no ingester, no ring timing changed)');
  else if (opts.alertFaults) notes.push(...applyAlertFaultTimings(env.tempo));
  const dir = mkdtempSync(join(tmpdir(), `tempo-e2e-${env.name}-`));
  const ports = await freePorts(160);
  let next = 0;
  const port = () => {
    const p = ports[next++];
    if (p === undefined) throw new Error('the plan needs more than 160 ports');
    return p;
  };
  const plan = planStack(env, port, dual ? join(dir, 'tempo2') : dir);
  const bucketName: string = env.tempo.storage?.trace?.s3?.bucket;
  if (env.tempo.storage?.trace?.backend !== 's3' || !bucketName)
    throw new Error(`${env.name}: the e2e runs the S3 backend; the rendered config has ${env.tempo.storage?.trace?.backend}`);
  // Tempo 3 (tests/e2e/tempo3.ts): its own binaries and the Kafka fake, or a printed skip where there is none.
  const t3 = isTempo3(env) ? bin.tempo3 : undefined;
  if (t3 && 'missing' in t3) {
    opts.log(`  skip ${env.name}: Tempo 3 environment, and no Tempo 3.0.3 with the Kafka fake: ${t3.missing}`);
    rmSync(dir, { recursive: true, force: true });
    return { env: env.name, ok: true, results: [], wallMs: Date.now() - started, notes: [`skipped: ${t3.missing}`], dir };
  }
  const stack = t3
    ? new Stack(plan, { ...bin, tempo: t3.tempo, vulture: t3.vulture }, bucketName, VULTURE_PACING_3)
    : new Stack(plan, bin, bucketName, VULTURE_PACING);
  const checks = new Checks(opts.log);
  const stacks = [stack];
  let failure: CheckFailed | undefined;
  try {
    if (dual) {
      const t3bin = bin.tempo3 && !('missing' in bin.tempo3) ? bin.tempo3 : undefined;
      expectThat(t3bin, `a dual run needs Tempo 3.0.3 with the Kafka fake: ${bin.tempo3 && 'missing' in bin.tempo3 ? bin.tempo3.missing : 'not found'}`);
      const plan3 = { ...planStack(dual.tempo3, port, join(dir, 'tempo3')), s3Port: plan.s3Port, s3CaFile: plan.s3CaFile, prometheusPort: plan.prometheusPort };
      const stack3 = new Stack(plan3, { ...bin, tempo: t3bin.tempo, vulture: t3bin.vulture }, bucketName, VULTURE_PACING_3);
      stacks.push(stack3);
      const sides = [
        { label: `Tempo 2.10 (${plan.namespace})`, plan, stack },
        { label: `Tempo 3.0 (${plan3.namespace})`, plan: plan3, stack: stack3 },
      ] as const;
      await new DualRunScenario(opts.root, sides[0], sides[1], checks, t3bin, opts.vultureSeconds, opts.log).run();
    } else if (t3) await new Tempo3Scenario(env, plan, stack, checks, t3, opts.vultureSeconds, opts.log, opts.alertFaults).run();
    else await new Tempo2Scenario(env, plan, stack, checks, opts, notes, prepareTls(plan)).run();
    // Once every process of the run is up (the compactor, vulture and the restarted ones included).
    const running = stacks.flatMap((s) => s.allProcs()).map((p) => ({ name: p.name, pid: p.running ? p.child.pid : undefined }));
    await checks.run('nothing listens outside 127.0.0.1', async () => checkLoopbackListeners(running));
  } catch (e) {
    if (!(e instanceof CheckFailed)) throw e;
    failure = e;
  } finally {
    checks.seal();
    abortWaits(failure ? `the run failed at "${failure.check}"` : 'the run ended');
    closeClients();
    await checks
      .final('every process stopped', async () => {
        const stopped = Date.now();
        // Two stacks have the same pod names: each is named with its namespace then.
        const named = async (s: Stack) => [...(await s.stopAll())].map(([id, h]) => [stacks.length > 1 ? `${s.plan.namespace}/${id}` : id, h] as const);
        const how = new Map((await Promise.all(stacks.map(named))).flat());
        const killed = [...how.entries()].filter(([, h]) => h === 'killed').map(([id]) => id);
        return `${how.size} processes in ${((Date.now() - stopped) / 1000).toFixed(1)} s; SIGKILL after ${STOP_GRACE_MS / 1000} s of SIGTERM: ${killed.join(', ') || 'none'}`;
      })
      .catch((e) => (failure ??= e));
    resetWaits();
    const panics = stacks
      .flatMap((s) => s.allProcs())
      .flatMap((p) =>
        p
          .log()
          .split('\n')
          .filter((l) => /\bpanic\b|goroutine \d+ \[running\]/i.test(l))
          .map((l) => `${p.name}: ${l.slice(0, 200)}`),
      );
    const panicCheck = checks.final('no panic in any log', async () => {
      expectThat(panics.length === 0, `${panics.length} log lines show a panic:\n    ${panics.slice(0, 5).join('\n    ')}`);
      return `${stacks.reduce((n, s) => n + s.allProcs().length, 0)} logs scanned`;
    });
    await panicCheck.catch((e) => (failure ??= e));
    if (!opts.keep && !failure) rmSync(dir, { recursive: true, force: true });
    else notes.push(`run directory kept: ${dir} (logs under logs/)`);
  }
  return { env: env.name, ok: !failure, failure, results: checks.results, wallMs: Date.now() - started, notes, dir };
}
