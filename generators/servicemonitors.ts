// ServiceMonitors (prometheus-operator) for every Tempo component, memcached's exporter and the ingestion
// edge (collector agent, tempo-vulture). Their
// relabelings give each series the labels Tempo's alerts and dashboards select on (the mixin
// convention): job="<namespace>/<component>", cluster, namespace, pod, container. A mismatch here is
// the usual reason Tempo dashboards show nothing, so the labels are built in one place (scrapeLabels)
// that the promtool tests use too.
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { Component, EdgeComponent, Environment } from './environment/types';
import { TEMPO_COMPONENTS } from './environment/types';
import type { K8sObject } from './render';
import { EDGE_PORTS, NAMESPACE, PORTS, labels, objectName, selectorLabels } from './stack';

/** What is scraped: Tempo's components, memcached's exporter and the ingestion edge (collector, vulture). */
export type Scraped = Component | EdgeComponent;

/** Components with a metrics endpoint, in scrape order. */
export function scrapedComponents(env: Environment): Scraped[] {
  return [
    ...TEMPO_COMPONENTS,
    ...(env.features.memcached ? (['memcached'] as const) : []),
    ...(env.features.collector ? (['collector'] as const) : []),
    ...(env.features.vulture ? (['vulture'] as const) : []),
  ];
}

/** The Service port, container and port number serving /metrics. */
export function metricsEndpoint(component: Scraped): { port: string; container: string; number: number } {
  if (component === 'memcached') return { port: 'http-metrics', container: 'exporter', number: PORTS.memcachedExporter };
  if (component === 'collector') return { port: 'http-metrics', container: 'collector', number: EDGE_PORTS.collectorMetrics };
  if (component === 'vulture') return { port: 'http-metrics', container: 'vulture', number: EDGE_PORTS.vultureMetrics };
  return { port: 'http', container: component, number: PORTS.http };
}

export const scrapeJob = (component: Scraped): string => `${NAMESPACE}/${component}`;

/**
 * The target labels a series scraped from `pod` carries: ours (job, cluster, namespace, pod, container)
 * plus the ones prometheus-operator always adds (service, endpoint, instance).
 */
export function scrapeLabels(env: Environment, component: Scraped, pod: string, ip: string): Record<string, string> {
  const endpoint = metricsEndpoint(component);
  return {
    cluster: env.cluster.name,
    namespace: NAMESPACE,
    job: scrapeJob(component),
    pod,
    container: endpoint.container,
    service: objectName(component),
    endpoint: endpoint.port,
    instance: `${ip}:${endpoint.number}`,
  };
}

export function serviceMonitor(env: Environment, component: Scraped): IServiceMonitor {
  const endpoint = metricsEndpoint(component);
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: objectName(component), labels: { ...labels(component, env), ...env.monitoring.selectorLabels } },
    spec: {
      // The query-frontend discovery Service shares these labels but has no metrics port: no target.
      selector: { matchLabels: selectorLabels(component) },
      // OpenMetrics text only: Tempo registers some counters without `_total` (tempo_receiver_*_spans)
      // and only OpenMetrics adds it; the protobuf format would also drop the classic `_bucket` series
      // the rules and dashboards read when Prometheus has native histograms on.
      scrapeProtocols: ['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1'],
      endpoints: [
        {
          port: endpoint.port,
          path: '/metrics',
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

export function serviceMonitors(env: Environment): K8sObject[] {
  return scrapedComponents(env).map((c) => serviceMonitor(env, c) as unknown as K8sObject);
}
