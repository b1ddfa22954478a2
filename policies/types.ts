// The shapes of policy-as-code: a rule checks the rendered objects of one environment and reports
// violations; runPolicies turns them into findings and applies the waivers.
import type { KubeObject } from '../generators/kubernetes/objects';
import type { Cluster } from '../generators/kubernetes/cluster';

/** `error` fails `npm test` and `npm run validate`; `warning` is printed, and fails neither. */
export type Severity = 'error' | 'warning';

export interface Rule {
  /** Stable, kebab-case; waivers and messages name it. */
  id: string;
  /** One line: why the rule exists (printed with every finding and in the README table). */
  reason: string;
  severity: Severity;
  check(cluster: Cluster): Violation[] | Promise<Violation[]>;
}

export interface Violation {
  object: KubeObject;
  message: string;
}

export interface Finding {
  rule: string;
  severity: Severity;
  /** `Kind/name` of the offending object. */
  object: string;
  namespace?: string;
  message: string;
  /** The written reason, when a waiver covers this finding (it then fails nothing). */
  waived?: string;
}

/** What runPolicies needs besides the objects: which environment they are (waivers may be per environment). */
export interface PolicyContext {
  environment: string;
}

/** An accepted exception: one rule, one named object, optionally only some environments, and why. */
export interface Waiver {
  rule: string;
  /** `Kind/name`, e.g. `StatefulSet/tempo-stack-ingester`. */
  object: string;
  /** Environments it applies to; every environment when absent. */
  environments?: string[];
  reason: string;
}
