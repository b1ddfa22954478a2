// NetworkPolicies: the namespace denies all ingress, then each component admits exactly the flows it
// declares (Component.ingress). Egress of Tempo's pods is limited by one policy; a component that needs
// other egress declares it (Component.egress).
import type { Component } from './components/component';
import { DNS, HTTPS, tempoPods, tcp, toStack } from './components/peers';
import type { EnvironmentSettings } from './environment/settings';
import type { ObjectOf } from './kubernetes/objects';
import { objectName, selectorLabels, stackLabels } from './stack';
import { TEMPO_PORTS } from './tempo/facts';
import { MEMCACHED_PORT } from './components/memcached';

export const DEFAULT_DENY = objectName('default-deny-ingress');
const EGRESS = objectName('egress');

type NetworkPolicy = ObjectOf<'NetworkPolicy'>;

/** Every pod of the namespace, present or future, accepts nothing but what a component's policy admits. */
export function defaultDeny(env: EnvironmentSettings): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: DEFAULT_DENY, labels: stackLabels(env.tempo.tag) },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  };
}

/** Where Tempo's pods may connect: DNS, the stack's gRPC, gossip and memcached ports, and HTTPS. Every other port is closed, the instance metadata service (port 80) included. */
export function tempoEgress(env: EnvironmentSettings): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: EGRESS, labels: stackLabels(env.tempo.tag) },
    spec: {
      podSelector: tempoPods.podSelector!,
      policyTypes: ['Egress'],
      egress: [DNS, toStack([TEMPO_PORTS.grpc, TEMPO_PORTS.gossip, ...(env.features.memcached ? [MEMCACHED_PORT] : [])]), HTTPS],
    },
  };
}

/** The component's own policy: the ingress it declares, and its egress where it declares one. */
export function componentPolicy(env: EnvironmentSettings, c: Component, own: unknown, labels: Record<string, string>): NetworkPolicy {
  const out = c.egress?.(env, own);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: objectName(c.name), labels },
    spec: {
      podSelector: { matchLabels: selectorLabels(c.name) },
      policyTypes: out ? ['Ingress', 'Egress'] : ['Ingress'],
      ingress: c.ingress(env, own).map((f) => ({ from: f.from, ports: tcp(f.ports) })),
      ...(out?.length ? { egress: out } : {}),
    },
  };
}
