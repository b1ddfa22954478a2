// The dashboards and the Grafana data sources: every model builds and lays out cleanly, every query
// parses and names a catalogued metric, and every data source a panel uses is provisioned everywhere.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DASHBOARDS, DASHBOARDS_DIR, FOLDER, FOLDER_ANNOTATION, dashboardConfigMap, dashboardFile } from '../generators/dashboards/index';
import { GRID_COLUMNS } from '../generators/dashboards/panels';
import { DATASOURCES, TRACES_TO_METRICS_QUERIES, grafanaDatasources, tempoQueryUrl } from '../generators/grafana-datasources';
import { isKnownMetric, lookupMetric } from './helpers/metrics/catalogue';
import { declarationOf } from './helpers/metrics/loopback';
import { metricNames, parsePromQL } from './helpers/metrics/promql';
import { baseEnvironment } from '../generators/environment/load';
import { runningComponents } from '../generators/render';
import { scrapeJob } from '../generators/servicemonitors';
import type { KubeObject } from '../generators/kubernetes/objects';
import { NAMESPACE } from '../generators/stack';
import { loadEnvironments, environmentNames } from '../generators/repository';
import {
  expandVariables,
  panelsOf,
  parseTraceQL,
  provisionedDatasources,
  queriesOf,
  selectorsOf,
  variableDefaults,
  variableSelectors,
} from './helpers/grafana';
import { ROOT, build } from './helpers/kustomize';
import type { Any } from './helpers/objects';

/**
 * Labels a series can be selected by: the exporter's own (catalogue), `le` on histogram buckets, and
 * those the scrape adds (ServiceMonitor: job, cluster, namespace, pod, container ...) or, for the
 * metrics-generator's remote-written series, its external labels (cluster, source).
 */
const SCRAPE_LABELS = ['job', 'instance', 'cluster', 'namespace', 'pod', 'container', 'service', 'endpoint'];
const GENERATED_LABELS = ['cluster', 'source'];
function knownLabels(series: string): string[] {
  const found = lookupMetric(series);
  if (!found) return [];
  const own = found.info.labels ?? [];
  const bucket = series.endsWith('_bucket') ? ['le'] : [];
  return [...own, ...bucket, ...(series.startsWith('traces_') ? GENERATED_LABELS : SCRAPE_LABELS)];
}
const models = DASHBOARDS.map((make) => make());
const overlays = environmentNames(ROOT);

/** Every PromQL a dashboard runs (panels and variable queries), template variables expanded. */
const promqlOf = (d: (typeof models)[number], overrides: Record<string, string> = {}) => {
  const values = { ...variableDefaults(d), ...overrides };
  return [
    ...queriesOf(d)
      .filter((q) => q.language === 'promql')
      .map((q) => ({ where: q.panel, raw: q.text, expr: expandVariables(q.text, values) })),
    ...variableSelectors(d).map((v) => ({ where: `${d.uid} variable ${v.name}`, raw: v.selector, expr: expandVariables(v.selector, values) })),
  ];
};

