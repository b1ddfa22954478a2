// ServiceMonitors (prometheus-operator) for every Tempo component, memcached's exporter and the ingestion
// edge (collector agent, tempo-vulture). Their
// relabelings give each series the labels Tempo's alerts and dashboards select on (the mixin
// convention): job="<namespace>/<component>", cluster, namespace, pod, container. A mismatch here is
// the usual reason Tempo dashboards show nothing, so the labels are built in one place (scrapeLabels)
// that the promtool tests use too.
import type { Component, MetricsEndpoint } from './components/component';
import type { EnvironmentSettings } from './environment/settings';
import type { ObjectOf } from './kubernetes/objects';
import { objectName, selectorLabels } from './stack';
import { serverName, tlsSecret } from './tls';

/** job="<namespace>/<component>": two stacks in one cluster (a dual run) keep apart by their namespace. */
export const scrapeJob = (namespace: string, component: string): string => `${namespace}/${component}`;

/**
 * The target labels a series scraped from `pod` carries: ours (job, cluster, namespace, pod, container)
 * plus the ones prometheus-operator always adds (service, endpoint, instance).
 */
export function scrapeLabels(env: EnvironmentSettings, c: { name: string; metrics: MetricsEndpoint }, pod: string, ip: string): Record<string, string> {
  return {
    cluster: env.cluster.name,
    namespace: env.namespace,
    job: scrapeJob(env.namespace, c.name),
    pod,
    container: c.metrics.container,
    service: objectName(c.name),
    endpoint: c.metrics.port,
    instance: `${ip}:${c.metrics.number}`,
  };
}

export function serviceMonitor(env: EnvironmentSettings, c: Component, labels: Record<string, string>): ObjectOf<'ServiceMonitor'> {
  const endpoint = c.metrics;
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: objectName(c.name), labels: { ...labels, ...env.monitoring.selectorLabels } },
    spec: {
      // The query-frontend discovery Service shares these labels but has no metrics port: no target.
      selector: { matchLabels: selectorLabels(c.name) },
      // Text formats only, never protobuf: a Prometheus that scrapes native histograms (the
      // `native-histograms` feature before 3.8, `scrape_native_histograms` since) asks for protobuf first
      // and then keeps only the native form of a histogram that has one, dropping the classic `_bucket`
      // series the rules and dashboards read (Tempo gives tempo_distributor_push_duration_seconds, the
      // flush, queue, cache and S3 latencies native buckets). Metric names are the same in every format.
      scrapeProtocols: ['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1'],
      endpoints: [
        {
          port: endpoint.port,
          path: '/metrics',
          ...scrapeTls(env, c),
          interval: env.monitoring.scrapeInterval,
          // prometheus-operator applies these after its defaults, so they win.
          relabelings: [
            {
              action: 'replace',
              sourceLabels: ['__meta_kubernetes_namespace', '__meta_kubernetes_service_label_app_kubernetes_io_component'],
              separator: '/',
              targetLabel: 'job',
            },
            { action: 'replace', targetLabel: 'cluster', replacement: env.cluster.name },
            { action: 'replace', sourceLabels: ['__meta_kubernetes_namespace'], targetLabel: 'namespace' },
            { action: 'replace', sourceLabels: ['__meta_kubernetes_pod_name'], targetLabel: 'pod' },
            { action: 'replace', sourceLabels: ['__meta_kubernetes_pod_container_name'], targetLabel: 'container' },
          ],
        },
      ],
    },
  };
}

/**
 * Tempo's HTTP port speaks TLS when tls.enabled: Prometheus checks it against the CA (the ca.crt of the
 * component's own Secret, in this namespace) under the Service's name, since it scrapes pod IPs. The
 * other metrics endpoints (memcached's exporter, the collectors, vulture) stay plaintext.
 */
function scrapeTls(env: EnvironmentSettings, c: Component) {
  if (!env.tls.enabled || !c.tempo) return {};
  return {
    scheme: 'https' as const,
    tlsConfig: { ca: { secret: { name: tlsSecret(c.name), key: 'ca.crt' } }, serverName: serverName(env, objectName(c.name)) },
  };
}
