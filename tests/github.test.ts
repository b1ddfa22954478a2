// The files for teams on GitHub: the CI workflow (checked by GitHub's own workflow parser), CODEOWNERS
// and the Renovate config (no schema offline: its regexes are run against the file they must bump).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } from '@actions/workflow-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultsOf } from '../generators/environment/index';
import { TEMPO_VERSION } from '../generators/environment/settings';
import { ROOT } from './helpers/kustomize';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
import type { Any } from './helpers/objects';

describe('.github/workflows/ci.yaml', () => {
  const text = read('.github/workflows/ci.yaml');
  const workflow: Any = parse(text, { uniqueKeys: true });
  const steps = (job: string): Any[] => workflow.jobs[job].steps;
  const runs = (job: string) =>
    steps(job)
      .filter((s) => s.run)
      .map((s) => s.run)
      .join('\n');

  it('is a valid workflow for GitHub Actions', async () => {
    const result = parseWorkflow({ name: 'ci.yaml', content: text }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    const template = await convertWorkflowTemplate(result.context, result.value!);
    expect(template.errors ?? []).toEqual([]);
    expect(template.jobs.map((j) => j.id.value)).toEqual(['test', 'diff']);
  });

  it('runs on pull requests and pushes to main, with least privileges', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request', 'push']);
    expect(workflow.on.push.branches).toEqual(['main']);
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(workflow.jobs.test.permissions).toBeUndefined();
    expect(workflow.jobs.diff.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
  });

  it('pins every action to an exact version', () => {
    const uses = Object.keys(workflow.jobs).flatMap((j) =>
      steps(j)
        .filter((s) => s.uses)
        .map((s) => s.uses as string),
    );
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(/^[\w-]+\/[\w-]+@v\d+\.\d+\.\d+$/);
  });

  it('test job: the same steps as .ci/run, by running it', () => {
    expect(runs('test')).toBe('bash .ci/run');
    const ci = read('.ci/run');
    for (const command of ['npm ci', 'npm run generate -- --check', 'npm test']) expect(ci).toContain(`\n${command}`);
    expect(steps('test').find((s) => s.uses?.startsWith('actions/setup-node@')).with['node-version']).toBe(20);
  });

  it('diff job: full history, the markdown diff against the PR base, posted as one updated comment', () => {
    expect(workflow.jobs.diff.if).toBe("github.event_name == 'pull_request'");
    expect(steps('diff')[0].with['fetch-depth']).toBe(0);
    expect(runs('diff')).toContain('npm run --silent diff -- --base "$BASE_SHA" --format markdown');
    const render = steps('diff').find((s) => s.name === 'Render the diff');
    expect(render.env.BASE_SHA).toBe('${{ github.event.pull_request.base.sha }}');
    const comment = steps('diff').find((s) => s.uses?.startsWith('actions/github-script@'));
    expect(comment.with.script).toMatch(/updateComment[\s\S]*createComment/);
  });
});

describe('.github/CODEOWNERS', () => {
  const rules = read('.github/CODEOWNERS')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.trim().split(/\s+/));

  it('guards overlays/prod/, base/ and argocd/ (every prod change touches one of them)', () => {
    for (const path of ['/overlays/prod/', '/base/', '/argocd/']) {
      const rule = rules.find(([p]) => p === path);
      expect(rule, path).toBeDefined();
      expect(rule!.slice(1).every((owner) => /^@[\w-]+(\/[\w-]+)?$/.test(owner))).toBe(true);
      expect(rule!.length).toBeGreaterThan(1);
    }
  });
});

describe('renovate.json', () => {
  const config: Any = JSON.parse(read('renovate.json'));
  const sources = ['generators/environment/tempo-versions.ts', ...readdirSync(join(ROOT, 'generators/components')).map((f) => `generators/components/${f}`)];
  /** What Renovate's regex managers extract from the sources: depName -> currentValue. */
  const extracted = new Map<string, string>();
  for (const m of config.customManagers) {
    const files = m.managerFilePatterns.map((p: string) => new RegExp(p.slice(1, -1)));
    for (const file of sources.filter((f) => files.some((pattern: RegExp) => pattern.test(f)))) {
      for (const s of m.matchStrings) {
        for (const hit of read(file).matchAll(new RegExp(s, 'g'))) extracted.set(m.depNameTemplate ?? hit.groups!.depName!, hit.groups!.currentValue!);
      }
    }
  }
  const defaults = defaultsOf() as Any;
  const tag = (image: string) => image.slice(image.lastIndexOf(':') + 1);
  const rule = (name: string): Any => config.packageRules.find((r: Any) => r.matchPackageNames?.includes(name));

  it('finds the Tempo, memcached, exporter, collector and rollout-operator versions where their defaults are written', () => {
    expect(Object.fromEntries(extracted)).toEqual({
      'grafana/tempo': TEMPO_VERSION, // tempo-vulture runs the same tag
      memcached: tag(defaults.components.memcached.image),
      'prom/memcached-exporter': tag(defaults.components.memcached.exporterImage),
      'otel/opentelemetry-collector-contrib': tag(defaults.components.collector.image),
      'grafana/rollout-operator': tag(defaults.components['rollout-operator'].image),
    });
    expect(config.customManagers.every((m: Any) => m.customType === 'regex' && m.datasourceTemplate === 'docker')).toBe(true);
  });

  it('keeps Tempo on 2.10.x (Tempo 3 has no ingester or compactor)', () => {
    const allowed = new RegExp(rule('grafana/tempo').allowedVersions.slice(1, -1));
    expect(['2.10.8', '2.10.9', '2.10.12'].filter((v) => allowed.test(v))).toEqual(['2.10.8', '2.10.9', '2.10.12']);
    expect(['3.0.0', '2.11.0', '2.10.9-rc.0', 'main-1a2b3c4'].filter((v) => allowed.test(v))).toEqual([]);
  });

  it('uses only regex features RE2 has (Renovate runs RE2): no lookaround, no backreferences', () => {
    const patterns = [...config.customManagers.flatMap((m: Any) => m.matchStrings), rule('grafana/tempo').allowedVersions];
    for (const p of patterns) expect(p).not.toMatch(/\(\?[=!]|\(\?<[=!]|\\[1-9]/);
  });

  it('bumps npm dependencies and actions through the recommended preset, with a strict Node constraint', () => {
    expect(config.extends).toContain('config:recommended');
    expect(config.constraintsFiltering).toBe('strict');
    expect(rule('@types/node').allowedVersions).toBe('/^20\\./');
  });
});