describe('dashboards', () => {
  it('eight build, each with a title, panels and the standard variables', () => {
    expect(models.map((d) => d.title)).toEqual([
      'Tempo / Operational',
      'Tempo / Writes',
      'Tempo / Reads',
      'Tempo / Resources',
      'Tempo / Tenants',
      'Services / RED',
      'Services / Graph',
      'Tempo / Tempo 3 ingest',
    ]);
    for (const d of models) {
      // The classic JSON model the sidecar's file provisioning reads.
      expect(Array.isArray(d.annotations?.list), `${d.uid}: annotations.list`).toBe(true);
      expect(Array.isArray(d.templating?.list), `${d.uid}: templating.list`).toBe(true);
      expect(typeof d.schemaVersion).toBe('number');
      expect(d.time?.from, d.uid).toMatch(/^now-\d+[mhd]$/);
      expect(panelsOf(d).length, d.uid).toBeGreaterThan(3);
      const names = (d.templating?.list ?? []).map((v) => v.name);
      expect(names, d.uid).toEqual(expect.arrayContaining(['datasource', 'cluster', 'namespace']));
    }
  });

  it('have unique, stable uids (Grafana allows 40 characters) and unique titles', () => {
    const uids = models.map((d) => d.uid!);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) expect(uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(new Set(models.map((d) => d.title)).size).toBe(models.length);
  });

  for (const d of models) {
    describe(d.title!, () => {
      const panels = panelsOf(d);

      it('panel ids are unique', () => {
        const ids = panels.map((p) => p.id);
        expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
        expect(new Set(ids).size).toBe(ids.length);
      });

      it('panels stay on the grid and never overlap', () => {
        for (const p of panels) {
          const { x, y, w, h } = p.gridPos;
          expect(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= GRID_COLUMNS, `${p.title}: ${JSON.stringify(p.gridPos)}`).toBe(true);
        }
        for (const [i, a] of panels.entries()) {
          for (const b of panels.slice(i + 1)) {
            const A = a.gridPos;
            const B = b.gridPos;
            const overlap = A.x < B.x + B.w && B.x < A.x + A.w && A.y < B.y + B.h && B.y < A.y + A.h;
            expect(overlap, `"${a.title}" ${JSON.stringify(A)} overlaps "${b.title}" ${JSON.stringify(B)}`).toBe(false);
          }
        }
      });

      it('every PromQL parses and names only catalogued metrics', () => {
        const queries = promqlOf(d);
        expect(queries.length).toBeGreaterThan(0);
        for (const q of queries) {
          expect(() => parsePromQL(q.expr), q.where).not.toThrow();
          for (const name of metricNames(q.expr)) expect(isKnownMetric(name), `${q.where}: ${name} is not in generators/metrics/catalogue.ts`).toBe(true);
        }
      });

      it('selects series only by labels they carry', () => {
        for (const q of promqlOf(d)) {
          for (const { metric, labels } of selectorsOf(q.expr)) {
            const known = knownLabels(metric);
            for (const label of labels) expect(known, `${q.where}: ${metric} has no label "${label}"`).toContain(label);
          }
        }
      });

      it('select jobs the ServiceMonitors scrape (job="<namespace>/<component>")', () => {
        // The components some environment runs: 2.10's by default, 3.x's (live-store, block-builder ...) where one runs 3.0.
        const envs = [baseEnvironment(), ...loadEnvironments(ROOT)];
        const jobs = [...new Set(envs.flatMap((e) => runningComponents(e).map((r) => scrapeJob(NAMESPACE, r.component.name))))];
        for (const q of promqlOf(d, { namespace: NAMESPACE })) {
          for (const [, op, value] of q.expr.matchAll(/\bjob(=~|=)"([^"]*)"/g)) {
            const matches = op === '=' ? jobs.filter((j) => j === value) : jobs.filter((j) => new RegExp(`^(?:${value})$`).test(j));
            expect(matches.length, `${q.where}: job${op}"${value}" selects no scraped job (${jobs.join(', ')})`).toBeGreaterThan(0);
          }
        }
      });

      it('a query over an error-only counter reads 0, not "No data", before the first error', () => {
        for (const q of promqlOf(d)) {
          const errorOnly = metricNames(q.expr).filter((m) => declarationOf(m)?.absence === 'error-only');
          if (errorOnly.length)
            expect(q.raw, `${q.where}: ${errorOnly.join(', ')} (tests/helpers/metrics/loopback.ts)`).toMatch(/ or (on\(\) vector\(0\)|0 \* )/);
        }
      });

      it('rates use $__rate_interval', () => {
        for (const q of promqlOf(d)) {
          for (const range of q.raw.match(/\[[^\]]*\]/g) ?? []) expect(range, q.where).toBe('[$__rate_interval]');
        }
      });

      it('every TraceQL query parses (lezer-traceql, strict)', () => {
        const values = variableDefaults(d);
        for (const q of queriesOf(d).filter((x) => x.language === 'traceql')) {
          expect(() => parseTraceQL(expandVariables(q.text, values)), q.panel).not.toThrow();
        }
      });

      it('service-graph filters are PromQL label matchers', () => {
        const values = variableDefaults(d);
        for (const q of queriesOf(d).filter((x) => x.language === 'servicemap')) {
          expect(() => parsePromQL(`traces_service_graph_request_total${expandVariables(q.text, values)}`), q.panel).not.toThrow();
        }
      });

      it('every data source it uses is provisioned, with the right type', () => {
        const provisioned = new Map<string, string>(Object.values(DATASOURCES).map((ds) => [ds.uid, ds.type]));
        const values = variableDefaults(d);
        const refs = [
          ...panels.filter((p) => p.datasource).map((p) => ({ where: `panel "${p.title}"`, ...p.datasource })),
          ...queriesOf(d).map((q) => ({ where: q.panel, ...q.datasource })),
          ...(d.templating?.list ?? []).filter((v) => v.datasource).map((v) => ({ where: `variable ${v.name}`, ...(v.datasource as Any) })),
        ];
        expect(refs.length).toBeGreaterThan(0);
        for (const ref of refs) {
          const uid = expandVariables(ref.uid, values);
          expect(provisioned.get(uid), `${ref.where}: data source uid "${uid}" is not provisioned`).toBe(ref.type);
        }
      });

      it('is written to dashboards/ as generated', () => {
        const committed = JSON.parse(readFileSync(join(ROOT, DASHBOARDS_DIR, dashboardFile(d)), 'utf8'));
        expect(committed).toEqual(JSON.parse(JSON.stringify(d)));
      });
    });
  }
});

