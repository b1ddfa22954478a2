// tempo-vulture, Tempo's canary (features.vulture): pushes a trace to the distributor every few seconds
// (OTLP gRPC) and reads traces back through the query-frontend (by id, search and TraceQL), counting what
// it finds missing or wrong in tempo_vulture_* metrics. Flags as in cmd/tempo-vulture of Tempo v2.10.8.
import { PATTERNS, resources, str } from '../environment/fields';
import type { EnvironmentSettings } from '../environment/settings';
import { SINGLE_TENANT, settingsOf } from '../environment/tenants';
import { goMemLimit } from '../environment/units';
import { labels, objectName, selectorLabels, serviceHost } from '../stack';
import { TEMPO_PORTS, TEMPO_UID } from '../tempo/facts';
import { component } from './component';
import { OTLP_GRPC } from './distributor';
import { containerPorts, containerResources, containerSecurity, podSecurity, service } from './pod';
import { DNS, scrapedBy, toStack } from './peers';

export const VULTURE = objectName('vulture');
/** The tenant vulture writes and reads as when multitenancy is on (its traces stay out of real tenants). */
export const VULTURE_TENANT = 'tempo-vulture';
/** -prometheus-listen-address (its default :80 needs root). */
const PORTS = [{ name: 'http-metrics', port: 8080, service: true }] as const;
const METRICS_PORT = PORTS[0].port;

/** -tempo-push-url needs a scheme: vulture parses it as a URL (a bare host:port loses its port). */
export function vultureArgs(env: EnvironmentSettings): string[] {
  return [
    `-prometheus-listen-address=:${METRICS_PORT}`,
    `-tempo-push-url=http://${serviceHost(objectName('distributor'))}:${OTLP_GRPC}`,
    `-tempo-query-url=http://${serviceHost(objectName('query-frontend'))}:${TEMPO_PORTS.http}`,
    // Vulture asks for traces up to this old: beyond its tenant's retention they are gone by design.
    `-tempo-retention-duration=${settingsOf(env, env.features.multitenancy ? VULTURE_TENANT : SINGLE_TENANT).retention.text}`,
    ...(env.features.multitenancy ? [`-tempo-org-id=${VULTURE_TENANT}`] : []),
  ];
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
                  env: [{ name: 'GOMEMLIMIT', value: goMemLimit(own.resources.limits.memory) }],
                  readinessProbe: { httpGet: { path: '/metrics', port: 'http-metrics' }, timeoutSeconds: 1 },
                  resources: containerResources(own.resources),
                  securityContext: containerSecurity,
                },
              ],
            },
          },
        },
      },
      service({ name: 'vulture', ports: PORTS }, podLabels),
    ];
  },
});
