// NetworkPolicies: the namespace denies all ingress, then each component admits exactly the flows Tempo
// and its edge need (`flows`). Egress of the stack's pods is limited too (`egress`, `egressOf`).
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';
import type { Component, EdgeComponent, Environment } from './environment/types';
import { TEMPO_COMPONENTS } from './environment/types';
import { EDGE_PORTS, GOSSIP_LABEL, INSTANCE, PORTS, RECEIVERS, RING_MEMBERS, labels, objectName, receiverPort, selectorLabels, stackLabels } from './stack';

export const DEFAULT_DENY = objectName('default-deny-ingress');
const EGRESS = objectName('egress');

type Target = Component | EdgeComponent;

/** A source of traffic, and the pods it may reach on which TCP ports. */
export interface Flow {
  to: readonly Target[];
  from: INetworkPolicyPeer[];
  ports: number[];
}

const pods = (component: Target): INetworkPolicyPeer => ({ podSelector: { matchLabels: selectorLabels(component) } });
const tempoPods = { matchLabels: { 'app.kubernetes.io/name': 'tempo', 'app.kubernetes.io/instance': INSTANCE } };
const ringMembers: INetworkPolicyPeer = { podSelector: { matchLabels: { 'app.kubernetes.io/instance': INSTANCE, [GOSSIP_LABEL]: 'true' } } };
/** Every pod of the named namespaces (`kubernetes.io/metadata.name` is set on every namespace since 1.22). */
const namespaces = (names: string[]): INetworkPolicyPeer[] =>
  names.length ? [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: names }] } }] : [];
const ANYWHERE: INetworkPolicyPeer[] = [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }];
const OTLP_GRPC = receiverPort('otlp-grpc');
const tcp = (ports: number[]): INetworkPolicyPort[] => ports.map((port) => ({ protocol: 'TCP', port }));

/** The edge components this environment runs. */
const edges = (env: Environment): EdgeComponent[] => [...(env.features.collector ? (['collector'] as const) : []), ...(env.features.vulture ? (['vulture'] as const) : [])];

/** Who reaches whom inside and into the stack. Anything not listed is denied by the namespace's default. */
export function flows(env: Environment): Flow[] {
  const allowed = env.networkPolicies;
  const all: Flow[] = [
    // Spans: instrumented applications (and collectors of their own) straight to the distributor...
    { to: ['distributor'], from: namespaces(allowed.traceSenderNamespaces), ports: RECEIVERS.map((r) => r.port) },
    // ...or through the collector agent, which exports OTLP gRPC; tempo-vulture writes the same way.
    { to: ['distributor'], from: edges(env).map(pods), ports: [OTLP_GRPC] },
    // Writes (distributor) and recent-data reads (querier) go to ingesters and generators over gRPC.
    { to: ['ingester', 'metrics-generator'], from: [pods('distributor'), pods('querier')], ports: [PORTS.grpc] },
    // Queriers dial the frontend and pull jobs over that stream; the frontend never dials a querier.
    { to: ['query-frontend'], from: [pods('querier')], ports: [PORTS.grpc] },
    // Grafana; the Service's 3100 is translated to the pod's 3200 before the policy applies.
    { to: ['query-frontend'], from: namespaces(allowed.grafanaNamespaces), ports: [PORTS.http] },
    // Memberlist over TCP only (dskit's TCP transport carries gossip packets too).
    { to: RING_MEMBERS, from: [ringMembers], ports: [PORTS.gossip] },
    { to: TEMPO_COMPONENTS, from: namespaces(allowed.prometheusNamespaces), ports: [PORTS.http] },
  ];
  if (env.features.memcached) {
    all.push(
      { to: ['memcached'], from: [{ podSelector: tempoPods }], ports: [PORTS.memcached] },
      { to: ['memcached'], from: namespaces(allowed.prometheusNamespaces), ports: [PORTS.memcachedExporter] },
    );
  }
  if (env.features.collector) {
    all.push(
      { to: ['collector'], from: namespaces(allowed.traceSenderNamespaces), ports: [EDGE_PORTS.collectorOtlpGrpc, EDGE_PORTS.collectorOtlpHttp] },
      { to: ['collector'], from: namespaces(allowed.prometheusNamespaces), ports: [EDGE_PORTS.collectorMetrics] },
    );
  }
  if (env.features.vulture) {
    all.push(
      // The vulture reads back what it wrote through the query-frontend, like Grafana.
      { to: ['query-frontend'], from: [pods('vulture')], ports: [PORTS.http] },
      { to: ['vulture'], from: namespaces(allowed.prometheusNamespaces), ports: [EDGE_PORTS.vultureMetrics] },
    );
  }
  return all.filter((f) => f.from.length > 0);
}

