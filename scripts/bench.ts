// npm run bench [-- --runs <n>] [--with-test]: medians of what the npm scripts run, against the speed
// budget. It times the command behind each npm script (npm's own start-up is not the repo's cost), after
// one warm-up run (esbuild's bundle cache). A benchmark, not a test: it reports and exits 0.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

interface Measured {
  label: string;
  seconds: number;
  runs: number;
  target: string;
  met?: boolean;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function time(root: string, command: string, runs: number, warmUp = true): number {
  // Like `npm run`: a shell, with node_modules/.bin on the PATH.
  const env = { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}` };
  const once = () => {
    const started = performance.now();
    const r = spawnSync('sh', ['-c', command], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    const seconds = (performance.now() - started) / 1000;
    if (r.status !== 0) throw new Error(`\`${command}\` exited ${r.status}:\n${r.stderr}`);
    return seconds;
  };
  if (warmUp) once();
  return median(Array.from({ length: runs }, once));
}

export function main(argv: string[], root = process.cwd()): number {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string', default: '5' }, 'with-test': { type: 'boolean', default: false } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`bench: --runs must be a positive integer, not ${values.runs}`);
    return 2;
  }
  const scripts: Record<string, string> = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
  const results: Measured[] = [];
  const add = (label: string, seconds: number, n: number, target = '', met?: boolean) => {
    results.push({ label, seconds, runs: n, target, ...(met === undefined ? {} : { met }) });
    const status = met === undefined ? '' : met ? '  ok' : '  MISSED';
    console.log(`${label.padEnd(40)} ${seconds.toFixed(3).padStart(7)} s  ${target}${status}`);
  };

  // Other work on the machine inflates every figure: say how busy it was.
  console.log(`load average ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores; medians of ${runs} runs after a warm-up\n`);
  try {
    const node = time(root, `"${process.execPath}" -e 0`, runs);
    add('node -e 0', node, runs);
    const generate = time(root, scripts.generate!, runs);
    add(scripts.generate!, generate, runs, `≤ 6× node: ${(generate / node).toFixed(1)}×`, generate / node <= 6);
    if (scripts.validate) {
      const validate = time(root, scripts.validate, runs);
      add(scripts.validate, validate, runs, '≤ 5 s', validate <= 5);
    } else {
      console.log(`${'npm run validate'.padEnd(40)}  (no validate script on this branch yet)`);
    }
    // Against HEAD: with a clean working tree nothing changed, the case a reviewer hits most.
    const diff = time(root, `${scripts.diff} --base HEAD`, runs);
    add(`${scripts.diff} --base HEAD`, diff, runs, '≤ 3 s', diff <= 3);
    if (values['with-test']) {
      const test = time(root, 'npm test', 1, false);
      add('npm test', test, 1, '≤ 30 s', test <= 30);
    }
  } catch (e) {
    console.error(`bench: ${(e as Error).message}`);
    return 1;
  }
  const missed = results.filter((r) => r.met === false);
  console.log(missed.length ? `missed: ${missed.map((r) => r.label).join(', ')}` : 'every target met');
  return 0;
}
