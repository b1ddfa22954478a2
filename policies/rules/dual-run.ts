// A dual run (README "Migrating to Tempo 3: the dual run"): when the collector agents (or the tail-sampling
// gateway) write to a distributor in another namespace, that stack must prove itself before anyone relies
// on it: its own tempo-vulture, and its alerts on its own jobs for what the cutover waits on (vulture
// errors; on Tempo 3 the partitions and the consumer lag). Read from the rendered objects only.
import { parse } from 'yaml';
import type { Cluster } from '../../generators/kubernetes/cluster';
import { namespaceOf } from '../../generators/kubernetes/cluster';
import type { Rule, Violation } from '../types';

const DISTRIBUTOR = /^tempo-stack-distributor\.([a-z0-9-]+)\.svc(\.cluster\.local)?:\d+$/;
/** The alerts the cutover waits on, by whether the stack written to ingests through Kafka (Tempo 3). */
const GATES = { always: ['TempoVultureHighErrorRate'], kafka: ['TempoPartitionsNotActive', 'TempoLiveStorePartitionLag', 'TempoBlockBuilderPartitionLag'] };

/** The namespaces an OpenTelemetry Collector config (any ConfigMap file) exports spans to, other than its own. */
function otherNamespaces(data: Record<string, string>, own: string): string[] {
  const out: string[] = [];
  for (const text of Object.values(data)) {
    let config: { exporters?: Record<string, { endpoint?: unknown }> } | undefined;
    try {
      config = parse(text);
    } catch {
      continue;
    }
    for (const e of Object.values(config?.exporters ?? {})) {
      const ns = DISTRIBUTOR.exec(String(e?.endpoint ?? ''))?.[1];
      if (ns && ns !== own && !out.includes(ns)) out.push(ns);
    }
  }
  return out;
}

export const dualRunRules: Rule[] = [
  {
    id: 'dual-run-gates',
    reason:
      "Spans written to another namespace's Tempo (a dual run, a cutover) go to a stack that proves itself there: its tempo-vulture and its cutover-gate alerts (vulture errors; Tempo 3: partitions, lag) on its own jobs",
    severity: 'error',
    check: (cluster: Cluster) => {
      const violations: Violation[] = [];
      for (const cm of cluster.kind('ConfigMap')) {
        for (const ns of otherNamespaces(cm.data ?? {}, namespaceOf(cm))) {
          const there = cluster.objects.filter((o) => namespaceOf(o) === ns);
          const missing: string[] = [];
          const vulture = there.some(
            (o) => o.kind === 'Deployment' && (o.spec?.template?.spec?.containers ?? []).some((c) => /(^|\/)tempo-vulture:/.test(c.image ?? '')),
          );
          if (!vulture) missing.push('a tempo-vulture Deployment');
          const rules = there.flatMap((o) => (o.kind === 'PrometheusRule' ? (o.spec?.groups ?? []).flatMap((g) => g.rules ?? []) : []));
          const kafka =
            there.some((o) => o.kind === 'KafkaTopic') ||
            cluster.kind('ConfigMap').some((c) => namespaceOf(c) === ns && /\bingest:\s*\n\s+kafka:/.test(Object.values(c.data ?? {}).join('\n')));
          for (const alert of [...GATES.always, ...(kafka ? GATES.kafka : [])]) {
            const rule = rules.find((r) => r.alert === alert);
            if (!rule) missing.push(`alert ${alert}`);
            else if (!String(rule.expr).includes(`job="${ns}/`) && !String(rule.expr).includes(`job=~"${ns}/`)) missing.push(`alert ${alert} on ${ns}'s jobs`);
          }
          if (missing.length)
            violations.push({
              object: cm,
              message: `writes spans to the distributor in namespace ${ns}, which lacks ${missing.join(', ')}; expected the stack it writes to checked there (README "Migrating to Tempo 3")`,
            });
        }
      }
      return violations;
    },
  },
];