/** The remote-write target: a Service's namespace when the URL is cluster-local, else any address. */
function remoteWrite(url: string): INetworkPolicyEgressRule {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const service = /^[a-z0-9-]+\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(u.hostname);
  return { to: service ? namespaces([service[1]!]) : ANYWHERE, ports: tcp([port]) };
}

const DNS: INetworkPolicyEgressRule = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
};
/** S3, STS (IRSA), KMS and the API server have no addresses a NetworkPolicy could name: 443 stays open. */
const HTTPS: INetworkPolicyEgressRule = { to: ANYWHERE, ports: tcp([443]) };
const stack = (ports: number[]): INetworkPolicyEgressRule => ({ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': INSTANCE } } }], ports: tcp(ports) });

/** Where Tempo's pods may connect: DNS, the stack's gRPC, gossip and memcached ports, and HTTPS. Every other port is closed, the instance metadata service (port 80) included. */
function egress(env: Environment): INetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: EGRESS, labels: stackLabels(env) },
    spec: {
      podSelector: tempoPods,
      policyTypes: ['Egress'],
      egress: [DNS, stack([PORTS.grpc, PORTS.gossip, ...(env.features.memcached ? [PORTS.memcached] : [])]), HTTPS],
    },
  };
}

/** Egress a component needs beyond the tempo-stack-egress policy; undefined: that policy covers it. */
function egressOf(env: Environment, component: Target): INetworkPolicyEgressRule[] | undefined {
  switch (component) {
    case 'memcached':
      return []; // dials nothing: its exporter talks to localhost
    case 'metrics-generator':
      return [remoteWrite(env.metricsGenerator.remoteWriteUrl)];
    case 'collector':
      return [DNS, stack([OTLP_GRPC]), HTTPS]; // the spans it scrubbed go to the distributor only; k8s_attributes watches the API
    case 'vulture':
      return [DNS, stack([OTLP_GRPC, PORTS.http])]; // writes to the distributor, reads back through the query-frontend
    default:
      return undefined;
  }
}

function componentPolicy(env: Environment, component: Target, all: Flow[]): INetworkPolicy {
  const ingress = all.filter((f) => f.to.includes(component)).map((f) => ({ from: f.from, ports: tcp(f.ports) }));
  const out = egressOf(env, component);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: objectName(component), labels: labels(component, env) },
    spec: {
      podSelector: { matchLabels: selectorLabels(component) },
      policyTypes: out ? ['Ingress', 'Egress'] : ['Ingress'],
      ingress,
      ...(out?.length ? { egress: out } : {}),
    },
  };
}

export function networkPolicies(env: Environment): INetworkPolicy[] {
  if (!env.features.networkPolicies) return [];
  const all = flows(env);
  const components: Target[] = [...TEMPO_COMPONENTS, ...(env.features.memcached ? (['memcached'] as const) : []), ...edges(env)];
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: DEFAULT_DENY, labels: stackLabels(env) },
      // Every pod of the namespace, present or future, accepts nothing but what a policy below admits.
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    },
    egress(env),
    ...components.map((c) => componentPolicy(env, c, all)),
  ];
}
