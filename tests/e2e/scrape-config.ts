// The loopback Prometheus's configuration, made from the rendered objects the way prometheus-operator
// makes a cluster's: one scrape job per ServiceMonitor, its targets the endpoints of the Services it
// selects (here: the planned processes behind them), each carrying the Kubernetes meta labels the
// ServiceMonitor's own relabelings read, which are applied unchanged. The rules are the environment's
// PrometheusRule (.spec.groups), with `for` shortened so a fault's alert also fires within the run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { secretKeyFile } from './pki';
import type { Plan, PlannedProcess } from './plan';
import type { Any } from './rendered';
import { selects, services, targetContainerPort } from './topology';

/** Scrape and rule evaluation interval of the loopback Prometheus (a cluster scrapes every 30 s). */
export const SCRAPE_INTERVAL_MS = 5_000;
export const SCRAPE_INTERVAL = `${SCRAPE_INTERVAL_MS / 1000}s`;
/** The longest `for` of a rule in the test copy; the deployed rules keep theirs. */
export const FOR_IN_TEST = '30s';
/**
 * Prometheus 2.42 (Debian) predates `scrape_protocols` (2.49); its Accept header asks for OpenMetrics
 * 1.0.0, then 0.0.1, then text 0.0.4: the order the ServiceMonitors pin, minus text (checked in run()).
 */
export const ACCEPTED_BY_DEFAULT = ['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1'];

export interface ScrapeTarget {
  process: PlannedProcess;
  monitor: string;
  address: string;
  container: string;
  /** The endpoint's scheme (https where the metrics port speaks TLS). */
  scheme: 'http' | 'https';
}

const byKind = (objects: Any[], kind: string) => objects.filter((o) => o.kind === kind);
const labelsMatch = (want: Record<string, string>, have: Record<string, string> = {}) => Object.entries(want).every(([k, v]) => have[k] === v);
/** Prometheus' Kubernetes SD sanitizes label names into meta label names. */
const sanitize = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, '_');

function containerName(env: Plan['env'], p: PlannedProcess): string {
  const w = env.objects.find((o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && o.metadata.name === p.workload.name);
  return w?.spec?.template?.spec?.containers?.[0]?.name ?? '';
}

/** The processes each ServiceMonitor finds, with the meta labels Kubernetes service discovery would give them. */
export function scrapeTargets(plan: Plan): Array<ScrapeTarget & { meta: Record<string, string> }> {
  const out: Array<ScrapeTarget & { meta: Record<string, string> }> = [];
  const svcObjects = byKind(plan.env.objects, 'Service');
  for (const sm of byKind(plan.env.objects, 'ServiceMonitor')) {
    const namespace = sm.metadata.namespace ?? plan.namespace;
    for (const endpoint of sm.spec.endpoints ?? []) {
      for (const svcObject of svcObjects.filter(
        (s) => (s.metadata.namespace ?? plan.namespace) === namespace && labelsMatch(sm.spec.selector?.matchLabels ?? {}, s.metadata.labels),
      )) {
        const svc = services([svcObject])[0]!;
        const port = svc.ports.find((p) => p.name === endpoint.port);
        if (!port) continue;
        for (const p of plan.processes.filter((x) => selects(svc, x.workload.podLabels))) {
          const container = targetContainerPort(port, p.workload);
          const loopback = container === undefined ? undefined : p.ports.get(container);
          if (loopback === undefined) continue; // a container the loopback stack does not run (memcached's exporter)
          const meta: Record<string, string> = {
            __meta_kubernetes_namespace: namespace,
            __meta_kubernetes_service_name: svc.name,
            __meta_kubernetes_pod_name: p.id,
            __meta_kubernetes_pod_container_name: containerName(plan.env, p),
            __meta_kubernetes_endpoint_port_name: endpoint.port,
          };
          for (const [k, v] of Object.entries<string>(svcObject.metadata.labels ?? {})) meta[`__meta_kubernetes_service_label_${sanitize(k)}`] = v;
          out.push({
            process: p,
            monitor: `serviceMonitor/${namespace}/${sm.metadata.name}/0`,
            address: `127.0.0.1:${loopback}`,
            container: meta.__meta_kubernetes_pod_container_name!,
            scheme: endpoint.scheme === 'https' ? 'https' : 'http',
            meta,
          });
        }
      }
    }
  }
  return out;
}

/** A ServiceMonitor relabeling (camelCase) as a Prometheus relabel_config. */
function relabelConfig(r: Any): Record<string, unknown> {
  const names: Record<string, string> = {
    sourceLabels: 'source_labels',
    targetLabel: 'target_label',
    action: 'action',
    separator: 'separator',
    regex: 'regex',
    replacement: 'replacement',
    modulus: 'modulus',
  };
  return Object.fromEntries(
    Object.entries<unknown>(r).map(([k, v]) => {
      if (!names[k]) throw new Error(`ServiceMonitor relabeling field ${k} has no Prometheus equivalent here`);
      return [names[k], v];
    }),
  );
}

/** A Go duration in seconds (30s, 5m, 1h30m). */
export function seconds(d: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
  return [...d.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)].reduce((n, [, v, u]) => n + Number(v) * units[u!]!, 0);
}

