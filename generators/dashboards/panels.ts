// The vocabulary the dashboards are written in: panels, template variables and the page. Panels are the
// SDK's typed builders; this file fixes the house conventions once (legends, units, thresholds, refIds,
// panel ids, positions on the 24-column grid) so each dashboard file reads as what it shows.
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import type { Dashboard, GridPos, Panel, VariableModel } from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCES } from '../grafana-datasources';
import { sdk } from './sdk';

/** Prometheus through the `datasource` variable; it defaults to the provisioned Prometheus. */
export const PROMETHEUS = { type: DATASOURCES.prometheus.type, uid: '${datasource}' };
export const TEMPO = { type: DATASOURCES.tempo.type, uid: DATASOURCES.tempo.uid };

export const GRID_COLUMNS = 24;

export interface Query {
  expr: string;
  /** Legend template; `__auto` lets Grafana name the series from its labels. */
  legend?: string;
  /** Evaluate once at the end of the range (tables, stats of a current value). */
  instant?: boolean;
}

/** A panel builder and the space it takes on the grid. */
export interface Cell {
  panel: Builder<Panel> & { id(id: number): unknown; gridPos(gridPos: GridPos): unknown };
  w: number;
  h: number;
}

export interface PanelOptions {
  description?: string;
  /** A Grafana unit id: short, percentunit, s, bytes, Bps, reqps, or `suffix:<text>`. */
  unit?: string;
  w?: number;
  h?: number;
  min?: number;
  max?: number;
  /** Stack the series (parts of a whole, e.g. per tenant). */
  stack?: boolean;
  /** [value, color] steps above the base colour, e.g. [[0.01, 'orange'], [0.05, 'red']]. */
  thresholds?: Array<[number, string]>;
  /** Colour below the first threshold: green, or red where higher is better. */
  baseColor?: string;
  /** Attach exemplars (trace ids) to the series, linking points to Tempo. */
  exemplars?: boolean;
}

const refId = (i: number) => String.fromCharCode(65 + i);

function promTargets(queries: Query[], exemplars = false, asTable = false): Array<Builder<Dataquery>> {
  const { prometheus } = sdk();
  return queries.map((q, i) => {
    const target = new prometheus.DataqueryBuilder()
      .refId(refId(i))
      .datasource(PROMETHEUS)
      .expr(q.expr)
      .legendFormat(q.legend ?? '__auto');
    if (q.instant) target.instant();
    else target.range();
    // A table gets one column per query, "Value #<refId>", joined on the labels.
    if (asTable) target.format(prometheus.PromQueryFormat.Table);
    if (exemplars) target.exemplar(true);
    return target;
  });
}

function thresholds(o: PanelOptions) {
  const { dashboard } = sdk();
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([{ value: null, color: o.baseColor ?? 'green' }, ...(o.thresholds ?? []).map(([value, color]) => ({ value, color }))]);
}

/** Series over time. */
export function timeseries(title: string, queries: Query[], o: PanelOptions = {}): Cell {
  const { common, timeseries: ts } = sdk();
  const panel = new ts.PanelBuilder()
    .title(title)
    .datasource(PROMETHEUS)
    .targets(promTargets(queries, o.exemplars))
    .unit(o.unit ?? 'short')
    .lineWidth(1)
    .fillOpacity(o.stack ? 30 : 10)
    .showPoints(common.VisibilityMode.Never)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (o.stack) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (o.thresholds)
    panel.thresholds(thresholds(o)).thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
  applyCommonOptions(panel, o);
  return { panel, w: o.w ?? 12, h: o.h ?? 8 };
}

/** One big number (the last value), coloured by thresholds. */
export function stat(title: string, query: Query, o: PanelOptions = {}): Cell {
  const { common, stat: st } = sdk();
  const panel = new st.PanelBuilder()
    .title(title)
    .datasource(PROMETHEUS)
    .targets(promTargets([query]))
    .unit(o.unit ?? 'short')
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .thresholds(thresholds(o));
  applyCommonOptions(panel, o);
  return { panel, w: o.w ?? 4, h: o.h ?? 4 };
}

/** Instant queries side by side, one column each, joined on their labels. */
export function table(title: string, columns: Array<Query & { name: string; unit?: string }>, o: PanelOptions = {}): Cell {
  const { table: tb } = sdk();
  const panel = new tb.PanelBuilder()
    .title(title)
    .datasource(PROMETHEUS)
    .targets(
      promTargets(
        columns.map((c) => ({ ...c, instant: true })),
        false,
        true,
      ),
    )
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true } } });
  columns.forEach((c, i) => {
    panel.overrideByName(`Value #${refId(i)}`, [
      { id: 'displayName', value: c.name },
      { id: 'unit', value: c.unit ?? 'short' },
    ]);
  });
  applyCommonOptions(panel, o);
  return { panel, w: o.w ?? 24, h: o.h ?? 8 };
}

/** Traces found by a TraceQL query; a click on a trace id opens it. */
export function traces(title: string, traceql: string, o: PanelOptions & { limit?: number } = {}): Cell {
  const { table: tb, tempo } = sdk();
  const query = new tempo.DataqueryBuilder()
    .refId('A')
    .datasource(TEMPO)
    .queryType(tempo.TempoQueryType.Traceql)
    .query(traceql)
    .limit(o.limit ?? 20)
    .tableType(tempo.SearchTableType.Traces);
  const panel = new tb.PanelBuilder().title(title).datasource(TEMPO).withTarget(query);
  applyCommonOptions(panel, o);
  return { panel, w: o.w ?? 24, h: o.h ?? 10 };
}

