// Every policy over every object of every overlay's real `kustomize build` output.
import { describe, expect, it } from 'vitest';
import { RULES, WAIVERS, failures, report, runPolicies, unusedWaivers, type Finding } from '../policies';
import { environmentNames } from '../generators/tree';
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
    expect(unusedWaivers(findings, { environment }).map((w) => `${w.rule} ${w.object}`), 'a waiver that matches nothing must be removed').toEqual([]);
  });
});

it('every waiver names an existing rule, an object as Kind/name, known environments and a reason', () => {
  for (const w of WAIVERS) {
    expect(RULES.map((r) => r.id), `waiver ${w.rule} ${w.object}`).toContain(w.rule);
    expect(w.object).toMatch(/^[A-Za-z]+\/[a-z0-9.-]+$/);
    for (const e of w.environments ?? []) expect(environments).toContain(e);
    expect(w.reason.length, `waiver ${w.rule} ${w.object} needs a written reason`).toBeGreaterThan(20);
  }
});
