// alerts/<env>/: the environment's PrometheusRule (a kustomization each overlay includes) and the
// promtool unit tests that prove its alerts fire. One directory per environment because thresholds
// and severities differ, and a whole rule file reads better in review than patches to one.
import type { Problem } from '../validation/messages';
import type { Environment } from '../environment/index';
import { type Files, yamlFile } from '../files';
import type { ObjectOf } from '../kubernetes/objects';
import type { SharedDir } from '../kustomize/layout';
import { INSTANCE, stackLabels } from '../stack';
import { closest } from '../suggest';
import { ALERT_NAMES } from './names';
import { unitTestFiles } from './promtool-tests';
import { ruleGroups } from './rules';

export const ALERTS_DIR = 'alerts';
export const RULE_FILE = 'prometheusrule.yaml';
/** promtool unit tests on a one-minute grid, and those spanning days on an hourly one. */
export const UNIT_TEST_FILES = { minutely: 'promtool-tests.yaml', hourly: 'promtool-tests-hourly.yaml' } as const;
/** What the tests extract from RULE_FILE (promtool rejects the PrometheusRule wrapper: only `.spec`). */
export const EXTRACTED_RULES = 'rules.yaml';

export function prometheusRule(env: Environment): ObjectOf<'PrometheusRule'> {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: INSTANCE, labels: { ...stackLabels(env.tempo.tag), ...env.monitoring.selectorLabels } },
    spec: { groups: ruleGroups(env) },
  };
}

export const alertsDir: SharedDir = {
  dir: ALERTS_DIR,
  inBase: false,
  perEnvironment: true,
  files(_base, environments) {
    const files: Files = new Map();
    for (const { env } of environments) {
      const dir = `${ALERTS_DIR}/${env.name}`;
      files.set(
        `${dir}/kustomization.yaml`,
        yamlFile({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', namespace: env.namespace, resources: [RULE_FILE] }),
      );
      files.set(`${dir}/${RULE_FILE}`, yamlFile(prometheusRule(env), `# Alerts and recording rules of ${env.name}; runbooks: docs/runbooks.md.\n`));
      const tests = unitTestFiles(env, EXTRACTED_RULES);
      for (const grid of ['minutely', 'hourly'] as const) {
        const comment = `# promtool unit tests of ${RULE_FILE} (${grid === 'hourly' ? 'cases spanning days, evaluated hourly' : 'evaluated every minute'}); tests/alerts.test.ts runs them on its extracted .spec (${EXTRACTED_RULES}).\n`;
        files.set(`${dir}/${UNIT_TEST_FILES[grid]}`, yamlFile(tests[grid], comment));
      }
    }
    return files;
  },
};

/** alerts.severities may only name alerts this repository defines (the names are the alerts' contract). */
export function severityProblems(env: Environment): Problem[] {
  return Object.keys(env.alerts.severities)
    .filter((name) => !(ALERT_NAMES as readonly string[]).includes(name))
    .map((name) => {
      const close = closest(name, ALERT_NAMES);
      return {
        path: `alerts.severities.${name}`,
        message: `unknown alert${close ? ` (did you mean "${close}"?)` : ''}; expected one of the alerts in docs/runbooks.md`,
      };
    });
}
