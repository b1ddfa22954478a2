// Every query of every rendered dashboard, run against the loopback Prometheus (and Tempo for TraceQL)
// with its template variables resolved as Grafana resolves them on first load: a query variable takes
// the first of its label values (sorted), or its All value where All is the default; custom and text
// variables take their defaults. A query must return series unless every metric it lacks is declared
// in tests/helpers/metrics/loopback.ts; and every metric a query names must exist with the scrape's
// cluster/namespace/job labels (so a zero fallback cannot hide a wrong name).
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { type ComponentName, TEMPO_TARGETS } from '../../generators/components';
import { expandVariables, queriesOf } from '../helpers/grafana';
import { type Declaration, type TempoLine, declarationOf } from '../helpers/metrics/loopback';
import { type Selector, selectors } from '../helpers/metrics/promql';
import type { PrometheusApi } from './prometheus-api';
import type { Any } from './rendered';

/** The labels that say which scrape a series came from: the ServiceMonitors' (and the generator's external labels). */
const IDENTITY = ['cluster', 'namespace', 'job'];

/** The dashboards as the Grafana sidecar loads them: the JSON of every ConfigMap labelled grafana_dashboard. */
export function renderedDashboards(objects: Any[]): Dashboard[] {
  return objects
    .filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1')
    .flatMap((o) => Object.values<string>(o.data ?? {}).map((text) => JSON.parse(text) as Dashboard));
}

export async function resolveVariables(d: Dashboard, prom: PrometheusApi): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const v of (d.templating?.list ?? []) as Any[]) {
    const all = v.includeAll && v.current?.value === '$__all';
    if (v.type === 'query') {
      const m = /^label_values\((.+),\s*(\w+)\)$/.exec(v.query);
      if (!m) throw new Error(`${d.uid}: variable ${v.name} is not label_values(selector, label)`);
      const found = [...new Set((await prom.series(expandVariables(m[1]!, values))).map((s) => s[m[2]!]).filter((x): x is string => !!x))].sort();
      if (!found.length) throw new Error(`${d.uid}: variable ${v.name} has no values: ${expandVariables(v.query, values)} is empty`);
      values[v.name] = all ? v.allValue : found[0]!;
    } else if (v.type === 'datasource') values[v.name] = v.current?.value;
    else values[v.name] = all ? v.allValue : String(v.current?.value ?? '');
  }
  return values;
}

/** The selectors of `expr` whose metric has no series with their cluster/namespace/job matchers. */
export async function missingSelectors(expr: string, prom: PrometheusApi, recorded: Set<string> = new Set()): Promise<Selector[]> {
  const missing: Selector[] = [];
  for (const s of selectors(expr)) {
    if (recorded.has(s.metric)) continue;
    const identity = s.matchers.filter((m) => IDENTITY.includes(m.label)).map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`);
    if (!(await prom.query(`count(${s.metric}{${identity.join(', ')}})`)).length) missing.push(s);
  }
  return missing;
}

/** The metrics of `expr` that have no series with its cluster/namespace/job matchers. */
export async function missingMetrics(expr: string, prom: PrometheusApi, recorded: Set<string> = new Set()): Promise<string[]> {
  return [...new Set((await missingSelectors(expr, prom, recorded)).map((s) => s.metric))];
}

/**
 * A selector whose job (`<namespace>/<component>`, or a regex of such alternatives) names only Tempo targets
 * the environment does not render: on 3.x, the 2.10-drawn panels of the ingester and compactor. A job that
 * names no Tempo target of any version (a typo) is never excused.
 */
export function notRendered(s: Selector, rendered: Set<string>, tempo: TempoLine): Declaration | undefined {
  const job = s.matchers.find((m) => m.label === 'job' && (m.op === '=' || m.op === '=~'));
  if (!job) return undefined;
  const named = job.value.replace(/^[^/]*\//, '');
  const components = job.op === '=' ? [named] : /^\(?([\w|-]+)\)?$/.exec(named)?.[1]?.split('|');
  if (!components?.length || components.some((c) => rendered.has(c) || !TEMPO_TARGETS.includes(c as ComponentName))) return undefined;
  return { absence: 'component-not-rendered', reason: `Tempo ${tempo} environment renders no ${components.join(' or ')}` };
}

/**
 * `rule: metrics` for every rule that reads a metric Prometheus has no series of (loopback exceptions aside;
 * never a metric of the other Tempo line: a deployed rule must read what its version exposes).
 */
export async function rulesMissingMetrics(groups: Any[], prom: PrometheusApi, recorded: Set<string>, tempo: TempoLine = '2.10'): Promise<string[]> {
  const missing: string[] = [];
  const excused = (m: string) => !['tempo2-only', 'tempo3-only', undefined].includes(declarationOf(m, tempo)?.absence);
  for (const r of groups.flatMap((g) => g.rules)) {
    const absent = (await missingMetrics(r.expr, prom, recorded)).filter((m) => !excused(m));
    if (absent.length) missing.push(`${r.alert ?? r.record}: ${absent.join(', ')}`);
  }
  return missing;
}

export interface PanelReport {
  queries: number;
  withSeries: number;
  /** `panel: series` for every PromQL query, in order. */
  series: string[];
  /** Query -> the declarations that excuse it. */
  excused: Array<{ where: string; declarations: Array<[string, Declaration]> }>;
  problems: string[];
}

/**
 * Runs one dashboard's queries; `traceql` runs a TraceQL search and returns how many traces it found.
 * `tempo` is the version the stack runs: on 3.x, Tempo 3's own metrics are not excused, 2.10's own are.
 * `rendered`: the components the environment renders; a selector of only others is excused (notRendered).
 */
export async function checkDashboard(
  d: Dashboard,
  prom: PrometheusApi,
  traceql: (q: string) => Promise<number>,
  tempo: TempoLine = '2.10',
  rendered?: Set<string>,
): Promise<PanelReport> {
  const report: PanelReport = { queries: 0, withSeries: 0, series: [], excused: [], problems: [] };
  const values = await resolveVariables(d, prom);
  for (const q of queriesOf(d)) {
    report.queries++;
    const text = expandVariables(q.text, values);
    if (q.language === 'traceql') {
      const n = await traceql(text);
      if (n > 0) report.withSeries++;
      else report.problems.push(`${q.panel}: TraceQL ${text} finds no trace`);
      continue;
    }
    const expr = q.language === 'servicemap' ? `traces_service_graph_request_total${text}` : text;
    const missing = await missingSelectors(expr, prom);
    const declared = missing.map((s): [string, Declaration | undefined] => [
      s.metric,
      declarationOf(s.metric, tempo) ?? (rendered ? notRendered(s, rendered, tempo) : undefined),
    ]);
    const undeclared = [...new Set(declared.filter(([, x]) => !x).map(([m]) => m))];
    const series = (await prom.query(expr)).length;
    report.series.push(`${q.panel}: ${series}`);
    if (undeclared.length) report.problems.push(`${q.panel}: no series of ${undeclared.join(', ')} (with its cluster/namespace/job): ${expr}`);
    else if (series) report.withSeries++;
    else if (missing.length) report.excused.push({ where: q.panel, declarations: declared as Array<[string, Declaration]> });
    else report.problems.push(`${q.panel}: every metric exists, yet the query returns nothing: ${expr}`);
  }
  return report;
}
