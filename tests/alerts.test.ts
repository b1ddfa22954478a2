// The alerts of every environment, read from the real `kustomize build` of its overlay: they parse, they
// select metrics that exist, they carry what on-call needs, and promtool proves each one fires.
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ALERTS_DIR, EXTRACTED_RULES, RULE_FILE, UNIT_TEST_FILES } from '../generators/alerts/index';
import { ALERT_GROUPS, ALERT_NAMES } from '../generators/alerts/names';
import { runbookAnchor, volumeClaimsRegex, type Rule, type RuleGroup } from '../generators/alerts/rules';
import { renderTemplate } from '../generators/alerts/promtool-tests';
import { ONLY_IN } from '../generators/alerts/rules-3';
import { zoneAware } from '../generators/components/rollout-operator';
import { isKnownMetric } from './helpers/metrics/catalogue';
import { metricNames, parsePromQL } from './helpers/metrics/promql';
import type { KubeObject } from '../generators/kubernetes/objects';
import { NAMESPACE } from '../generators/stack';
import { environmentNames, loadEnvironments } from '../generators/repository';
import { ROOT, build } from './helpers/kustomize';
import type { Any } from './helpers/objects';

interface Spec {
  groups: RuleGroup[];
}

const envs = environmentNames(ROOT);
const settings = new Map(loadEnvironments(ROOT).map((e) => [e.name, e]));
const runbook = readFileSync(join(ROOT, 'docs/runbooks.md'), 'utf8');

function deployedRule(env: string): KubeObject & { spec: Spec } {
  const rules = build(`overlays/${env}`).filter((o) => o.kind === 'PrometheusRule');
  expect(
    rules.map((r) => `${r.metadata.namespace}/${r.metadata.name}`),
    `overlays/${env} deploys one PrometheusRule`,
  ).toEqual([`${NAMESPACE}/tempo-stack`]);
  return rules[0] as KubeObject & { spec: Spec };
}
const allRules = (spec: Spec) => spec.groups.flatMap((g) => g.rules.map((r) => ({ group: g.name, ...r })));
const alerts = (spec: Spec) => allRules(spec).filter((r) => r.alert);

