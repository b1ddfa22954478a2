// Reading dashboard models and provisioned data sources the way Grafana does: which queries a dashboard
// runs, with its template variables expanded, and which data sources a Grafana sidecar would create.
import { parser as traceqlParser } from '@grafana/lezer-traceql';
import { parse } from 'yaml';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { unescapeProvisioning } from '../../generators/grafana-datasources';
import { parsePromQL } from './metrics/promql';
import type { KubeObject } from '../../generators/kubernetes/objects';
import type { Any } from './objects';

export interface PanelQuery {
  panel: string;
  language: 'promql' | 'traceql' | 'servicemap';
  text: string;
  datasource: { type?: string; uid?: string };
}

/** Every panel, rows included. */
export function panelsOf(d: Dashboard): Any[] {
  return (d.panels ?? []) as Any[];
}

/** Every query of every panel: a Prometheus expr, a Tempo TraceQL search or a service-graph filter. */
export function queriesOf(d: Dashboard): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const p of panelsOf(d)) {
    for (const t of p.targets ?? []) {
      const datasource = t.datasource ?? p.datasource ?? {};
      const panel = `${d.uid} panel ${p.id} "${p.title}"`;
      if (typeof t.expr === 'string') out.push({ panel, language: 'promql', text: t.expr, datasource });
      else if (t.queryType === 'traceql') out.push({ panel, language: 'traceql', text: t.query, datasource });
      else if (t.queryType === 'serviceMap') out.push({ panel, language: 'servicemap', text: t.serviceMapQuery, datasource });
      else throw new Error(`${panel}: a target of unknown kind: ${JSON.stringify(t)}`);
    }
  }
  return out;
}

/** The PromQL selectors of the query variables: label_values(<selector>, <label>). */
export function variableSelectors(d: Dashboard): Array<{ name: string; selector: string }> {
  return ((d.templating?.list ?? []) as Any[])
    .filter((v) => v.type === 'query')
    .map((v) => {
      const m = /^label_values\((.+),\s*(\w+)\)$/.exec(v.query);
      if (!m) throw new Error(`${d.uid}: variable ${v.name} is not label_values(selector, label): ${v.query}`);
      return { name: v.name, selector: m[1]! };
    });
}

/** A value for each variable as Grafana would first load the page: its default, else a sample value. */
export function variableDefaults(d: Dashboard): Record<string, string> {
  const values: Record<string, string> = {};
  for (const v of (d.templating?.list ?? []) as Any[]) {
    const current = v.current?.value;
    values[v.name] = current === '$__all' ? v.allValue : typeof current === 'string' ? current : `sample-${v.name}`;
  }
  return values;
}

const BUILTIN: Record<string, string> = { __rate_interval: '2m', __interval: '1m', __range: '1h', __all: '.*' };

/**
 * Replaces $var, ${var} and ${var:format}; a variable the dashboard does not define is an error.
 * `$1` is a regex back-reference (label_replace), not a variable.
 */
export function expandVariables(text: string, values: Record<string, string>): string {
  return text.replace(/\$(?:\{(\w+)(?::\w+)?\}|([A-Za-z_]\w*))/g, (_, braced: string | undefined, plain: string | undefined) => {
    const name = (braced ?? plain)!;
    const value = values[name] ?? BUILTIN[name];
    if (value === undefined) throw new Error(`undefined variable $${name} in: ${text}`);
    return value;
  });
}

const strictTraceQL = traceqlParser.configure({ strict: true });

/** Throws with the position when `query` is not valid TraceQL (strict: no error recovery). */
export function parseTraceQL(query: string): void {
  try {
    const tree = strictTraceQL.parse(query);
    tree.iterate({
      enter(node) {
        if (node.type.isError) throw new Error(`unexpected input at ${node.from}`);
      },
    });
  } catch (e) {
    throw new Error(`invalid TraceQL: ${(e as Error).message}\n  ${query}`);
  }
}

export interface ProvisionedDatasource {
  name: string;
  type: string;
  uid: string;
  url: string;
  jsonData: Any;
}

/** The data sources of every grafana_datasource ConfigMap, as Grafana reads them ($$ unescaped). */
export function provisionedDatasources(objects: KubeObject[]): ProvisionedDatasource[] {
  return objects
    .filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_datasource === '1')
    .flatMap((o) => Object.values((o as Any).data as Record<string, string>))
    .flatMap((text) => (parse(unescapeProvisioning(text)) as Any).datasources as ProvisionedDatasource[]);
}

/** Each vector selector of `expr`: its metric name and the label names it matches on. */
export function selectorsOf(expr: string): Array<{ metric: string; labels: string[] }> {
  const out: Array<{ metric: string; labels: string[] }> = [];
  parsePromQL(expr).iterate({
    enter(ref) {
      if (ref.name !== 'VectorSelector') return;
      const identifier = ref.node.getChild('Identifier');
      const matchers = ref.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? [];
      const labels = matchers.map((m) => m.getChild('LabelName')).map((l) => expr.slice(l!.from, l!.to));
      if (identifier) out.push({ metric: expr.slice(identifier.from, identifier.to), labels });
      return false;
    },
  });
  return out;
}