describe.each(overlays)('overlays/%s', (env) => {
  const objects = build(`overlays/${env}`);

  it('ships every dashboard as a ConfigMap for the sidecar, in the Tempo folder, without a hash suffix', () => {
    for (const d of models) {
      const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === dashboardConfigMap(d)) as Any;
      expect(cm, `${dashboardConfigMap(d)} missing`).toBeDefined();
      expect(cm.metadata.namespace).toBe('observability');
      expect(cm.metadata.labels.grafana_dashboard).toBe('1');
      expect(cm.metadata.annotations[FOLDER_ANNOTATION]).toBe(FOLDER);
      expect(JSON.parse(cm.data[dashboardFile(d)]).uid).toBe(d.uid);
      // kubectl's client-side apply keeps a copy in an annotation, limited to 256 KiB.
      expect(cm.data[dashboardFile(d)].length).toBeLessThan(256 * 1024);
    }
  });

  it('provisions Tempo, Prometheus and Loki with the uids the dashboards use and the URLs of environment.yaml', () => {
    const e = loadEnvironments(ROOT).find((x) => x.name === env)!;
    const ds = provisionedDatasources(objects);
    expect(ds.map((x) => x.uid).sort()).toEqual(
      Object.values(DATASOURCES)
        .map((x) => x.uid)
        .sort(),
    );
    const byUid = (uid: string) => ds.find((x) => x.uid === uid)!;
    const tempo = byUid(DATASOURCES.tempo.uid);
    expect(tempo.url).toBe(`${e.tls.enabled ? 'https' : 'http'}://tempo-stack-query-frontend.observability.svc.cluster.local:3100`);
    expect(tempo.url).toBe(tempoQueryUrl(e));
    // With TLS it checks the query-frontend against the committed CA; streaming stays off (older Grafana streams without TLS).
    expect(tempo.jsonData.tlsAuthWithCACert ?? false).toBe(e.tls.enabled);
    if (e.tls.enabled) expect(tempo.jsonData.streamingEnabled).toEqual({ search: false, metrics: false });
    expect(byUid(DATASOURCES.prometheus.uid).url).toBe(e.grafana.prometheusUrl);
    expect(byUid(DATASOURCES.loki.uid).url).toBe(e.grafana.lokiUrl);
    expect(byUid(DATASOURCES.prometheus.uid).jsonData.timeInterval, 'the scrape interval, so $__rate_interval covers four scrapes').toBe(
      e.monitoring.scrapeInterval,
    );
    for (const x of ds) expect(x.type).toBe(Object.values(DATASOURCES).find((y) => y.uid === (x.uid as string))!.type);
  });

  it('the Tempo query-frontend Service answers on the port the data source uses', () => {
    const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'tempo-stack-query-frontend') as Any;
    expect(svc.spec.ports.map((p: Any) => p.port)).toContain(Number(new URL(tempoQueryUrl(baseEnvironment())).port));
  });
});