/** The environment's rule groups with each `for` capped at FOR_IN_TEST. */
export function testRuleGroups(objects: Any[]): Any[] {
  const rules = byKind(objects, 'PrometheusRule');
  if (rules.length !== 1) throw new Error(`the environment renders ${rules.length} PrometheusRules; the e2e loads exactly one`);
  return structuredClone(rules[0].spec.groups).map((g: Any) => ({
    ...g,
    rules: g.rules.map((r: Any) => (r.for && seconds(r.for) > seconds(FOR_IN_TEST) ? { ...r, for: FOR_IN_TEST } : r)),
  }));
}

/** An https endpoint's tlsConfig as Prometheus' tls_config: the CA from the Secret it names (the run's own), and its serverName. */
function scrapeTls(plan: Plan, endpoint: Any): Record<string, unknown> {
  if (!endpoint.scheme) return {};
  const t = endpoint.tlsConfig ?? {};
  const ca = t.ca?.secret ? { ca_file: secretKeyFile(plan.dir, t.ca.secret.name, t.ca.secret.key) } : {};
  return { scheme: endpoint.scheme, ...(endpoint.tlsConfig ? { tls_config: { ...ca, ...(t.serverName ? { server_name: t.serverName } : {}) } } : {}) };
}

/** Writes the rule file into `dir` and returns prometheus.yml. */
export function prometheusConfig(plan: Plan, dir: string): string {
  const rulesFile = join(dir, 'rules.yaml');
  writeFileSync(rulesFile, stringify({ groups: testRuleGroups(plan.env.objects) }));
  const jobs = new Map<string, Any>();
  for (const t of scrapeTargets(plan)) {
    const sm = byKind(plan.env.objects, 'ServiceMonitor').find((m) => t.monitor.endsWith(`/${m.metadata.name}/0`));
    const endpoint = sm.spec.endpoints[0];
    const job = jobs.get(t.monitor) ?? {
      job_name: t.monitor,
      scrape_interval: SCRAPE_INTERVAL,
      metrics_path: endpoint.path ?? '/metrics',
      ...scrapeTls(plan, endpoint),
      static_configs: [],
      relabel_configs: (endpoint.relabelings ?? []).map(relabelConfig),
    };
    job.static_configs.push({ targets: [t.address], labels: t.meta });
    jobs.set(t.monitor, job);
  }
  return stringify({
    global: { scrape_interval: SCRAPE_INTERVAL, evaluation_interval: SCRAPE_INTERVAL },
    rule_files: [rulesFile],
    scrape_configs: [...jobs.values()],
  });
}
