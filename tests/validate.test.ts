// `npm run validate`: every overlay, as kustomize builds it, against the strict schemas and the Tempo rules.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadEnvironment } from '../generators/environment/load';
import { environmentNames } from '../generators/repository';
import { KubernetesValidator } from '../generators/kubernetes/validate';
import { main, overlayTarget, validateTarget } from '../scripts/validate';
import { ROOT, kustomize, kustomizeOnce } from './helpers/kustomize';
import { sandbox, type Sandbox } from './helpers/sandbox';

let box: Sandbox | undefined;
afterEach(() => {
  box?.remove();
  box = undefined;
  vi.restoreAllMocks();
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  return { out, err };
}

describe('npm run validate', () => {
  it('passes the committed tree: one line per overlay (and argocd/), no errors', async () => {
    const { out, err } = capture();
    // The builds of the committed tree are the ones tests/setup made of it.
    expect(await main([], ROOT, kustomizeOnce())).toBe(0);
    const dirs = [...environmentNames(ROOT).map((e) => `overlays/${e}`), 'argocd'];
    expect(out.slice(0, dirs.length).map((l) => l.replace(/\s+/g, ' '))).toEqual(
      dirs.map((d) => expect.stringMatching(new RegExp(`^${d} \\d+ objects checked, 0 error\\(s\\)$`))),
    );
    expect(err).toEqual([]);
    // The policies ran too, and the waivers they applied are printed with their reasons.
    expect(out.join('\n')).toContain(
      `rules over ${environmentNames(ROOT)
        .map((e) => `overlays/${e}`)
        .join(', ')};`,
    );
  });

  it('`validate -- <env>` checks and names that overlay only (the policies line too)', async () => {
    const { out } = capture();
    const env = environmentNames(ROOT)[0]!;
    expect(await main([env], ROOT, kustomizeOnce())).toBe(0);
    expect(out.filter((l) => / objects checked, /.test(l))).toEqual([
      expect.stringMatching(new RegExp(`^overlays/${env} +\\d+ objects checked, 0 error\\(s\\)$`)),
    ]);
    expect(out.find((l) => l.startsWith('policies:'))).toMatch(new RegExp(`^policies: \\d+ rules over overlays/${env}; `));
  });

  it('refuses an environment that does not exist', async () => {
    const { err } = capture();
    expect(await main(['no-such-environment'], ROOT)).toBe(2);
    expect(err.join('\n')).toContain(`no environment no-such-environment; expected one of ${environmentNames(ROOT).join(', ')}`);
  });

  it('reports every problem of a broken overlay as `overlays/<env> <Kind>/<name>: <path>: <message>`', async () => {
    box = sandbox();
    // A typo in a base object, and an object only prod has that uses an API removed in Kubernetes 1.25.
    box.write(
      'base/querier-deployment.yaml',
      box.read('base/querier-deployment.yaml').replace('  revisionHistoryLimit: 5\n', '  revisionHistoryLimit: 5\n  replica: 2\n'),
    );
    box.write(
      'overlays/prod/legacy-poddisruptionbudget.yaml',
      'apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: legacy\nspec:\n  maxUnavailable: 1\n',
    );
    box.write(
      'overlays/prod/kustomization.yaml',
      box.read('overlays/prod/kustomization.yaml').replace('  - ../../base\n', '  - ../../base\n  - legacy-poddisruptionbudget.yaml\n'),
    );
    const env = loadEnvironment('overlays/prod/environment.yaml', 'prod', undefined, box.dir);
    const report = await validateTarget(overlayTarget(env), box.dir, kustomize(), new KubernetesValidator());
    expect(report.problems).toEqual([
      expect.stringMatching(/^overlays\/prod Deployment\/tempo-stack-querier: spec\.replica: unknown field \(did you mean "replicas"\?\)/),
      'overlays/prod PodDisruptionBudget/legacy: apiVersion: policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25 (this environment runs 1.32); use policy/v1',
      // The policies run on the same objects: a budget without a selector protects nothing.
      'overlays/prod PodDisruptionBudget/legacy: [selectors-match] selects no pod',
    ]);
    expect(report.objects).toBeGreaterThan(20);
  });

  it('reports a kustomization that does not build', async () => {
    box = sandbox();
    box.write('overlays/dev/kustomization.yaml', box.read('overlays/dev/kustomization.yaml').replace('  - ../../base\n', '  - ../../base\n  - missing.yaml\n'));
    const env = loadEnvironment('overlays/dev/environment.yaml', 'dev', undefined, box.dir);
    const report = await validateTarget(overlayTarget(env), box.dir, kustomize(), new KubernetesValidator());
    expect(report.problems).toEqual([expect.stringMatching(/^overlays\/dev: .*kustomize.* build failed: .*missing\.yaml/)]);
  });
});
