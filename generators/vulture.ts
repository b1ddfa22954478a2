// tempo-vulture, Tempo's canary: pushes a trace to the distributor every few seconds (OTLP gRPC) and
// reads traces back through the query-frontend (by id, search and TraceQL), counting what it finds
// missing or wrong in tempo_vulture_* metrics. Flags as in cmd/tempo-vulture of Tempo v2.10.8.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IService } from 'kubernetes-models/v1/Service';
import type { Environment } from './environment/types';
import { goMemLimit } from './quantity';
import type { K8sObject } from './render';
import { EDGE_PORTS, PORTS, labels, objectName, receiverPort, selectorLabels, serviceHost, vultureImage } from './stack';
import { containerSecurity, podSecurity } from './workloads';

export const VULTURE = objectName('vulture');
/** The tenant vulture writes and reads as when multitenancy is on (its traces stay out of real tenants). */
export const VULTURE_TENANT = 'tempo-vulture';

/** -tempo-push-url needs a scheme: vulture parses it as a URL (a bare host:port loses its port). */
export function vultureArgs(env: Environment): string[] {
  return [
    `-prometheus-listen-address=:${EDGE_PORTS.vultureMetrics}`,
    `-tempo-push-url=http://${serviceHost(objectName('distributor'))}:${receiverPort('otlp-grpc')}`,
    `-tempo-query-url=http://${serviceHost(objectName('query-frontend'))}:${PORTS.http}`,
    // Vulture asks for traces up to this old: beyond the compactor's retention they are gone by design.
    `-tempo-retention-duration=${env.retention}`,
    ...(env.features.multitenancy ? [`-tempo-org-id=${VULTURE_TENANT}`] : []),
  ];
}

function deployment(env: Environment): IDeployment {
  const resources = env.vulture.resources;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: VULTURE, labels: labels('vulture', env) },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels('vulture') },
      template: {
        metadata: { labels: labels('vulture', env) },
        spec: {
          automountServiceAccountToken: false,
          // The image's own user (USER 10001:10001 in cmd/tempo-vulture/Dockerfile).
          securityContext: podSecurity(10001),
          containers: [
            {
              name: 'vulture',
              image: vultureImage(env),
              imagePullPolicy: 'IfNotPresent',
              args: vultureArgs(env),
              ports: [{ name: 'http-metrics', containerPort: EDGE_PORTS.vultureMetrics, protocol: 'TCP' }],
              env: [{ name: 'GOMEMLIMIT', value: goMemLimit(resources.limits.memory) }],
              readinessProbe: { httpGet: { path: '/metrics', port: 'http-metrics' }, timeoutSeconds: 1 },
              resources,
              securityContext: containerSecurity,
            },
          ],
        },
      },
    },
  };
}

function service(env: Environment): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: VULTURE, labels: labels('vulture', env) },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels('vulture'),
      ports: [{ name: 'http-metrics', port: EDGE_PORTS.vultureMetrics, targetPort: 'http-metrics', protocol: 'TCP' }],
    },
  };
}

export function vultureObjects(env: Environment): K8sObject[] {
  if (!env.features.vulture) return [];
  return [deployment(env), service(env)] as K8sObject[];
}
