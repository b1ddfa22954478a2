// Every policy over every object of every overlay's real `kustomize build` output.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES, WAIVERS, failures, report, runPolicies, unusedWaivers, type Finding } from '../policies';
import { environmentNames } from '../generators/repository';
import { ROOT, build } from './helpers/kustomize';

const environments = environmentNames(ROOT);
const results = new Map<string, Finding[]>();

describe.each(environments)('overlays/%s', (environment) => {
  it('passes every policy (waivers printed)', async () => {
    const findings = await runPolicies(build(`overlays/${environment}`), { environment });
    results.set(environment, findings);
    const lines = report(environment, findings);
    console.log(lines.join('\n'));
    expect(failures(findings).map((f) => `${f.object}: [${f.rule}] ${f.message}`)).toEqual([]);
  });

  it('uses every waiver that applies to it', async () => {
    const findings = results.get(environment) ?? (await runPolicies(build(`overlays/${environment}`), { environment }));
    expect(
      unusedWaivers(findings, { environment }).map((w) => `${w.rule} ${w.object}`),
      'a waiver that matches nothing must be removed',
    ).toEqual([]);
  });
});

it('every waiver names an existing rule, an object as Kind/name, known environments and a reason', () => {
  for (const w of WAIVERS) {
    expect(
      RULES.map((r) => r.id),
      `waiver ${w.rule} ${w.object}`,
    ).toContain(w.rule);
    expect(w.object).toMatch(/^[A-Za-z]+\/[a-z0-9.-]+$/);
    for (const e of w.environments ?? []) expect(environments).toContain(e);
    expect(w.reason.length, `waiver ${w.rule} ${w.object} needs a written reason`).toBeGreaterThan(20);
  }
});

it('the README lists every rule with its severity and reason, and every waiver', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const r of RULES) expect(readme).toContain(`| \`${r.id}\` | ${r.severity} | ${r.reason} |`);
  for (const w of WAIVERS) expect(readme).toContain(`| \`${w.rule}\` | \`${w.object}\` |`);
});
