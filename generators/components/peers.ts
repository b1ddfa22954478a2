// NetworkPolicy peers and egress rules the components name in their flows.
import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';
import type { EnvironmentSettings } from '../environment/settings';
import { INSTANCE, INSTANCE_SELECTOR, selectorLabels } from '../stack';
import type { Flow } from './component';

/** The pods of a component. */
export const pods = (component: string): INetworkPolicyPeer => ({ podSelector: { matchLabels: selectorLabels(component) } });
/** Every pod of Tempo itself (not memcached or the edge). */
export const tempoPods: INetworkPolicyPeer = { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'tempo', 'app.kubernetes.io/instance': INSTANCE } } };
/** Every pod of the named namespaces (`kubernetes.io/metadata.name` is set on every namespace since 1.22). */
export const namespaces = (names: string[]): INetworkPolicyPeer[] =>
  names.length ? [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: names }] } }] : [];
export const ANYWHERE: INetworkPolicyPeer[] = [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }];

/** Prometheus scrapes the component's metrics port. */
export const scrapedBy = (env: EnvironmentSettings, port: number): Flow => ({ from: namespaces(env.networkPolicies.prometheusNamespaces), ports: [port] });

export const tcp = (ports: number[]): INetworkPolicyPort[] => ports.map((port) => ({ protocol: 'TCP', port }));

export const DNS: INetworkPolicyEgressRule = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};
/** S3, STS (IRSA), KMS and the API server have no addresses a NetworkPolicy could name: 443 stays open. */
export const HTTPS: INetworkPolicyEgressRule = { to: ANYWHERE, ports: tcp([443]) };
/** A component's pods in another namespace (a dual run's two stacks). */
export const podsIn = (namespace: string, component: string): INetworkPolicyPeer => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
  podSelector: { matchLabels: selectorLabels(component) },
});
/** In a dual run, the component that writes to the distributors (collector agent, or tail-sampling gateway) reaches the 3.x stack's too. */
export const toTempo3Distributor = (env: EnvironmentSettings, sender: string, port: number): INetworkPolicyEgressRule[] =>
  env.migration && sender === (env.sampling.tail.enabled ? 'gateway' : 'collector')
    ? [{ to: [podsIn(env.migration.namespace, 'distributor')], ports: tcp([port]) }]
    : [];
/** Ports of the stack's own pods. */
export const toStack = (ports: number[]): INetworkPolicyEgressRule => ({ to: [{ podSelector: { matchLabels: { ...INSTANCE_SELECTOR } } }], ports: tcp(ports) });

/** The remote-write target: a Service's namespace when the URL is cluster-local, else any address. */
export function remoteWrite(url: string): INetworkPolicyEgressRule {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const service = /^[a-z0-9-]+\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(u.hostname);
  return { to: service ? namespaces([service[1]!]) : ANYWHERE, ports: tcp([port]) };
}
