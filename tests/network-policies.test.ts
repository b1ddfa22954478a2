// The NetworkPolicies of every overlay, evaluated like a CNI would: the flows Tempo needs are open,
// and the flows it does not need are closed.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../generators/kubernetes/objects';
import { DEFAULT_DENY } from '../generators/network-policies';
import { renderEnvironment } from '../generators/render';
import { mergeEnvironment } from '../generators/environment/load';
import { portOf } from '../generators/components/component';
import { RECEIVERS } from '../generators/components/distributor';
import { COMPONENTS, type ComponentName, TEMPO_TARGETS } from '../generators/components/index';
import { MEMCACHED_PORT } from '../generators/components/memcached';
import { type Labels, matches } from '../generators/kubernetes/cluster';
import { environmentNames } from '../generators/repository';
import { objectName } from '../generators/stack';
import { TEMPO_PORTS as PORTS } from '../generators/tempo/facts';
import { ROOT, build } from './helpers/kustomize';
import type { Any } from './helpers/objects';

type Pod = { namespace: string; labels: Labels };
type Endpoint = Pod | { ip: string };

const selecting = (policies: Any[], pod: Pod, type: 'Ingress' | 'Egress') =>
  policies.filter(
    (np) => np.metadata.namespace === pod.namespace && matches(np.spec.podSelector, pod.labels) && (np.spec.policyTypes ?? ['Ingress']).includes(type),
  );

function peerMatches(peer: Any, policyNamespace: string, other: Endpoint): boolean {
  if ('ip' in other || peer.ipBlock) {
    if (!('ip' in other) || !peer.ipBlock) return false;
    if (!peer.ipBlock.cidr.endsWith('/0')) throw new Error(`this evaluator knows only /0 blocks, got ${peer.ipBlock.cidr}`);
    return peer.ipBlock.cidr.includes(':') === other.ip.includes(':');
  }
  const namespaceOk = peer.namespaceSelector
    ? matches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': other.namespace })
    : other.namespace === policyNamespace;
  return namespaceOk && (peer.podSelector ? matches(peer.podSelector, other.labels) : true);
}

const portOk = (rule: Any, port: number, protocol: string) =>
  !rule.ports?.length || rule.ports.some((p: Any) => (p.protocol ?? 'TCP') === protocol && (p.port === undefined || p.port === port));

/** Would a connection from `from` to `to` on `port` pass both sides' policies? */
function allowed(objects: KubeObject[], from: Endpoint, to: Endpoint, port: number, protocol = 'TCP'): boolean {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as Any[];
  const side = (pod: Endpoint, other: Endpoint, type: 'Ingress' | 'Egress') => {
    if ('ip' in pod) return true;
    const applying = selecting(policies, pod, type);
    const rules = (np: Any) => (type === 'Ingress' ? np.spec.ingress : np.spec.egress) ?? [];
    const peers = (r: Any) => (type === 'Ingress' ? r.from : r.to);
    return (
      applying.length === 0 ||
      applying.some((np) =>
        rules(np).some((r: Any) => portOk(r, port, protocol) && (!peers(r)?.length || peers(r).some((p: Any) => peerMatches(p, np.metadata.namespace, other)))),
      )
    );
  };
  return side(from, to, 'Egress') && side(to, from, 'Ingress');
}

/** A pod of the component (zone-aware ingesters: the first zone's; every zone's pods carry the same component labels). */
const podOf = (objects: KubeObject[], component: ComponentName): Pod => {
  const w = objects.find(
    (o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind) && (o as Any).spec.template.metadata.labels['app.kubernetes.io/component'] === component,
  ) as Any;
  if (!w) throw new Error(`${objectName(component)} is not rendered`);
  return { namespace: w.metadata.namespace, labels: w.spec.template.metadata.labels };
};
const app: Pod = { namespace: 'gaming', labels: { app: 'matchmaker' } };
const neighbour: Pod = { namespace: 'observability', labels: { app: 'something-else' } };
const grafana: Pod = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'grafana' } };
const prometheus: Pod = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
const kubeDns: Pod = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
const s3 = { ip: '52.216.8.1' };
const imds = { ip: '169.254.169.254' };

/**
 * The Strimzi operator gives each Kafka a NetworkPolicy admitting its listeners' networkPolicyPeers (it is
 * not in the tree): added here so the flows to Kafka are judged as the cluster will.
 */
