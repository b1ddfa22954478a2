// What a component is: one unit of the stack (a Tempo target, memcached, the collector agent, the
// vulture) with its settings in environment.yaml (components.<name>, each with its default), the ports
// its containers listen on, who may reach it, what Prometheus scrapes, and the objects it renders.
// The render (generators/render.ts) loops over the list in index.ts; a new component is one file here
// and one entry there.
import type { Static, TObject, TSchema } from 'typebox';
import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import { object } from '../environment/fields';
import type { Problem } from '../validation/messages';
import type { EnvironmentSettings, TempoVersion } from '../environment/settings';
import type { KubeObject } from '../kubernetes/objects';

/** A port a container listens on (TCP); `service`: the component's Service exposes it too, by name. */
export interface ContainerPort {
  name: string;
  port: number;
  service?: boolean;
}

/** Who may open connections to the component's pods, on which of its ports (a NetworkPolicy ingress rule). */
export interface Flow {
  from: INetworkPolicyPeer[];
  ports: number[];
}

/** Where Prometheus scrapes the component: a named port of its Service and the container behind it. */
export interface MetricsEndpoint {
  port: string;
  container: string;
  number: number;
}

/** A file kustomize's configMapGenerator turns into a ConfigMap with a content hash (its pods roll on change). */
export interface GeneratedConfigMap {
  name: string;
  file: string;
  content: Record<string, unknown>;
  /** First line(s) of the file, after the generated-file marker. */
  comment: string;
  labels: Record<string, string>;
}

/** How a Tempo target takes part in the cluster (Tempo 2.10.8 cmd/tempo/app/modules.go). */
export interface TempoTraits {
  /** Joins the memberlist gossip ring (distributor, ingester, querier, compactor, metrics-generator). */
  ringMember: boolean;
  /** Opens the S3 store, so it needs the credentials (every target but the distributor). */
  opensStore: boolean;
  /** Keeps data across restarts (WAL): a StatefulSet with a volume per pod. */
  stateful: boolean;
  /** Needs a stable pod name (its ordinal picks its Kafka partitions): a StatefulSet even without a volume. */
  ordinal?: boolean;
  /** Other components dial its gRPC port (ingester, metrics-generator, query-frontend). */
  grpcServer: boolean;
  /** Only under these Tempo versions (the metrics-generator: 2.10; 3.0 reads Kafka and nobody dials it). */
  grpcServerIn?: readonly TempoVersion[];
}

export interface Component<S extends TSchema = TSchema> {
  /** components.<name> in environment.yaml; objects are tempo-stack-<name>. */
  name: string;
  /** One line: what it does (the editor schema shows it). */
  description: string;
  /** Its settings, each field with its description and default. */
  settings: S;
  /** Tempo's own targets have traits; memcached and the edge have none. */
  tempo?: TempoTraits;
  /** The Tempo versions that run it (absent: every version); enabled() follows them. */
  versions?: readonly TempoVersion[];
  /** Per version that does not run it: what replaces it (the message refusing its settings there). */
  replacedBy?: Partial<Record<TempoVersion, string>>;
  /** app.kubernetes.io/version of its objects; Tempo's tag when absent. */
  version?(env: EnvironmentSettings, own: Static<S>): string;
  /** Whether this environment runs it (a feature switch); always when absent. */
  enabled?(env: EnvironmentSettings): boolean;
  ports: readonly ContainerPort[];
  metrics: MetricsEndpoint;
  /** Ingress it admits (the namespace denies the rest). */
  ingress(env: EnvironmentSettings, own: Static<S>): Flow[];
  /** Egress beyond the stack-wide egress policy; undefined: that policy covers the component. */
  egress?(env: EnvironmentSettings, own: Static<S>): INetworkPolicyEgressRule[] | undefined;
  /** Its workload, Services, PodDisruptionBudget, autoscaler, RBAC ... (ServiceMonitor and NetworkPolicy are derived). */
  objects(env: EnvironmentSettings, own: Static<S>): KubeObject[];
  /** Problems of its settings that the schema cannot see; each path is relative to components.<name>. */
  checks?(own: Static<S>): Problem[];
  /** Files for kustomize's configMapGenerator (a config its pods mount). */
  configMaps?(env: EnvironmentSettings, own: Static<S>): GeneratedConfigMap[];
}

/** Declares a component from its settings' fields (the description becomes the settings' description too). */
export function component<P extends Record<string, TSchema>>(c: Omit<Component<TObject<P>>, 'settings'> & { settings: P }): Component<TObject<P>> {
  return { ...c, settings: object(c.settings, c.description) };
}

/** The port a component declares under `name` (throws on a typo: the declaration is the one source). */
export function portOf(c: { name: string; ports: readonly ContainerPort[] }, name: string): number {
  const p = c.ports.find((x) => x.name === name);
  if (!p) throw new Error(`component ${c.name} declares no port "${name}"`);
  return p.port;
}
