// npm run bench [-- --runs <n>] [--with-test]: medians of what the npm scripts run, against the speed
// budget. It times the command behind each npm script (npm's own start-up is not the repo's cost), after
// one warm-up run (esbuild's bundle cache). Targets are judged on wall-clock time; the CPU time next to
// it (Linux) barely moves when other work shares the machine, so it tells a slow command from a busy
// machine. A benchmark, not a test: it reports and exits 0.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

interface Timing {
  wall: number;
  /** user + system seconds of the command and its children; undefined where /proc is missing. */
  cpu?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on
/** CPU seconds of this process's finished children (cutime + cstime in /proc/self/stat). */
function childrenCpu(): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const fields = readFileSync('/proc/self/stat', 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND; // fields 16 and 17 of stat(5)
}

function time(root: string, command: string, runs: number, warmUp = true): Timing {
  // Like `npm run`: a shell, with node_modules/.bin on the PATH.
  const env = { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}` };
  const once = (): Timing => {
    const cpu = childrenCpu();
    const started = performance.now();
    const r = spawnSync('sh', ['-c', command], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    const wall = (performance.now() - started) / 1000;
    if (r.status !== 0) throw new Error(`\`${command}\` exited ${r.status}:\n${r.stderr}`);
    const after = childrenCpu();
    return { wall, ...(cpu === undefined || after === undefined ? {} : { cpu: after - cpu }) };
  };
  if (warmUp) once();
  const all = Array.from({ length: runs }, once);
  const cpus = all.map((t) => t.cpu).filter((c): c is number => c !== undefined);
  return { wall: median(all.map((t) => t.wall)), ...(cpus.length ? { cpu: median(cpus) } : {}) };
}

const seconds = (s: number | undefined) => (s === undefined ? '' : `${s.toFixed(2)} s`);

export function main(argv: string[], root = process.cwd()): number {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string', default: '7' }, 'with-test': { type: 'boolean', default: false } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`bench: --runs must be a positive integer, not ${values.runs}`);
    return 2;
  }
  const scripts: Record<string, string> = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
  const missed: string[] = [];
  const row = (label: string, t: Timing | undefined, target = '', met?: boolean) => {
    if (met === false) missed.push(label);
    const status = met === undefined ? '' : met ? 'ok' : 'MISSED';
    console.log(`${label.padEnd(38)} ${seconds(t?.wall).padStart(8)} ${seconds(t?.cpu).padStart(8)}  ${target.padEnd(30)} ${status}`);
  };

  // Other work on the machine inflates wall-clock figures: say how busy it was.
  console.log(`load average ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores; medians of ${runs} runs after a warm-up\n`);
  console.log(`${'command'.padEnd(38)} ${'wall'.padStart(8)} ${'cpu'.padStart(8)}  target`);
  try {
    const node = time(root, `"${process.execPath}" -e 0`, runs);
    row('node -e 0', node);
    const generate = time(root, scripts.generate!, runs);
    const ratio = generate.wall / node.wall;
    const cpuRatio = generate.cpu && node.cpu ? `, cpu ${(generate.cpu / node.cpu).toFixed(1)}×` : '';
    row(scripts.generate!, generate, `≤ 6× node: ${ratio.toFixed(1)}×${cpuRatio}`, ratio <= 6);
    if (scripts.validate) {
      const validate = time(root, scripts.validate, runs);
      row(scripts.validate, validate, '≤ 5 s', validate.wall <= 5);
    } else {
      row('npm run validate', undefined, '(no such script on this branch yet)');
    }
    // Against HEAD: with a clean working tree nothing changed, the case a reviewer hits most.
    const diff = time(root, `${scripts.diff} --base HEAD`, runs);
    row(`${scripts.diff} --base HEAD`, diff, '≤ 3 s', diff.wall <= 3);
    if (values['with-test']) {
      const test = time(root, 'npm test', 1, false);
      row('npm test (once)', test, '≤ 30 s', test.wall <= 30);
    }
  } catch (e) {
    console.error(`bench: ${(e as Error).message}`);
    return 1;
  }
  console.log(missed.length ? `\nmissed: ${missed.join(', ')}` : '\nevery target met');
  return 0;
}
