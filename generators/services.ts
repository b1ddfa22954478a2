// Services: one per component, plus the gossip ring and the query-frontend discovery Service.
import type { IService } from 'kubernetes-models/v1/Service';
import type { Component, Environment } from './environment/types';
import { TEMPO_COMPONENTS } from './environment/types';
import { GOSSIP_LABEL, GRPC_SERVERS, INSTANCE, PORTS, RECEIVERS, SERVICES, STATEFUL, labels, objectName, selectorLabels, stackLabels } from './stack';

type ServicePort = NonNullable<NonNullable<IService['spec']>['ports']>[number];
const port = (name: string, number: number, targetPort: string | number = name): ServicePort => ({
  name,
  port: number,
  targetPort,
  protocol: 'TCP',
});

function service(env: Environment, component: Component, ports: ServicePort[], headless = false): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: objectName(component), labels: labels(component, env) },
    spec: {
      ...(headless ? { clusterIP: 'None' } : { type: 'ClusterIP' }),
      selector: selectorLabels(component),
      ports,
    },
  };
}

export function services(env: Environment): IService[] {
  const out: IService[] = [];
  for (const component of TEMPO_COMPONENTS) {
    const ports = [port('http', PORTS.http), ...(GRPC_SERVERS.includes(component) ? [port('grpc', PORTS.grpc)] : [])];
    if (component === 'distributor') ports.push(...RECEIVERS.map((r) => port(r.portName, r.port)));
    // The URL the design documents (…query-frontend…:3100) keeps working next to Tempo's own 3200.
    if (component === 'query-frontend') ports.push(port('http-legacy', PORTS.httpLegacy, 'http'));
    // StatefulSets get a headless governing Service: pods keep stable DNS names.
    out.push(service(env, component, ports, STATEFUL.includes(component)));
  }
  out.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: SERVICES.queryFrontendDiscovery, labels: labels('query-frontend', env) },
    spec: {
      clusterIP: 'None',
      // Queriers must reach every frontend, ready or not, or a starting frontend gets no workers.
      publishNotReadyAddresses: true,
      selector: selectorLabels('query-frontend'),
      ports: [port('grpc', PORTS.grpc)],
    },
  });
  out.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: SERVICES.gossip, labels: stackLabels(env) },
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: { 'app.kubernetes.io/instance': INSTANCE, [GOSSIP_LABEL]: 'true' },
      ports: [port('gossip-ring', PORTS.gossip)],
    },
  });
  if (env.features.memcached) {
    out.push(
      service(env, 'memcached', [port('client', PORTS.memcached), port('http-metrics', PORTS.memcachedExporter)], true),
    );
  }
  return out;
}
