// tempo-vulture, Tempo's canary (features.vulture): pushes a trace to the distributor every few seconds
// (OTLP gRPC) and reads traces back through the query-frontend (by id, search and TraceQL), counting what
// it finds missing or wrong in tempo_vulture_* metrics. Flags as in cmd/tempo-vulture of Tempo v2.10.8.
//
// With TLS: vulture 2.10.8 pushes plaintext outside its validation mode (-tempo-push-tls is read only
// there) and has no CA flag. Its queries go to https:// with the CA in SSL_CERT_FILE (Go's default
// transport reads it). Its pushes go to a sidecar on the pod's loopback: an OpenTelemetry Collector (the
// agents' image, whose keys are checked) with one OTLP receiver, no processor and one exporter over TLS;
// queue and retries off, so a failed export fails vulture's push and vulture counts it.
import { PATTERNS, resources, str } from '../environment/fields';
import type { EnvironmentSettings } from '../environment/settings';
import { SINGLE_TENANT, settingsOf } from '../environment/tenants';
import { goMemLimit } from '../environment/units';
import { labels, objectName, selectorLabels, serviceHost } from '../stack';
import { TEMPO_PORTS, TEMPO_UID } from '../tempo/facts';
import { CA_FILE, caMount, caVolume } from '../tls';
import { distributorEndpoint } from './otelcol';
import { component } from './component';
import { OTLP_GRPC } from './distributor';
import { COLLECTOR_HEALTH_PORT, type OtlpExporter, type Pipeline, clientTls, healthCheck, tenantHeaders } from './otelcol';
import { containerPorts, containerResources, containerSecurity, podSecurity, service } from './pod';
import { DNS, scrapedBy, toStack } from './peers';

export const VULTURE = objectName('vulture');
/** The tenant vulture writes and reads as when multitenancy is on (its traces stay out of real tenants). */
export const VULTURE_TENANT = 'tempo-vulture';
/** -prometheus-listen-address (its default :80 needs root). */
const PORTS = [{ name: 'http-metrics', port: 8080, service: true }] as const;
const METRICS_PORT = PORTS[0].port;

/** The TLS sidecar's OTLP receiver, on the pod's loopback only. */
const SIDECAR_OTLP = '127.0.0.1:4317';
const SIDECAR_CONFIG = 'tls-sidecar.yaml';
const SIDECAR_DIR = '/conf';
export const VULTURE_SIDECAR = `${VULTURE}-tls-sidecar`;

/** -tempo-push-url needs a scheme: vulture parses it as a URL (a bare host:port loses its port). */
export function vultureArgs(env: EnvironmentSettings): string[] {
  const tls = env.tls.enabled;
  return [
    `-prometheus-listen-address=:${METRICS_PORT}`,
    `-tempo-push-url=http://${tls ? SIDECAR_OTLP : `${serviceHost(env, objectName('distributor'))}:${OTLP_GRPC}`}`,
    `-tempo-query-url=${tls ? 'https' : 'http'}://${serviceHost(env, objectName('query-frontend'))}:${TEMPO_PORTS.http}`,
    // Vulture asks for traces up to this old: beyond its tenant's retention they are gone by design.
    `-tempo-retention-duration=${settingsOf(env, env.features.multitenancy ? VULTURE_TENANT : SINGLE_TENANT).retention.text}`,
    ...(env.features.multitenancy ? [`-tempo-org-id=${VULTURE_TENANT}`] : []),
  ];
}

export interface SidecarConfig {
  extensions: { health_check: { endpoint: string; path: string } };
  receivers: { otlp: { protocols: { grpc: { endpoint: string } } } };
  exporters: { otlp_grpc: Pick<OtlpExporter, 'endpoint' | 'tls' | 'headers'> & { sending_queue: { enabled: false }; retry_on_failure: { enabled: false } } };
  service: { extensions: string[]; telemetry: { metrics: { level: 'none' } }; pipelines: { traces: Pipeline } };
}

/** Pass-through: what vulture sends reaches the distributor unchanged (no processor), as its tenant. */
export function sidecarConfig(env: EnvironmentSettings): SidecarConfig {
  return {
    extensions: { health_check: healthCheck() },
    receivers: { otlp: { protocols: { grpc: { endpoint: SIDECAR_OTLP } } } },
    exporters: {
      otlp_grpc: {
        endpoint: distributorEndpoint(env),
        tls: clientTls(env, CA_FILE),
        // The receiver does not pass vulture's own X-Scope-OrgID on: the sidecar sets vulture's tenant.
        ...(tenantHeaders(env, VULTURE_TENANT) ? { headers: tenantHeaders(env, VULTURE_TENANT) } : {}),
        sending_queue: { enabled: false },
        retry_on_failure: { enabled: false },
      },
    },
    service: {
      extensions: ['health_check'],
      telemetry: { metrics: { level: 'none' } },
      pipelines: { traces: { receivers: ['otlp'], processors: [], exporters: ['otlp_grpc'] } },
    },
  };
}