describe('data source correlations', () => {
  const ds = provisionedDatasources(build(`overlays/${overlays[0]}`));
  const tempo = ds.find((x) => x.uid === DATASOURCES.tempo.uid)!.jsonData;
  const uids = new Set(ds.map((x) => x.uid));

  it('trace to logs opens Loki filtered by the trace id', () => {
    expect(tempo.tracesToLogsV2.datasourceUid).toBe(DATASOURCES.loki.uid);
    expect(tempo.tracesToLogsV2.filterByTraceID).toBe(true);
    expect(tempo.tracesToLogsV2.tags.map((t: Any) => t.key)).toContain('service.name');
  });

  it('trace to metrics, service map and exemplars point at provisioned data sources; node graph and search are on', () => {
    expect(uids.has(tempo.tracesToMetrics.datasourceUid)).toBe(true);
    expect(tempo.serviceMap.datasourceUid).toBe(DATASOURCES.prometheus.uid);
    expect(tempo.nodeGraph.enabled).toBe(true);
    expect(tempo.search.hide).toBe(false);
    const prometheus = ds.find((x) => x.uid === DATASOURCES.prometheus.uid)!.jsonData;
    expect(prometheus.exemplarTraceIdDestinations).toEqual([{ name: 'traceID', datasourceUid: DATASOURCES.tempo.uid }]);
    const loki = ds.find((x) => x.uid === DATASOURCES.loki.uid)!.jsonData;
    for (const f of loki.derivedFields) expect(f.datasourceUid).toBe(DATASOURCES.tempo.uid);
  });

  it('the trace-to-metrics queries parse with $__tags filled in and name catalogued metrics', () => {
    expect(tempo.tracesToMetrics.queries).toEqual(TRACES_TO_METRICS_QUERIES);
    for (const q of TRACES_TO_METRICS_QUERIES) {
      const expr = q.query.replace(/\$__tags/g, 'service="checkout"');
      expect(() => parsePromQL(expr), q.name).not.toThrow();
      for (const name of metricNames(expr)) expect(isKnownMetric(name), name).toBe(true);
    }
  });

  it('sends the tenant header only when Tempo is multitenant (it refuses queries without one)', () => {
    const env = baseEnvironment();
    const tempoOf = (multitenancy: boolean) =>
      provisionedDatasources(grafanaDatasources({ ...env, features: { ...env.features, multitenancy } }) as KubeObject[]).find(
        (x) => x.uid === DATASOURCES.tempo.uid,
      ) as Any;
    expect(tempoOf(false).jsonData.httpHeaderName1).toBeUndefined();
    expect(tempoOf(false).secureJsonData).toBeUndefined();
    expect(tempoOf(true).jsonData.httpHeaderName1).toBe('X-Scope-OrgID');
    expect(tempoOf(true).secureJsonData).toEqual({ httpHeaderValue1: env.grafana.tenants });
  });

  it('Grafana sees literal ${...} and $__tags: every $ is escaped in the provisioning file', () => {
    const cm = build(`overlays/${overlays[0]}`).find((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_datasource === '1') as Any;
    const text = Object.values(cm.data as Record<string, string>)[0]!;
    expect(text).toContain('$$__tags');
    expect(text).toContain('$${__value.raw}');
    expect(text.replace(/\$\$/g, '')).not.toContain('$');
    expect(parse(text).apiVersion).toBe(1);
  });
});

describe('template variable expansion (test helper)', () => {
  it('fails on a variable the dashboard does not define, and leaves regex back-references alone', () => {
    expect(() => expandVariables('up{job="$nope"}', {})).toThrow(/undefined variable \$nope/);
    expect(expandVariables('label_replace(up, "a", "$1", "b", "(.*)")', {})).toContain('"$1"');
    expect(expandVariables('rate(up{c="${cluster:regex}"}[$__rate_interval])', { cluster: 'x' })).toBe('rate(up{c="x"}[2m])');
  });
  it('finds each selector with the labels it matches on', () => {
    expect(selectorsOf('sum by (x) (rate(a_total{b="1", c=~"2"}[5m])) / on (x) d')).toEqual([
      { metric: 'a_total', labels: ['b', 'c'] },
      { metric: 'd', labels: [] },
    ]);
  });
  it('strict TraceQL parsing rejects what Tempo rejects', () => {
    expect(() => parseTraceQL('{ resource.service.name = "a" } | rate() by (span.http.route)')).not.toThrow();
    for (const bad of ['{ service.name = "a" }', '{ rootSpanCount > 50 }', '{ status = error } | count by resource.service.name', '{ duration > }']) {
      expect(() => parseTraceQL(bad), bad).toThrow(/invalid TraceQL/);
    }
  });
});
