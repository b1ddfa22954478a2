// memcached: the cache of bloom filters, parquet footers and search results (features.memcached), with
// Prometheus' memcached-exporter beside it in the pod.
import { int, PATTERNS, replicas, resources, str } from '../environment/fields';
import type { KubeObject } from '../kubernetes/objects';
import { RELOAD_ANNOTATION } from '../credentials';
import { imageTag, labels, objectName, selectorLabels } from '../stack';
import { TLS_FILES, certificate, podNames, serverName, serviceNames, tlsMount, tlsSecret, tlsVolume } from '../tls';
import { component } from './component';
import { containerPorts, containerResources, containerSecurity, maximumReplicas, placement, podDisruptionBudget, podSecurity, service } from './pod';
import { scrapedBy, tempoPods } from './peers';

const PORTS = [
  { name: 'client', port: 11211, service: true },
  { name: 'http-metrics', port: 9150, service: true },
] as const;
export const MEMCACHED_PORT = PORTS[0].port;
const EXPORTER_PORT = PORTS[1].port;
/** The pod's own UID (not one of the images' users): memcached and its exporter write nothing. */
const UID = 11211;

/**
 * memcached 1.6 built with TLS (the alpine image is): -Z turns it on for the port, ssl_verify_mode 2 requires a
 * client certificate signed by the CA (Tempo's components and the exporter present theirs).
 */
export const MEMCACHED_TLS_OPTIONS = `ssl_chain_cert=${TLS_FILES.cert},ssl_key=${TLS_FILES.key},ssl_ca_cert=${TLS_FILES.ca},ssl_verify_mode=2`;
const serverTlsArgs = ['-Z', '-o', MEMCACHED_TLS_OPTIONS];
/** The exporter dials localhost: it checks the certificate under the Service's name instead. */
const exporterTlsArgs = (env: { namespace: string }) => [
  '--memcached.tls.enable',
  `--memcached.tls.cert-file=${TLS_FILES.cert}`,
  `--memcached.tls.key-file=${TLS_FILES.key}`,
  `--memcached.tls.ca-file=${TLS_FILES.ca}`,
  `--memcached.tls.server-name=${serverName(env, objectName('memcached'))}`,
];

export const memcached = component({
  name: 'memcached',
  description: 'Cache for bloom filters, parquet footers and search results',
  settings: {
    replicas: replicas(2, 20),
    resources: resources(
      { requests: { cpu: '100m', memory: '1152Mi' }, limits: { cpu: '500m', memory: '1280Mi' } },
      { least: '96Mi', why: 'memcached holds at least its -m item memory (64 MB here) plus connection buffers' },
    ),
    memoryLimitMb: int('Memcached item memory (-m), MB; keep below the container memory limit', 64, 1024),
    image: str('memcached image with a pinned tag', PATTERNS.pinnedImage, 'memcached:1.6.39-alpine'),
    exporterImage: str('memcached-exporter image with a pinned tag', PATTERNS.pinnedImage, 'prom/memcached-exporter:v0.15.4'),
  },
  version: (_env, mc) => imageTag(mc.image),
  enabled: (env) => env.features.memcached,
  checks: (mc) =>
    mc.memoryLimitMb * 2 ** 20 >= mc.resources.limits.memory.value
      ? [
          {
            path: 'memoryLimitMb',
            message: `must stay below the container memory limit (${mc.resources.limits.memory.text}) to leave room for connections, got ${mc.memoryLimitMb}`,
          },
        ]
      : [],
  ports: PORTS,
  metrics: { port: 'http-metrics', container: 'exporter', number: EXPORTER_PORT },
  ingress: (env) => [{ from: [tempoPods], ports: [MEMCACHED_PORT] }, scrapedBy(env, EXPORTER_PORT)].filter((f) => f.from.length > 0),
  // It dials nothing: its exporter talks to localhost.
  egress: () => [],
  objects(env, mc) {
    const own = labels('memcached', imageTag(mc.image));
    const tls = env.tls.enabled;
    const objects: KubeObject[] = [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: objectName('memcached'),
          labels: own,
          // memcached reads its certificate and CA once at start.
          ...(tls ? { annotations: { [RELOAD_ANNOTATION]: tlsSecret('memcached') } } : {}),
        },
        spec: {
          replicas: mc.replicas,
          revisionHistoryLimit: 5,
          selector: { matchLabels: selectorLabels('memcached') },
          template: {
            metadata: { labels: own },
            spec: {
              automountServiceAccountToken: false,
              securityContext: podSecurity(UID),
              ...placement(selectorLabels('memcached'), maximumReplicas(mc)),
              containers: [
                {
                  name: 'memcached',
                  image: mc.image,
                  imagePullPolicy: 'IfNotPresent',
                  // -I 5m: parquet footers can exceed memcached's 1 MiB default item size.
                  args: ['-m', String(mc.memoryLimitMb), '-I', '5m', '-c', '4096', ...(tls ? serverTlsArgs : [])],
                  ports: containerPorts([PORTS[0]]),
                  readinessProbe: { tcpSocket: { port: 'client' }, initialDelaySeconds: 5, timeoutSeconds: 1 },
                  resources: containerResources(mc.resources),
                  securityContext: containerSecurity,
                  ...(tls ? { volumeMounts: [tlsMount] } : {}),
                },
                // The exporter image defaults to `nobody`; here it runs as the pod's UID and writes nothing.
                {
                  name: 'exporter',
                  image: mc.exporterImage,
                  imagePullPolicy: 'IfNotPresent',
                  args: [`--memcached.address=localhost:${MEMCACHED_PORT}`, `--web.listen-address=:${EXPORTER_PORT}`, ...(tls ? exporterTlsArgs(env) : [])],
                  ports: containerPorts([PORTS[1]]),
                  readinessProbe: { httpGet: { path: '/metrics', port: 'http-metrics' }, timeoutSeconds: 1 },
                  resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
                  securityContext: containerSecurity,
                  ...(tls ? { volumeMounts: [tlsMount] } : {}),
                },
              ],
              ...(tls ? { volumes: [tlsVolume('memcached')] } : {}),
            },
          },
        },
      },
      service({ name: 'memcached', ports: PORTS }, own, { headless: true }),
    ];
    if (tls) objects.push(certificate(env, 'memcached', [...serviceNames(env, objectName('memcached')), ...podNames(env, objectName('memcached'))]));
    if (maximumReplicas(mc) > 1) objects.push(podDisruptionBudget('memcached', own, selectorLabels('memcached')));
    return objects;
  },
});