/** The service graph Tempo draws from the metrics-generator's traces_service_graph_* series. */
export function serviceGraph(title: string, serviceMapQuery: string, o: PanelOptions = {}): Cell {
  const { nodegraph, tempo } = sdk();
  const query = new tempo.DataqueryBuilder().refId('A').datasource(TEMPO).queryType(tempo.TempoQueryType.ServiceMap).serviceMapQuery(serviceMapQuery);
  const panel = new nodegraph.PanelBuilder().title(title).datasource(TEMPO).withTarget(query);
  applyCommonOptions(panel, o);
  return { panel, w: o.w ?? 24, h: o.h ?? 14 };
}

function applyCommonOptions(panel: { description(d: string): unknown; min(n: number): unknown; max(n: number): unknown }, o: PanelOptions) {
  if (o.description) panel.description(o.description);
  if (o.min !== undefined) panel.min(o.min);
  if (o.max !== undefined) panel.max(o.max);
}

export interface Row {
  title: string;
  cells: Cell[];
}
export const row = (title: string, ...cells: Cell[]): Row => ({ title, cells });

// Template variables. Every query variable re-reads its values when the time range changes.
function queryVariable(name: string, label: string, query: string, all = false): Builder<VariableModel> {
  const { dashboard } = sdk();
  const v = new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(PROMETHEUS)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc);
  if (all) v.multi(true).includeAll(true).allValue('.*').current({ text: 'All', value: '$__all' });
  return v;
}

export const variables = {
  /** The Prometheus to read from; defaults to the provisioned one. */
  datasource(): Builder<VariableModel> {
    const { dashboard } = sdk();
    return new dashboard.DatasourceVariableBuilder('datasource')
      .label('Prometheus')
      .type('prometheus')
      .current({ text: DATASOURCES.prometheus.name, value: DATASOURCES.prometheus.uid });
  },
  /** Clusters that run Tempo (from the metric named, by default every component's build info). */
  cluster: (metric = 'tempo_build_info') => queryVariable('cluster', 'Cluster', `label_values(${metric}, cluster)`),
  namespace: () => queryVariable('namespace', 'Namespace', 'label_values(tempo_build_info{cluster="$cluster"}, namespace)'),
  /** Tenants that sent spans (all by default). */
  tenant: () =>
    queryVariable('tenant', 'Tenant', 'label_values(tempo_distributor_spans_received_total{cluster="$cluster", job="$namespace/distributor"}, tenant)', true),
  /** A fixed list of values (multi-select, All by default). */
  custom(name: string, label: string, values: readonly string[]): Builder<VariableModel> {
    const { dashboard } = sdk();
    return new dashboard.CustomVariableBuilder(name)
      .label(label)
      .values(values.join(','))
      .multi(true)
      .includeAll(true)
      .allValue('.*')
      .current({ text: 'All', value: '$__all' });
  },
  /** Free text with a default, e.g. a duration threshold used in TraceQL. */
  textbox(name: string, label: string, value: string): Builder<VariableModel> {
    const { dashboard } = sdk();
    return new dashboard.TextBoxVariableBuilder(name).label(label).defaultValue(value).current({ text: value, value });
  },
  /** Values of a series label (service, span_name ...); `all` makes it a multi-select with All. */
  label: (name: string, label: string, selector: string, all = false, labelName = name) =>
    queryVariable(name, label, `label_values(${selector}, ${labelName})`, all),
};

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  variables: Array<Builder<VariableModel>>;
  rows: Row[];
  /** Default time range, e.g. now-3h. */
  from?: string;
}

/** The page: rows top to bottom, each row's panels left to right, wrapping at 24 columns. */
export function dashboard(spec: DashboardSpec): Dashboard {
  const { dashboard: d } = sdk();
  const builder = new d.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(spec.tags)
    .readonly() // provisioned from git: change the TypeScript, not the page
    .timezone('browser')
    .time({ from: spec.from ?? 'now-3h', to: 'now' })
    .refresh('1m')
    .tooltip(d.DashboardCursorSync.Crosshair)
    .variables(spec.variables)
    .annotations([]) // Grafana adds its built-in "Annotations & Alerts" to the list
    .link(
      new d.DashboardLinkBuilder('Tempo dashboards').type(d.DashboardLinkType.Dashboards).tags(['tempo']).asDropdown(true).includeVars(true).keepTime(true),
    );
  let id = 1;
  let y = 0;
  for (const r of spec.rows) {
    builder.withRow(new d.RowBuilder(r.title).id(id++).gridPos({ x: 0, y: y++, w: GRID_COLUMNS, h: 1 }));
    let x = 0;
    let lineHeight = 0;
    for (const cell of r.cells) {
      if (cell.w > GRID_COLUMNS) throw new Error(`${spec.uid}: a panel is ${cell.w} columns wide; the grid has ${GRID_COLUMNS}`);
      if (x + cell.w > GRID_COLUMNS) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      cell.panel.id(id++);
      cell.panel.gridPos({ x, y, w: cell.w, h: cell.h });
      builder.withPanel(cell.panel);
      x += cell.w;
      lineHeight = Math.max(lineHeight, cell.h);
    }
    y += lineHeight;
  }
  return builder.build();
}