export const vulture = component({
  name: 'vulture',
  description: 'tempo-vulture canary: writes traces and reads them back',
  settings: {
    image: str('tempo-vulture image repository; the tag is always tempo.tag', PATTERNS.imageRepository, 'grafana/tempo-vulture'),
    resources: resources(
      { requests: { cpu: '50m', memory: '100Mi' }, limits: { cpu: '200m', memory: '500Mi' } },
      { least: '64Mi', why: 'tempo-vulture 2.10.8 holds about 50 MiB at idle (measured)' },
    ),
    // The collector agents' image: one collector release whose keys were checked.
    sidecarImage: str(
      'otel/opentelemetry-collector-contrib image with a pinned tag of the TLS sidecar (tls.enabled); keep it equal to components.collector.image',
      PATTERNS.pinnedImage,
      'otel/opentelemetry-collector-contrib:0.159.0',
    ),
  },
  enabled: (env) => env.features.vulture,
  ports: PORTS,
  metrics: { port: 'http-metrics', container: 'vulture', number: METRICS_PORT },
  ingress: (env) => [scrapedBy(env, METRICS_PORT)].filter((f) => f.from.length > 0),
  // Writes to the distributor, reads back through the query-frontend.
  egress: () => [DNS, toStack([OTLP_GRPC, TEMPO_PORTS.http])],
  objects(env, own) {
    // tempo-vulture ships with every Tempo release: same tag as Tempo.
    const podLabels = labels('vulture', env.tempo.tag);
    const tls = env.tls.enabled;
    return [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: VULTURE, labels: podLabels },
        spec: {
          replicas: 1,
          revisionHistoryLimit: 5,
          selector: { matchLabels: selectorLabels('vulture') },
          template: {
            metadata: { labels: podLabels },
            spec: {
              automountServiceAccountToken: false,
              // The image's own user (USER 10001:10001 in cmd/tempo-vulture/Dockerfile).
              securityContext: podSecurity(TEMPO_UID),
              containers: [
                {
                  name: 'vulture',
                  image: `${own.image}:${env.tempo.tag}`,
                  imagePullPolicy: 'IfNotPresent',
                  args: vultureArgs(env),
                  ports: containerPorts(PORTS),
                  env: [{ name: 'GOMEMLIMIT', value: goMemLimit(own.resources.limits.memory) }, ...(tls ? [{ name: 'SSL_CERT_FILE', value: CA_FILE }] : [])],
                  readinessProbe: { httpGet: { path: '/metrics', port: 'http-metrics' }, timeoutSeconds: 1 },
                  resources: containerResources(own.resources),
                  securityContext: containerSecurity,
                  ...(tls ? { volumeMounts: [caMount] } : {}),
                },
                ...(tls ? [sidecar(own.sidecarImage)] : []),
              ],
              ...(tls
                ? {
                    volumes: [
                      { name: 'sidecar-config', configMap: { name: VULTURE_SIDECAR } },
                      // The CA certificate alone: the ca.crt item of the distributor's Secret.
                      caVolume('distributor'),
                    ],
                  }
                : {}),
            },
          },
        },
      },
      service({ name: 'vulture', ports: PORTS }, podLabels),
    ];
  },
  configMaps: (env, own) =>
    env.tls.enabled
      ? [
          {
            name: VULTURE_SIDECAR,
            file: SIDECAR_CONFIG,
            content: { ...sidecarConfig(env) },
            comment: `# OpenTelemetry Collector (${own.sidecarImage}): tempo-vulture's TLS sidecar for ${env.name}.\n`,
            labels: labels('vulture', env.tempo.tag),
          },
        ]
      : [],
});

/** The sidecar container; its receiver listens on the pod's loopback, so the kubelet probes the health check. */
function sidecar(image: string) {
  return {
    name: 'tls-sidecar',
    image,
    imagePullPolicy: 'IfNotPresent' as const,
    args: [`--config=${SIDECAR_DIR}/${SIDECAR_CONFIG}`],
    ports: containerPorts([{ name: 'sidecar-health', port: COLLECTOR_HEALTH_PORT }]),
    readinessProbe: { httpGet: { path: '/', port: 'sidecar-health' }, initialDelaySeconds: 5, timeoutSeconds: 1 },
    env: [{ name: 'GOMEMLIMIT', value: '100MiB' }],
    resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
    securityContext: containerSecurity,
    volumeMounts: [{ name: 'sidecar-config', mountPath: SIDECAR_DIR, readOnly: true }, caMount],
  };
}
