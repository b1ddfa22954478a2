// The loopback Prometheus's config, per environment (no binary needed): a target for every process a
// ServiceMonitor finds (every Tempo process and tempo-vulture), the ServiceMonitors' relabelings carried
// over unchanged, and the rendered rules with only `for` capped. And promtool accepts it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { planStack } from './plan';
import { environmentNames, readRendered, type Any } from './rendered';
import { FOR_IN_TEST, prometheusConfig, scrapeTargets, seconds, testRuleGroups } from './scrape-config';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tempo-e2e-scrape-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const promtool = spawnSync('promtool', ['--version']).status === 0;

describe.each(environmentNames(ROOT))('loopback Prometheus of %s', (name) => {
  let port = 30_000;
  const plan = planStack(readRendered(ROOT, name), () => port++, join(dir, name));
  const promDir = join(dir, name, 'prometheus');
  mkdirSync(promDir, { recursive: true });
  const config = parse(prometheusConfig(plan, promDir)) as Any;

  it('scrapes every Tempo process and tempo-vulture, through the ServiceMonitor of its component', () => {
    const scraped = scrapeTargets(plan).map((t) => t.process.id);
    const expected = plan.processes.filter((p) => p.role !== 'memcached').map((p) => p.id);
    expect(scraped.sort()).toEqual(expected.sort());
  });

  it("applies each ServiceMonitor's relabelings unchanged", () => {
    for (const job of config.scrape_configs) {
      const sm = plan.env.objects.find((o) => o.kind === 'ServiceMonitor' && job.job_name === `serviceMonitor/${o.metadata.namespace}/${o.metadata.name}/0`);
      expect(sm, job.job_name).toBeDefined();
      expect(job.relabel_configs).toHaveLength(sm.spec.endpoints[0].relabelings.length);
      job.relabel_configs.forEach((r: Any, i: number) => {
        const from = sm.spec.endpoints[0].relabelings[i];
        expect(r.target_label).toBe(from.targetLabel);
        expect(r.source_labels).toEqual(from.sourceLabels);
        expect(r.replacement).toBe(from.replacement);
      });
    }
  });

  it('loads the rendered rules with only `for` capped', () => {
    const rendered = plan.env.objects.find((o) => o.kind === 'PrometheusRule').spec.groups;
    const test = testRuleGroups(plan.env.objects);
    const strip = (groups: Any[]) => groups.flatMap((g) => g.rules.map(({ for: _, ...r }: Any) => r));
    expect(strip(test)).toEqual(strip(rendered));
    for (const r of test.flatMap((g: Any) => g.rules)) if (r.for) expect(seconds(r.for)).toBeLessThanOrEqual(seconds(FOR_IN_TEST));
  });

  it('promtool check config accepts it', () => {
    if (!promtool) {
      expect(process.env.CI, 'promtool is missing (Debian: apt-get install prometheus)').not.toBe('true');
      console.log('skipped: no promtool on PATH (Debian: apt-get install prometheus)');
      return;
    }
    const file = join(promDir, 'prometheus.yml');
    writeFileSync(file, prometheusConfig(plan, promDir));
    const r = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
