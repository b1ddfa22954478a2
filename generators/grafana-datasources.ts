// Grafana data sources for this stack, provisioned by the Grafana sidecar from a ConfigMap labelled
// grafana_datasource: "1". Their uids are stable: the dashboards and the correlations refer to them.
// Tempo links each span to its logs (Loki, by trace id), to its span metrics (Prometheus) and draws the
// service graph; Prometheus links exemplars back to traces; Loki links trace ids in log lines to Tempo.
import { createHash } from 'node:crypto';
import { LEGACY_HTTP_PORT } from './components/query-frontend';
import type { EnvironmentSettings } from './environment/settings';
import { WILDCARD_TENANT } from './environment/tenants';
import { toYaml } from './files';
import type { ObjectOf } from './kubernetes/objects';
import { objectName, serviceHost, stackLabels } from './stack';
import { TENANT_LABEL } from './tempo/overrides';

export const DATASOURCES = {
  tempo: { type: 'tempo', uid: 'tempo', name: 'Tempo' },
  prometheus: { type: 'prometheus', uid: 'tempo-prometheus', name: 'Prometheus (Tempo)' },
  loki: { type: 'loki', uid: 'tempo-loki', name: 'Loki (Tempo)' },
} as const;

/** The query-frontend, on the port the original design documents (3100; 3200 works too); https with tls.enabled. */
export const tempoQueryUrl = (env: Pick<EnvironmentSettings, 'namespace' | 'tls'>): string =>
  `${env.tls.enabled ? 'https' : 'http'}://${serviceHost(env, objectName('query-frontend'))}:${LEGACY_HTTP_PORT}`;

/**
 * With TLS the data source checks the query-frontend against the CA committed as tls.caCertificate (the
 * namespace CA exists only in the cluster: README "Encryption in transit"). Streaming is off: Grafana
 * releases before grafana/grafana#111770 open the streaming gRPC connection without TLS.
 */
function tempoTls(env: EnvironmentSettings): { jsonData: Record<string, unknown>; secureJsonData: Record<string, string> } {
  if (!env.tls.enabled) return { jsonData: {}, secureJsonData: {} };
  return {
    jsonData: { tlsAuthWithCACert: true, tlsSkipVerify: false, streamingEnabled: { search: false, metrics: false } },
    secureJsonData: env.tls.caCertificate ? { tlsCACert: env.tls.caCertificate } : {},
  };
}
export const DATASOURCES_CONFIG_MAP = objectName('grafana-datasources');
export const DATASOURCES_FILE = 'tempo-datasources.yaml';

/** What a span's "Related metrics" menu offers; `$__tags` becomes `service="<service.name>"`. */
export const TRACES_TO_METRICS_QUERIES = [
  { name: 'Request rate', query: 'sum by (span_name) (rate(traces_spanmetrics_calls_total{$__tags}[5m]))' },
  {
    name: 'Error ratio',
    query:
      'sum by (span_name) (rate(traces_spanmetrics_calls_total{$__tags, status_code="STATUS_CODE_ERROR"}[5m])) / sum by (span_name) (rate(traces_spanmetrics_calls_total{$__tags}[5m]))',
  },
  { name: 'p95 latency', query: 'histogram_quantile(0.95, sum by (le, span_name) (rate(traces_spanmetrics_latency_bucket{$__tags}[5m])))' },
];

/** One Tempo data source: what it is called, and the tenants it queries as (none: multitenancy is off). */
export interface TempoDatasource {
  name: string;
  uid: string;
  /** X-Scope-OrgID: "a|b" queries several tenants at once. */
  tenants?: string;
  /** Its span-metrics links keep to its tenant (the metrics-generator labels series with it). */
  tenantFilter?: string;
  /** The namespace of the stack it reads (a dual run has two); absent: the environment's. */
  namespace?: string;
}

/**
 * A dual run's data sources: the uid every dashboard and link uses ("tempo") reads 2.10 during the dual run
 * and Tempo 3 from the cutover on (as after the removal); one more data source reads the other stack.
 */
function dualRunDatasources(env: EnvironmentSettings, own: TempoDatasource[]): TempoDatasource[] {
  const run = env.migration;
  if (!run) return own;
  const cutover = run.stage === 'cutover';
  const main = cutover ? run.namespace : env.namespace;
  const all = { ...own[0]!, tenantFilter: undefined };
  const other = cutover
    ? { ...all, name: `${DATASOURCES.tempo.name} 2.10 (draining)`, uid: `${DATASOURCES.tempo.uid}-2-10`, namespace: env.namespace }
    : { ...all, name: `${DATASOURCES.tempo.name} 3.0 (dual run)`, uid: `${DATASOURCES.tempo.uid}-3-0`, namespace: run.namespace };
  return [...own.map((ds) => ({ ...ds, namespace: main })), other];
}

/** A Grafana uid (at most 40 of A-Z a-z 0-9 - _) for a tenant's data source; other ids get a hash. */
const tenantUid = (tenant: string) =>
  `${DATASOURCES.tempo.uid}-tenant-${/^[A-Za-z0-9_-]{1,27}$/.test(tenant) ? tenant : createHash('sha256').update(tenant).digest('hex').slice(0, 12)}`;

/**
 * Without multitenancy, one Tempo data source. With it, the operators' one queries every tenant the
 * environment names (grafana.tenants and limits.tenants) at once, and each of them gets its own, so
 * that Grafana can grant access to one team's traces (data source permissions).
 */