function withStrimziPolicies(objects: KubeObject[]): KubeObject[] {
  const made = (objects.filter((o) => o.kind === 'Kafka') as Any[]).map(
    (k): Any => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${k.metadata.name}-network-policy-kafka`, namespace: k.metadata.namespace },
      spec: {
        podSelector: { matchLabels: { 'strimzi.io/cluster': k.metadata.name, 'strimzi.io/kind': 'Kafka' } },
        policyTypes: ['Ingress'],
        ingress: k.spec.kafka.listeners.map((l: Any) => ({ from: l.networkPolicyPeers ?? [], ports: [{ protocol: 'TCP', port: l.port }] })),
      },
    }),
  );
  return [...objects, ...made];
}

for (const envName of environmentNames(ROOT)) {
  describe(`overlays/${envName} NetworkPolicies`, () => {
    const objects = withStrimziPolicies(build(`overlays/${envName}`));
    const pod = (c: ComponentName) => podOf(objects, c);
    const has = (c: ComponentName) => objects.some((o) => ['Deployment', 'DaemonSet'].includes(o.kind) && o.metadata.name === objectName(c));
    const hasMemcached = has('memcached');
    const tempo3 = objects.some((o) => o.kind === 'StatefulSet' && o.metadata.name.startsWith(objectName('live-store')));
    // Only the Tempo targets this environment's version runs.
    const targets = TEMPO_TARGETS.filter((t) =>
      objects.some((o: Any) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.labels?.['app.kubernetes.io/component'] === t),
    );
    const kafka: Pod = { namespace: 'observability', labels: { 'strimzi.io/cluster': 'tempo-stack-kafka', 'strimzi.io/kind': 'Kafka' } };

    it('deny all ingress to the namespace by default', () => {
      const deny = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === DEFAULT_DENY) as Any;
      expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
      expect(allowed(objects, { namespace: 'observability', labels: { app: 'anything-new' } }, neighbour, 8080)).toBe(false);
    });

    it('open the flows Tempo needs', () => {
      for (const r of RECEIVERS) expect(allowed(objects, app, pod('distributor'), r.port), `app -> distributor ${r.port}`).toBe(true);
      const open: Array<[string, Pod | { ip: string }, Pod | { ip: string }, number, string?]> = [
        ['querier -> query-frontend gRPC', pod('querier'), pod('query-frontend'), PORTS.grpc],
        ['grafana -> query-frontend HTTP', grafana, pod('query-frontend'), PORTS.http],
        ['metrics-generator -> remote write', pod('metrics-generator'), prometheus, 9090],
        ['querier -> DNS', pod('querier'), kubeDns, 53, 'UDP'],
        ...((tempo3
          ? [
              ['distributor -> Kafka', pod('distributor'), kafka, 9092],
              ['live-store -> Kafka', pod('live-store'), kafka, 9092],
              ['block-builder -> Kafka', pod('block-builder'), kafka, 9092],
              ['metrics-generator -> Kafka', pod('metrics-generator'), kafka, 9092],
              ['querier -> live-store gRPC', pod('querier'), pod('live-store'), PORTS.grpc],
              ['backend-worker -> backend-scheduler gRPC', pod('backend-worker'), pod('backend-scheduler'), PORTS.grpc],
              ['block-builder -> S3', pod('block-builder'), s3, 443],
              ['backend-worker -> S3', pod('backend-worker'), s3, 443],
            ]
          : [
              ['distributor -> ingester gRPC', pod('distributor'), pod('ingester'), PORTS.grpc],
              ['distributor -> metrics-generator gRPC', pod('distributor'), pod('metrics-generator'), PORTS.grpc],
              ['querier -> ingester gRPC', pod('querier'), pod('ingester'), PORTS.grpc],
              ['querier -> metrics-generator gRPC', pod('querier'), pod('metrics-generator'), PORTS.grpc],
              ['ingester -> S3', pod('ingester'), s3, 443],
              ['compactor -> S3', pod('compactor'), s3, 443],
            ]) as Array<[string, Pod | { ip: string }, Pod | { ip: string }, number]>),
      ];
      const ringMembers = targets.filter((t) => COMPONENTS[t].tempo?.ringMember);
      for (const a of ringMembers) for (const b of ringMembers) open.push([`${a} -> ${b} gossip`, pod(a), pod(b), PORTS.gossip]);
      for (const c of targets) {
        open.push([`prometheus -> ${c} metrics`, prometheus, pod(c), PORTS.http]);
        if (hasMemcached) open.push([`${c} -> memcached`, pod(c), pod('memcached'), MEMCACHED_PORT]);
      }
      if (hasMemcached) open.push(['prometheus -> memcached exporter', prometheus, pod('memcached'), COMPONENTS.memcached.metrics.number]);
      if (has('collector')) {
        open.push(
          ['app -> collector OTLP gRPC', app, pod('collector'), portOf(COMPONENTS.collector, 'otlp-grpc')],
          ['app -> collector OTLP HTTP', app, pod('collector'), portOf(COMPONENTS.collector, 'otlp-http')],
          ['collector -> distributor OTLP gRPC', pod('collector'), pod('distributor'), 4317],
          ['collector -> API server', pod('collector'), { ip: '10.0.12.34' }, 443],
          ['collector -> DNS', pod('collector'), kubeDns, 53, 'UDP'],
          ['prometheus -> collector metrics', prometheus, pod('collector'), COMPONENTS.collector.metrics.number],
        );
      }
      if (has('rollout-operator')) {
        const o = COMPONENTS['rollout-operator'];
        open.push(
          // The API server calls the pod-eviction webhook from the control plane's addresses.
          ['API server -> rollout-operator webhook', { ip: '10.0.12.34' }, pod('rollout-operator'), portOf(o, 'https')],
          ['rollout-operator -> API server', pod('rollout-operator'), { ip: '10.0.12.34' }, 443],
          ['rollout-operator -> DNS', pod('rollout-operator'), kubeDns, 53, 'UDP'],
          ['prometheus -> rollout-operator metrics', prometheus, pod('rollout-operator'), o.metrics.number],
        );
      }
      if (has('vulture')) {
        open.push(
          ['vulture -> distributor OTLP gRPC', pod('vulture'), pod('distributor'), 4317],
          ['vulture -> query-frontend HTTP', pod('vulture'), pod('query-frontend'), PORTS.http],
          ['prometheus -> vulture metrics', prometheus, pod('vulture'), COMPONENTS.vulture.metrics.number],
        );
      }
      expect(open.filter(([, from, to, port, protocol]) => !allowed(objects, from, to, port, protocol)).map(([name]) => name)).toEqual([]);
    });

    it('close the flows Tempo does not need', () => {
      const closed: Array<[string, Pod | { ip: string }, Pod | { ip: string }, number]> = [
        ['app -> query-frontend', app, pod('query-frontend'), PORTS.http],
        ['app -> querier', app, pod('querier'), PORTS.http],
        ['grafana -> distributor OTLP', grafana, pod('distributor'), 4317],
        ['query-frontend -> querier (queriers dial the frontend)', pod('query-frontend'), pod('querier'), PORTS.grpc],
        ['distributor -> querier', pod('distributor'), pod('querier'), PORTS.grpc],
        ['another pod of the namespace -> distributor', neighbour, pod('distributor'), 4317],
        ['querier -> an outside port other than 443', pod('querier'), s3, 8443],
      ];
      // The store of recent traces: the ingesters (2.10) or the live-stores (3.0).
      const store: ComponentName = tempo3 ? 'live-store' : 'ingester';
      closed.push(
        [`app -> ${store}`, app, pod(store), PORTS.grpc],
        [`query-frontend -> ${store} gossip (not a ring member)`, pod('query-frontend'), pod(store), PORTS.gossip],
        [`${store} -> instance metadata`, pod(store), imds, 80],
        [`${store} -> the remote-write target`, pod(store), prometheus, 9090],
      );
      if (tempo3)
        closed.push(
          ['distributor -> metrics-generator gRPC (3.0: it reads Kafka)', pod('distributor'), pod('metrics-generator'), PORTS.grpc],
          ['query-frontend -> Kafka', pod('query-frontend'), kafka, 9092],
          ['app -> backend-scheduler', app, pod('backend-scheduler'), PORTS.grpc],
        );
      if (hasMemcached) {
        closed.push(['prometheus -> memcached data port', prometheus, pod('memcached'), MEMCACHED_PORT]);
        closed.push(['memcached -> anywhere', pod('memcached'), s3, 443]);
      }
      if (has('collector')) {
        closed.push(
          [`collector -> ${store}`, pod('collector'), pod(store), PORTS.grpc],
          ['collector -> distributor Zipkin (it exports OTLP gRPC only)', pod('collector'), pod('distributor'), 9411],
          ['grafana -> collector', grafana, pod('collector'), portOf(COMPONENTS.collector, 'otlp-grpc')],
          ['collector -> instance metadata (the scrubbed spans go to the distributor only)', pod('collector'), imds, 80],
          ['collector -> the remote-write target', pod('collector'), prometheus, 9090],
        );
      }
      if (has('vulture'))
        closed.push(['vulture -> querier', pod('vulture'), pod('querier'), PORTS.http], ['vulture -> outside the cluster', pod('vulture'), s3, 443]);
      if (has('rollout-operator'))
        closed.push(
          ['app -> rollout-operator metrics', app, pod('rollout-operator'), COMPONENTS['rollout-operator'].metrics.number],
          ['rollout-operator -> ingester (it deletes pods through the API only)', pod('rollout-operator'), pod('ingester'), PORTS.http],
        );
      expect(closed.filter(([, from, to, port]) => allowed(objects, from, to, port)).map(([name]) => name)).toEqual([]);
    });
  });
}

describe('NetworkPolicies from environment.yaml', () => {
  const identity: Any = { cluster: { name: 'c' }, aws: { region: 'us-east-1', accountId: '123456789012' }, s3: { bucket: 'tempo-traces-x' } };
  const render = (file: Any) => renderEnvironment(mergeEnvironment('x', { ...identity, ...file })).objects.filter((o) => o.kind === 'NetworkPolicy') as Any[];

  it('features.networkPolicies: false renders none', () => {
    expect(render({ features: { networkPolicies: false } })).toEqual([]);
  });

  it('take the namespace lists; an empty list opens nothing', () => {
    const policies = render({ networkPolicies: { traceSenderNamespaces: ['shop', 'games'], grafanaNamespaces: [], prometheusNamespaces: ['prom'] } });
    const ingress = (name: string) => JSON.stringify(policies.find((p) => p.metadata.name === objectName(name)).spec.ingress);
    expect(ingress('distributor')).toContain('"values":["shop","games"]');
    expect(ingress('query-frontend')).toContain('"values":["prom"]');
    expect(ingress('query-frontend')).not.toContain('monitoring');
  });

  it('remote write outside the cluster opens its port to any address', () => {
    const policies = render({ metricsGenerator: { remoteWriteUrl: 'https://prometheus.example.com/api/v1/write' } });
    const generator = policies.find((p) => p.metadata.name === objectName('metrics-generator'));
    expect(generator.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ]);
  });
});

describe('NetworkPolicies with the tail-sampling gateway (sampling.tail.enabled)', () => {
  const identity: Any = {
    cluster: { name: 'c', zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
    aws: { region: 'us-east-1', accountId: '123456789012' },
    s3: { bucket: 'tempo-traces-x' },
  };
  const objects = renderEnvironment(mergeEnvironment('x', { ...identity, sampling: { tail: { enabled: true } } })).objects.map((o) => ({
    ...o,
    metadata: { ...o.metadata, namespace: 'observability' },
  }));
  const pod = (c: ComponentName) => podOf(objects, c);

  it('agents -> gateway -> distributor is open; the agents no longer reach the distributor, nobody else the gateway', () => {
    const open: Array<[string, Endpoint, Endpoint, number, string?]> = [
      ['collector -> gateway OTLP gRPC', pod('collector'), pod('gateway'), portOf(COMPONENTS.gateway, 'otlp-grpc')],
      ['gateway -> distributor OTLP gRPC', pod('gateway'), pod('distributor'), 4317],
      ['gateway -> DNS', pod('gateway'), kubeDns, 53, 'UDP'],
      ['prometheus -> gateway metrics', prometheus, pod('gateway'), COMPONENTS.gateway.metrics.number],
      ['vulture -> distributor OTLP gRPC', pod('vulture'), pod('distributor'), 4317],
    ];
    expect(open.filter(([, from, to, port, protocol]) => !allowed(objects, from, to, port, protocol)).map(([name]) => name)).toEqual([]);
    const closed: Array<[string, Endpoint, Endpoint, number]> = [
      ['collector -> distributor (every span goes through the gateway)', pod('collector'), pod('distributor'), 4317],
      ['app -> gateway (apps send to their node agent)', app, pod('gateway'), 4317],
      ['gateway -> ingester', pod('gateway'), pod('ingester'), PORTS.grpc],
      ['gateway -> outside the cluster', pod('gateway'), s3, 443],
      ['another pod of the namespace -> gateway', neighbour, pod('gateway'), 4317],
    ];
    expect(closed.filter(([, from, to, port]) => allowed(objects, from, to, port)).map(([name]) => name)).toEqual([]);
  });
});
