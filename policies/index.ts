// Policy-as-code over the rendered objects of an environment (its `kustomize build` output):
// `runPolicies(objects, { environment })` returns every finding, waived ones marked with their reason.
import type { KubeObject } from '../generators/kubernetes/objects';
import { Cluster, ref } from '../generators/kubernetes/cluster';
import { availabilityRules } from './rules/availability';
import { dualRunRules } from './rules/dual-run';
import { networkRules } from './rules/network';
import { podSecurityRules } from './rules/pod-security';
import { secretRules } from './rules/secrets';
import { tempoRules } from './rules/tempo';
import { tlsRules } from './rules/tls';
import { workloadRules } from './rules/workload';
import { zoneRules } from './rules/zones';
import type { Finding, PolicyContext, Rule, Waiver } from './types';
import { WAIVERS } from './waivers';

export type { Finding, PolicyContext, Rule, Severity, Waiver } from './types';
export { WAIVERS } from './waivers';

export const RULES: readonly Rule[] = [
  ...podSecurityRules,
  ...workloadRules,
  ...availabilityRules,
  ...secretRules,
  ...networkRules,
  ...tempoRules,
  ...tlsRules,
  ...zoneRules,
  ...dualRunRules,
];

const applies = (w: Waiver, context: PolicyContext) => !w.environments || w.environments.includes(context.environment);

export async function runPolicies(
  objects: KubeObject[],
  context: PolicyContext,
  rules: readonly Rule[] = RULES,
  waivers: readonly Waiver[] = WAIVERS,
): Promise<Finding[]> {
  const cluster = new Cluster(objects);
  const findings = new Map<string, Finding>();
  for (const rule of rules) {
    for (const v of await rule.check(cluster)) {
      const object = ref(v.object);
      const waiver = waivers.find((w) => w.rule === rule.id && w.object === object && applies(w, context));
      const finding: Finding = {
        rule: rule.id,
        severity: rule.severity,
        object,
        ...(v.object.metadata.namespace ? { namespace: v.object.metadata.namespace } : {}),
        message: v.message,
        ...(waiver ? { waived: waiver.reason } : {}),
      };
      findings.set(JSON.stringify([rule.id, object, v.message]), finding);
    }
  }
  return [...findings.values()];
}

/** Findings that fail a build: errors no waiver covers. */
export const failures = (findings: Finding[]): Finding[] => findings.filter((f) => f.severity === 'error' && !f.waived);

/** Waivers that apply to `context` but match none of its findings. */
export const unusedWaivers = (findings: Finding[], context: PolicyContext, waivers: readonly Waiver[] = WAIVERS): Waiver[] =>
  waivers.filter((w) => applies(w, context) && !findings.some((f) => f.waived && f.rule === w.rule && f.object === w.object));

/** Report lines for one environment: a summary, then each finding, then each waiver applied. */
export function report(environment: string, findings: Finding[]): string[] {
  const open = findings.filter((f) => !f.waived);
  const waived = findings.filter((f) => f.waived);
  const errors = open.filter((f) => f.severity === 'error').length;
  return [
    `overlays/${environment}: policies: ${RULES.length} rules, ${errors} error(s), ${open.length - errors} warning(s), ${waived.length} waived`,
    ...open.map((f) => `  ${f.severity.padEnd(7)} ${f.object}: [${f.rule}] ${f.message}`),
    ...waived.map((f) => `  waived  ${f.object}: [${f.rule}] ${f.message} -- ${f.waived}`),
  ];
}