export function tempoDatasources(env: EnvironmentSettings): TempoDatasource[] {
  const { tempo } = DATASOURCES;
  if (!env.features.multitenancy) return [{ name: tempo.name, uid: tempo.uid }];
  const named = Object.keys(env.limits.tenants)
    .filter((t) => t !== WILDCARD_TENANT)
    .sort();
  const tenants = [...new Set([...env.grafana.tenants.split('|'), ...named])];
  return [
    { name: tempo.name, uid: tempo.uid, tenants: tenants.join('|') },
    ...tenants.map((t) => ({ name: `${tempo.name} (tenant ${t})`, uid: tenantUid(t), tenants: t, tenantFilter: t })),
  ];
}

function tempoDatasource(env: EnvironmentSettings, ds: TempoDatasource) {
  const { tempo, prometheus, loki } = DATASOURCES;
  const tls = tempoTls(env);
  const secureJsonData = { ...(ds.tenants ? { httpHeaderValue1: ds.tenants } : {}), ...tls.secureJsonData };
  const ofTenant = (query: string) => (ds.tenantFilter ? query.replace(/\{\$__tags/g, `{$__tags, ${TENANT_LABEL}="${ds.tenantFilter}"`) : query);
  return {
    name: ds.name,
    type: tempo.type,
    uid: ds.uid,
    access: 'proxy',
    url: tempoQueryUrl({ namespace: ds.namespace ?? env.namespace, tls: env.tls }),
    editable: false,
    jsonData: {
      // The span's logs: its service's streams in Loki, filtered by the trace id (as the design
      // correlates them). Loki >= 3 derives service_name for every stream.
      tracesToLogsV2: {
        datasourceUid: loki.uid,
        spanStartTimeShift: '-5m',
        spanEndTimeShift: '5m',
        filterByTraceID: true,
        filterBySpanID: false,
        tags: [
          { key: 'service.name', value: 'service_name' },
          { key: 'k8s.namespace.name', value: 'namespace' },
        ],
      },
      tracesToMetrics: {
        datasourceUid: prometheus.uid,
        spanStartTimeShift: '-15m',
        spanEndTimeShift: '15m',
        // Span metrics carry the span's service.name as `service`.
        tags: [{ key: 'service.name', value: 'service' }],
        queries: TRACES_TO_METRICS_QUERIES.map((q) => ({ ...q, query: ofTenant(q.query) })),
      },
      serviceMap: { datasourceUid: prometheus.uid },
      nodeGraph: { enabled: true },
      search: { hide: false },
      // Multitenant Tempo refuses queries without a tenant header.
      ...(ds.tenants ? { httpHeaderName1: 'X-Scope-OrgID' } : {}),
      ...tls.jsonData,
    },
    ...(Object.keys(secureJsonData).length ? { secureJsonData } : {}),
  };
}

export function grafanaDatasources(env: EnvironmentSettings): Array<ObjectOf<'ConfigMap'>> {
  const { tempo, prometheus, loki } = DATASOURCES;
  const provisioning = {
    apiVersion: 1,
    datasources: [
      ...dualRunDatasources(env, tempoDatasources(env)).map((ds) => tempoDatasource(env, ds)),
      {
        name: prometheus.name,
        type: prometheus.type,
        uid: prometheus.uid,
        access: 'proxy',
        url: env.grafana.prometheusUrl,
        editable: false,
        jsonData: {
          httpMethod: 'POST',
          // The scrape interval of the stack's ServiceMonitors: $__rate_interval spans four scrapes.
          timeInterval: env.monitoring.scrapeInterval,
          // The metrics-generator attaches the trace id of a sampled span to each histogram bucket.
          exemplarTraceIdDestinations: [{ name: 'traceID', datasourceUid: tempo.uid }],
        },
      },
      {
        name: loki.name,
        type: loki.type,
        uid: loki.uid,
        access: 'proxy',
        url: env.grafana.lokiUrl,
        editable: false,
        jsonData: {
          derivedFields: [
            // A trace id in the log line (trace_id=…, traceID=…, "traceId":"…") …
            { name: 'TraceID', matcherRegex: '[Tt]race_?[Ii][Dd]\\W+(\\w+)', datasourceUid: tempo.uid, url: '${__value.raw}', urlDisplayLabel: 'Open trace' },
            // … or as the trace_id structured metadata the OpenTelemetry pipeline attaches.
            {
              name: 'trace_id',
              matcherType: 'label',
              matcherRegex: 'trace_id',
              datasourceUid: tempo.uid,
              url: '${__value.raw}',
              urlDisplayLabel: 'Open trace',
            },
          ],
        },
      },
    ],
  };
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: DATASOURCES_CONFIG_MAP, labels: { ...stackLabels(env.tempo.tag), grafana_datasource: '1' } },
      data: { [DATASOURCES_FILE]: escapeForProvisioning(toYaml(provisioning)) },
    },
  ];
}

/**
 * Grafana expands $VAR and ${VAR} in provisioning files from its environment; `$$` is a literal `$`.
 * Every `$` here is meant for Grafana's own interpolation (${__value.raw}, $__tags), so all are escaped.
 */
export const escapeForProvisioning = (text: string): string => text.replace(/\$/g, '$$$$');
export const unescapeProvisioning = (text: string): string => text.replace(/\$\$/g, '$');
