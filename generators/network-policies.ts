// NetworkPolicies: the namespace denies all ingress, then each component admits exactly the flows Tempo
// needs (`flows`). Egress of the stack's pods is limited too: see `egress` for what and why.
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';
import type { Component, Environment } from './environment/types';
import { TEMPO_COMPONENTS } from './environment/types';
import { GOSSIP_LABEL, INSTANCE, PORTS, RECEIVERS, RING_MEMBERS, labels, objectName, selectorLabels, stackLabels } from './stack';

export const DEFAULT_DENY = objectName('default-deny-ingress');
const EGRESS = objectName('egress');

/** A source of traffic, and the pods it may reach on which TCP ports. */
export interface Flow {
  to: readonly Component[];
  from: INetworkPolicyPeer[];
  ports: number[];
}

const pods = (component: Component): INetworkPolicyPeer => ({ podSelector: { matchLabels: selectorLabels(component) } });
const tempoPods = { matchLabels: { 'app.kubernetes.io/name': 'tempo', 'app.kubernetes.io/instance': INSTANCE } };
const ringMembers: INetworkPolicyPeer = { podSelector: { matchLabels: { 'app.kubernetes.io/instance': INSTANCE, [GOSSIP_LABEL]: 'true' } } };
/** Any pod of the stack's own namespace (a peer without namespaceSelector means the policy's namespace). */
const ownNamespace: INetworkPolicyPeer = { podSelector: {} };
/** Every pod of the named namespaces (`kubernetes.io/metadata.name` is set on every namespace since 1.22). */
const namespaces = (names: string[]): INetworkPolicyPeer[] =>
  names.length ? [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: names }] } }] : [];
const ANYWHERE: INetworkPolicyPeer[] = [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }];
const tcp = (ports: number[]): INetworkPolicyPort[] => ports.map((port) => ({ protocol: 'TCP', port }));

/** Who reaches whom inside and into the stack. Anything not listed is denied by the namespace's default. */
export function flows(env: Environment): Flow[] {
  const allowed = env.networkPolicies;
  const all: Flow[] = [
    // Spans: instrumented applications and collectors, and the collector agent in this namespace.
    { to: ['distributor'], from: [ownNamespace, ...namespaces(allowed.traceSenderNamespaces)], ports: RECEIVERS.map((r) => r.port) },
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
  return all.filter((f) => f.from.length > 0);
}

/** The remote-write target: a Service's namespace when the URL is cluster-local, else any address. */
function remoteWrite(url: string): { to: INetworkPolicyPeer[]; ports: INetworkPolicyPort[] } {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const service = /^[a-z0-9-]+\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(u.hostname);
  return { to: service ? namespaces([service[1]!]) : ANYWHERE, ports: tcp([port]) };
}

/**
 * Egress of Tempo's pods: DNS, the stack's own gRPC, gossip and memcached ports, and HTTPS anywhere (S3,
 * STS for IRSA, KMS: AWS endpoints have no stable addresses a NetworkPolicy could name). This blocks the
 * instance metadata service (port 80) and every other port out of the pod.
 */
function egress(env: Environment): INetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: EGRESS, labels: stackLabels(env) },
    spec: {
      podSelector: tempoPods,
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
        },
        {
          to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': INSTANCE } } }],
          ports: tcp([PORTS.grpc, PORTS.gossip, ...(env.features.memcached ? [PORTS.memcached] : [])]),
        },
        { to: ANYWHERE, ports: tcp([443]) },
      ],
    },
  };
}

function componentPolicy(env: Environment, component: Component, all: Flow[]): INetworkPolicy {
  const ingress = all.filter((f) => f.to.includes(component)).map((f) => ({ from: f.from, ports: tcp(f.ports) }));
  // memcached dials nothing (its exporter talks to localhost); the generator remote-writes its metrics.
  const out = component === 'memcached' ? [] : component === 'metrics-generator' ? [remoteWrite(env.metricsGenerator.remoteWriteUrl)] : undefined;
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
  const components: Component[] = [...TEMPO_COMPONENTS, ...(env.features.memcached ? (['memcached'] as const) : [])];
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