describe.each(envs)('alerts of %s', (env) => {
  const spec = deployedRule(env).spec;
  const where = (r: Rule) => `${env}: ${r.alert ?? r.record}`;

  it('the overlay deploys alerts/<env>/prometheusrule.yaml as generated', () => {
    const file = parse(readFileSync(join(ROOT, ALERTS_DIR, env, RULE_FILE), 'utf8')) as { spec: Spec };
    expect(spec).toEqual(file.spec);
  });

  it('every expression parses (lezer-promql, strict)', () => {
    for (const r of allRules(spec)) expect(() => parsePromQL(r.expr), where(r)).not.toThrow();
  });

  it('every metric is in the catalogue (or recorded by these rules)', () => {
    const recorded = new Set(allRules(spec).flatMap((r) => (r.record ? [r.record] : [])));
    const unknown = allRules(spec).flatMap((r) =>
      metricNames(r.expr)
        .filter((m) => !isKnownMetric(m) && !recorded.has(m))
        .map((m) => `${where(r)}: ${m}`),
    );
    expect(unknown).toEqual([]);
  });

  it('every alert has a severity, a summary, a description and a runbook link into docs/runbooks.md', () => {
    for (const r of alerts(spec)) {
      expect(['critical', 'warning', 'info'], where(r)).toContain(r.labels?.severity);
      expect(r.annotations?.summary, where(r)).toMatch(/\S/);
      expect(r.annotations?.description, where(r)).toMatch(/\{\{ \$labels\.\w+ \}\}/);
      expect(r.annotations?.runbook_url, where(r)).toBe(`${settings.get(env)!.alerts.runbookUrl}#${runbookAnchor(r.alert!)}`);
    }
  });

  it('descriptions only name labels the expression keeps', () => {
    for (const r of alerts(spec)) {
      const kept = new Set([...r.expr.matchAll(/by \(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim())));
      // ... and the labels label_replace(v, "dst", "replacement", "src", "regex") sets.
      for (const m of r.expr.matchAll(/,\s*"(\w+)",\s*"[^"]*",\s*"[^"]*",\s*"[^"]*"\)/g)) kept.add(m[1]!);
      for (const [, label] of r.annotations!.description!.matchAll(/\$labels\.(\w+)/g))
        expect([...kept], `${where(r)}: {{ $labels.${label} }}`).toContain(label);
    }
  });

  it("every alert of ALERT_NAMES is deployed (TempoLowCacheHitRate only with memcached, TempoDistributorUnhealthy only with a distributor ring, the gateway's and the zones' only with them)", () => {
    const deployed = new Set(alerts(spec).map((r) => r.alert));
    const s = settings.get(env)!;
    const expected = ALERT_NAMES.filter(
      (n) =>
        (n !== 'TempoLowCacheHitRate' || s.features.memcached) &&
        (n !== 'TempoDistributorUnhealthy' || s.limits.defaults.rateStrategy === 'global') &&
        (ONLY_IN[n]?.includes(s.tempo.version) ?? true) &&
        (!(ALERT_GROUPS.tempo_sampling as readonly string[]).includes(n) || s.sampling.tail.enabled) &&
        (!(ALERT_GROUPS.tempo_zones as readonly string[]).includes(n) || zoneAware(s)),
    );
    expect([...deployed].sort()).toEqual([...expected].sort());
  });

  it('has a promtool case where each alert fires and one where it stays quiet', () => {
    const tests = Object.values(UNIT_TEST_FILES).flatMap(
      (f) =>
        (
          parse(readFileSync(join(ROOT, ALERTS_DIR, env, f), 'utf8')) as {
            tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
          }
        ).tests,
    );
    const cases = tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const name of new Set(alerts(spec).map((r) => r.alert!))) {
      expect(
        cases.some((c) => c.alertname === name && c.exp_alerts.length > 0),
        `${env}: ${name} fires somewhere`,
      ).toBe(true);
      expect(
        cases.some((c) => c.alertname === name && c.exp_alerts.length === 0),
        `${env}: ${name} stays quiet somewhere`,
      ).toBe(true);
    }
  });
});

describe('volume alerts', () => {
  for (const env of envs) {
    it(`${env}: select the claims of every StatefulSet with a volume`, () => {
      const claims = build(`overlays/${env}`)
        .filter((o) => o.kind === 'StatefulSet')
        .flatMap((s: Any) => (s.spec.volumeClaimTemplates ?? []).map((t: Any) => `${t.metadata.name}-${s.metadata.name}-0`));
      expect(claims.length).toBeGreaterThanOrEqual(2);
      for (const claim of claims) expect(claim).toMatch(new RegExp(`^${volumeClaimsRegex(settings.get(env)!)}$`));
    });
  }
});

describe('severities per environment', () => {
  const severities = (env: string) => new Set(alerts(deployedRule(env).spec).map((r) => r.labels!.severity));

  it('dev pages nobody: no critical alert (alerts.page: false)', () => {
    expect(settings.get('dev')!.alerts.page).toBe(false);
    expect(severities('dev').has('critical')).toBe(false);
    expect(severities('dev').has('warning')).toBe(true);
  });

  it('prod pages: critical alerts exist', () => {
    expect(severities('prod').has('critical')).toBe(true);
  });
});

describe('docs/runbooks.md', () => {
  const headings = [...runbook.matchAll(/^### (\S+)$/gm)].map((m) => m[1]!);

  it('has one section per alert and none for alerts that do not exist', () => {
    expect([...headings].sort()).toEqual([...ALERT_NAMES].sort());
  });

  it('says for each alert what it means, how to confirm it and what to do', () => {
    const sections = runbook.split(/^### /m).slice(1);
    for (const section of sections) {
      const name = section.split('\n')[0];
      for (const part of ['**Meaning.**', '**Confirm.**', '**Do.**']) expect(section, `${name}: ${part}`).toContain(part);
    }
  });
});

describe('renderTemplate (what the promtool cases expect Prometheus to print)', () => {
  it('renders labels and printf of $value', () => {
    expect(renderTemplate('{{ $labels.pod }} at {{ printf "%.1f" $value }}%', { pod: 'p-0' }, 12.345)).toBe('p-0 at 12.3%');
  });
  it('refuses a missing label (Prometheus would print "<no value>") and unsupported forms', () => {
    expect(() => renderTemplate('{{ $labels.cluster }}', {})).toThrow(/no value/);
    expect(() => renderTemplate('{{ $value | humanize }}', {}, 1)).toThrow(/not one of/);
  });
});

// --- promtool -------------------------------------------------------------------------------------

const INSTALL = 'apt-get install -y prometheus (Debian/Ubuntu; .ci/run does this)';
const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const havePromtool = promtool.status === 0;
if (!havePromtool && !process.env.CI) console.warn(`promtool not found: skipping the promtool checks. Install it with: ${INSTALL}`);
const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A temp dir holding the environment's extracted rules (the `.spec` promtool accepts) and its tests. */
function promtoolDir(env: string, spec: Spec = deployedRule(env).spec): string {
  const dir = mkdtempSync(join(tmpdir(), `tempo-alerts-${env}-`));
  dirs.push(dir);
  writeFileSync(join(dir, EXTRACTED_RULES), stringify(spec));
  for (const f of Object.values(UNIT_TEST_FILES)) copyFileSync(join(ROOT, ALERTS_DIR, env, f), join(dir, f));
  return dir;
}

/**
 * promtool evaluates every rule of a test file's rule files at every step of every case. Each alert's
 * cases only need that alert and the recording rules it reads, so they run against just those (in its
 * own group, with the group's settings and recording rules): the same verdicts for a small part of the
 * CPU (measured: whole file 100%, per group ~40%, per alert ~20%). No rule reads ALERTS, so an alert
 * never depends on a sibling. Cases naming no alert, or several alerts, keep the whole rule file.
 * Returns the test files to pass to promtool.
 */
function splitByAlert(dir: string, spec: Spec): string[] {
  const recording = spec.groups.filter((g) => g.rules.every((r) => r.record));
  const groupOf = new Map(spec.groups.flatMap((g) => g.rules.filter((r) => r.alert).map((r) => [r.alert!, g] as const)));
  const files: string[] = [];
  for (const [grid, file] of Object.entries(UNIT_TEST_FILES)) {
    const suite = parse(readFileSync(join(dir, file), 'utf8')) as { tests: Array<{ alert_rule_test?: Array<{ alertname: string }> }> };
    const byAlert = new Map<string, typeof suite.tests>();
    for (const t of suite.tests) {
      const names = new Set((t.alert_rule_test ?? []).map((a) => a.alertname));
      const key = names.size === 1 && groupOf.has([...names][0]!) ? [...names][0]! : '';
      byAlert.set(key, [...(byAlert.get(key) ?? []), t]);
    }
    for (const [alert, tests] of byAlert) {
      const rules = alert ? `rules-${alert}.yaml` : EXTRACTED_RULES;
      if (alert) {
        const group = groupOf.get(alert)!;
        const own = { ...group, rules: group.rules.filter((r) => r.alert === alert || r.record) };
        // The recording rules of other groups only where the alert reads what they record.
        const reads = (g: RuleGroup) => own.rules.some((r) => g.rules.some((x) => x.record && r.expr.includes(x.record)));
        writeFileSync(join(dir, rules), stringify({ groups: [own, ...recording.filter((g) => g !== group && reads(g))] }));
      }
      const name = `${grid}-${alert || 'all'}.yaml`;
      writeFileSync(join(dir, name), stringify({ ...suite, rule_files: [rules], tests }));
      files.push(name);
    }
  }
  return files;
}

async function promtoolRun(dir: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    // GOGC=400 (Go collects less often) and one OS thread for Go code: together less than half the CPU of
    // promtool's defaults for these short runs (measured), ~130 MB each.
    const r = await run('promtool', args, { cwd: dir, maxBuffer: 16 << 20, env: { ...process.env, GOGC: '400', GOMAXPROCS: '1' } });
    return { ok: true, output: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

describe('promtool', () => {
  it('is installed (CI must have it)', () => {
    if (process.env.CI) expect(havePromtool, `promtool is required under CI: ${INSTALL}`).toBe(true);
  });

  it.skipIf(!havePromtool)("check rules accepts every environment's rules", async () => {
    // One promtool for all of them: it checks each file named and fails if any fails (the paths name the environment).
    const files = envs.map((env) => join(promtoolDir(env), EXTRACTED_RULES));
    const r = await promtoolRun(tmpdir(), ['check', 'rules', ...files]);
    expect(r.ok, r.output).toBe(true);
    for (const f of files) expect(r.output, f).toContain(`Checking ${f}\n  SUCCESS: `);
  });

  it.skipIf(!havePromtool)(
    'unit tests pass for every environment: each alert fires and stays quiet as expected',
    async () => {
      const results = await Promise.all(
        envs.map(async (env) => {
          const spec = deployedRule(env).spec;
          const dir = promtoolDir(env, spec);
          return { env, ...(await promtoolRun(dir, ['test', 'rules', ...splitByAlert(dir, spec)])) };
        }),
      );
      for (const r of results) expect(r.ok, `${r.env}:\n${r.output}`).toBe(true);
    },
    240_000,
  );

  it.skipIf(!havePromtool)('unit tests fail when a rule no longer fires (they can catch a broken alert)', async () => {
    const spec = structuredClone(deployedRule('prod').spec);
    const behind = spec.groups.flatMap((g) => g.rules).find((r) => r.alert === 'TempoCompactorBehind')!;
    behind.expr = behind.expr.replace(/> \d+$/, '> 1e9');
    const dir = promtoolDir('prod', spec);
    const tests = parse(readFileSync(join(dir, UNIT_TEST_FILES.minutely), 'utf8')) as { tests: Array<{ name: string }> };
    tests.tests = tests.tests.filter((t) => t.name.startsWith('TempoCompactorBehind '));
    writeFileSync(join(dir, UNIT_TEST_FILES.minutely), stringify(tests));
    // Through the same split as above: it must keep the alert its cases are about.
    const files = splitByAlert(dir, spec).filter((f) => f.startsWith('minutely-'));
    expect(files).toEqual(['minutely-TempoCompactorBehind.yaml']);
    const r = await promtoolRun(dir, ['test', 'rules', ...files]);
    expect(r.ok).toBe(false);
    expect(r.output).toContain('TempoCompactorBehind');
  });
});
