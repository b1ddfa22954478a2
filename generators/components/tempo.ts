// What the six Tempo targets share: one container of the Tempo image started with -target=<name>, the
// config and runtime overrides mounted, HTTP and gRPC ports (plus gossip on ring members), S3 keys where
// the target opens the store, a Deployment or (stateful) a StatefulSet with a volume per pod, its
// Service, a PodDisruptionBudget from two replicas, an autoscaler where enabled, and the ingress every
// Tempo pod admits (gossip from ring members, scrapes from Prometheus).
import type { Static, TObject, TSchema } from 'typebox';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IServicePort } from 'kubernetes-models/v1/ServicePort';
import { RELOAD_ANNOTATION, S3_ENV, S3_SECRET, S3_SECRET_KEYS } from '../credentials';
import type { Floor } from '../environment/fields';
import type { EnvironmentSettings, TempoVersion } from '../environment/settings';
import { goMemLimit, type Quantity } from '../environment/units';
import { KAFKA_ENV, KAFKA_SECRET, KAFKA_SECRET_KEYS } from '../kafka/facts';
import type { KubeObject, ObjectOf } from '../kubernetes/objects';
import { INSTANCE_SELECTOR, SERVICE_ACCOUNT, labels, objectName, selectorLabels, stackLabels } from '../stack';
import { componentCertificate, serverName, tlsMount, tlsSecret, tlsVolume } from '../tls';
import { CONFIG_MAP, GOSSIP_LABEL, OVERRIDES_CONFIG_MAP, PATHS, SERVICES, TEMPO_PORTS, TEMPO_UID } from '../tempo/facts';
import { type Component, type ContainerPort, type Flow, type TempoTraits, component } from './component';
import {
  containerPorts,
  containerResources,
  containerSecurity,
  horizontalPodAutoscaler,
  maximumReplicas,
  placement,
  podDisruptionBudget,
  podSecurity,
  service,
  servicePort,
} from './pod';
import { scrapedBy } from './peers';

/** What every Tempo target's settings have; some add storage or autoscaling. */
export interface TempoSettings {
  replicas: number;
  resources: {
    requests: { cpu: Quantity; memory: Quantity; 'ephemeral-storage'?: Quantity };
    limits: { cpu: Quantity; memory: Quantity; 'ephemeral-storage'?: Quantity };
  };
  storage?: { size: Quantity; storageClass: string };
  autoscaling?: { enabled: boolean; minReplicas: number; maxReplicas: number; targetCPUUtilizationPercentage: number };
}

export interface TempoTarget<P extends Record<string, TSchema>> {
  name: string;
  description: string;
  settings: P;
  traits: TempoTraits;
  /** The Tempo versions that run it (absent: all) and, for the others, what replaces it. */
  versions?: readonly TempoVersion[];
  replacedBy?: Partial<Record<TempoVersion, string>>;
  /** One StatefulSet per zone (<name>-<zone>), each pod told its zone by this flag. */
  zones?: { names: readonly string[]; flag: string };
  /** Talks to Kafka under Tempo 3 (gets the SASL/PLAIN credentials when the environment uses them). */
  kafkaClient?: boolean;
  /** Arguments beyond -target, -config.file and -config.expand-env. */
  args?(env: EnvironmentSettings): string[];
  /** Ports beyond HTTP, gRPC and gossip (the distributor's receivers). */
  extraPorts?: ContainerPort[];
  /** Service ports that are aliases of container ports (the query-frontend's 3100). */
  serviceAliases?: IServicePort[];
  /** Who else may connect, before gossip and scrapes (which every Tempo pod admits). */
  ingress(env: EnvironmentSettings): Flow[];
  /** Admitted after gossip and scrapes. */
  laterIngress?(env: EnvironmentSettings): Flow[];
  egress?: Component<TObject<P>>['egress'];
  /** Pod settings of this target (termination grace, one replica per node). */
  pod?: { terminationGracePeriodSeconds?: number; oneReplicaPerNode?: boolean };
  /** Objects beyond the workload, Service, PDB and HPA (the query-frontend's discovery Service). */
  extraObjects?(env: EnvironmentSettings, own: Static<TObject<P>>): KubeObject[];
  /** Service spec fields beyond its type, selector and ports (trafficDistribution). */
  serviceSpec?(env: EnvironmentSettings): Record<string, unknown>;
  /** A stateful target's persistentVolumeClaimRetentionPolicy: what its volumes become on scale-down and deletion (each says why). */
  claimRetention?(env: EnvironmentSettings): { whenDeleted: 'Retain' | 'Delete'; whenScaled: 'Retain' | 'Delete' };
  /** Replaces the workload and its disruption budget (zone-aware ingesters: one StatefulSet per zone, zones.ts). */
  reshape?(env: EnvironmentSettings, own: Static<TObject<P>>, workload: ObjectOf<'Deployment' | 'StatefulSet'>, budget?: KubeObject): KubeObject[];
}

const tempoLabels = (name: string, env: EnvironmentSettings) => labels(name, env.tempo.tag);
/** Each Tempo 2.10.8 target alone held 70-80 MiB resident at idle (measured, local backend); GOMEMLIMIT is 90% of the limit. */
export const TEMPO_MEMORY_FLOOR: Floor = {
  least: '128Mi',
  why: 'each Tempo target holds 70-80 MiB at idle, and GOMEMLIMIT (90% of the limit) must leave it room to work',
};

export const tempoImage = (env: EnvironmentSettings): string => `${env.tempo.image}:${env.tempo.tag}`;

/** The ports of a Tempo target's containers: HTTP and gRPC always, gossip on ring members. */
function tempoPorts(traits: TempoTraits, extra: ContainerPort[]): ContainerPort[] {
  return [
    { name: 'http', port: TEMPO_PORTS.http, service: true },
    // Every Tempo container listens on gRPC; only the targets other components dial expose it.
    { name: 'grpc', port: TEMPO_PORTS.grpc, service: traits.grpcServer },
    ...(traits.ringMember ? [{ name: 'gossip-ring', port: TEMPO_PORTS.gossip }] : []),
    ...extra,
  ];
}

/** The label that tells the StatefulSets of a zoned component apart (its Services and spread select on it). */
export const ZONE_LABEL = 'tempo-zone';

/** Memberlist over TCP only (dskit's TCP transport carries gossip packets too). */
export const ringMembers = { podSelector: { matchLabels: { ...INSTANCE_SELECTOR, [GOSSIP_LABEL]: 'true' } } };

export function tempoComponent<P extends Record<string, TSchema>>(t: TempoTarget<P>): Component<TObject<P>> {
  const ports = tempoPorts(t.traits, t.extraPorts ?? []);
  const own = (o: Static<TObject<P>>) => o as unknown as TempoSettings;
  const withKeys = (env: EnvironmentSettings) => env.s3.credentials === 'externalSecrets' && t.traits.opensStore;

  function container(env: EnvironmentSettings, o: TempoSettings, zone?: string): IContainer {
    const variables: NonNullable<IContainer['env']> = [{ name: 'GOMEMLIMIT', value: goMemLimit(o.resources.limits.memory) }];
    if (withKeys(env)) {
      variables.push(
        { name: S3_ENV.accessKey, valueFrom: { secretKeyRef: { name: S3_SECRET, key: S3_SECRET_KEYS.accessKey } } },
        { name: S3_ENV.secretKey, valueFrom: { secretKeyRef: { name: S3_SECRET, key: S3_SECRET_KEYS.secretKey } } },
      );
    }
    if (t.kafkaClient && env.tempo.version === '3.0' && env.kafka.cluster === 'external' && env.kafka.external.sasl) {
      variables.push(
        { name: KAFKA_ENV.username, valueFrom: { secretKeyRef: { name: KAFKA_SECRET, key: KAFKA_SECRET_KEYS.username } } },
        { name: KAFKA_ENV.password, valueFrom: { secretKeyRef: { name: KAFKA_SECRET, key: KAFKA_SECRET_KEYS.password } } },
      );
    }
    return {
      name: t.name,
      image: tempoImage(env),
      imagePullPolicy: 'IfNotPresent',
      args: [
        `-target=${t.name}`,
        `-config.file=${PATHS.config}/tempo.yaml`,
        '-config.expand-env=true',
        ...(t.args?.(env) ?? []),
        ...(zone && t.zones ? [`${t.zones.flag}=${zone}`] : []),
      ],
      ports: containerPorts(ports),
      env: variables,
      // With TLS the probe speaks HTTPS (the kubelet checks no certificate; the server asks for none).
      readinessProbe: {
        httpGet: { path: '/ready', port: 'http', ...(env.tls.enabled ? { scheme: 'HTTPS' } : {}) },
        initialDelaySeconds: 15,
        timeoutSeconds: 1,
      },
      resources: containerResources(o.resources),
      securityContext: containerSecurity,
      volumeMounts: [
        { name: 'config', mountPath: PATHS.config, readOnly: true },
        // A directory mount (not subPath) so the kubelet refreshes the file and Tempo hot-reloads it.
        { name: 'overrides', mountPath: PATHS.overrides, readOnly: true },
        { name: 'data', mountPath: PATHS.data },
        { name: 'tmp', mountPath: '/tmp' },
        ...(env.tls.enabled ? [tlsMount] : []),
      ],
    };
  }

  function podSpec(env: EnvironmentSettings, o: TempoSettings, zone?: string): IPodSpec {
    const selector = zone ? { ...selectorLabels(t.name), [ZONE_LABEL]: zone } : selectorLabels(t.name);
    return {
      serviceAccountName: SERVICE_ACCOUNT,
      automountServiceAccountToken: false,
      securityContext: podSecurity(TEMPO_UID),
      ...(t.pod?.terminationGracePeriodSeconds ? { terminationGracePeriodSeconds: t.pod.terminationGracePeriodSeconds } : {}),
      ...placement(selector, maximumReplicas(o), t.pod?.oneReplicaPerNode),
      containers: [container(env, o, zone)],
      volumes: [
        { name: 'config', configMap: { name: CONFIG_MAP } },
        { name: 'overrides', configMap: { name: OVERRIDES_CONFIG_MAP } },
        ...(t.traits.stateful ? [] : [{ name: 'data', emptyDir: {} }]),
        { name: 'tmp', emptyDir: {} },
        ...(env.tls.enabled ? [tlsVolume(t.name)] : []),
      ],
    };
  }

  function workload(env: EnvironmentSettings, o: TempoSettings, zone?: string): ObjectOf<'Deployment' | 'StatefulSet'> {
    const name = zone ? `${t.name}-${zone}` : t.name;
    const zoneLabel: Record<string, string> = zone ? { [ZONE_LABEL]: zone } : {};
    // Roll the pods when a Secret read at start changes: S3 keys are env vars; Tempo reloads neither memberlist's certificate nor a CA.
    const reload = [...(withKeys(env) ? [S3_SECRET] : []), ...(env.tls.enabled ? [tlsSecret(t.name)] : [])];
    const metadata = {
      name: objectName(name),
      labels: tempoLabels(t.name, env),
      ...(reload.length ? { annotations: { [RELOAD_ANNOTATION]: reload.join(',') } } : {}),
    };
    const template = {
      metadata: { labels: { ...tempoLabels(t.name, env), ...zoneLabel, ...(t.traits.ringMember ? { [GOSSIP_LABEL]: 'true' } : {}) } },
      spec: podSpec(env, o, zone),
    };
    const selector = { matchLabels: { ...selectorLabels(t.name), ...zoneLabel } };
    if (t.traits.stateful || t.traits.ordinal) {
      if (t.traits.stateful && !o.storage) throw new Error(`${t.name}: a stateful Tempo target needs storage settings`);
      return {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata,
        spec: {
          replicas: o.replicas,
          serviceName: objectName(name),
          // Start all replicas at once (the ring does not need ordering); updates still go one pod at a time.
          podManagementPolicy: 'Parallel',
          updateStrategy: { type: 'RollingUpdate' },
          ...(t.claimRetention ? { persistentVolumeClaimRetentionPolicy: t.claimRetention(env) } : {}),
          selector,
          template,
          ...(o.storage && t.traits.stateful
            ? {
                volumeClaimTemplates: [
                  {
                    apiVersion: 'v1',
                    kind: 'PersistentVolumeClaim',
                    metadata: { name: 'data' },
                    spec: {
                      accessModes: ['ReadWriteOnce'],
                      storageClassName: o.storage.storageClass,
                      resources: { requests: { storage: o.storage.size.text } },
                    },
                  },
                ],
              }
            : {}),
        },
      };
    }
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        // With an HPA the replica count belongs to it; Argo CD would otherwise fight it.
        ...(o.autoscaling?.enabled ? {} : { replicas: o.replicas }),
        revisionHistoryLimit: 5,
        selector,
        template,
      },
    };
  }

  const versions = t.versions;
  return component({
    name: t.name,
    description: t.description,
    settings: t.settings,
    tempo: t.traits,
    ...(versions ? { versions, enabled: (env: EnvironmentSettings) => versions.includes(env.tempo.version) } : {}),
    ...(t.replacedBy ? { replacedBy: t.replacedBy } : {}),
    ports,
    metrics: { port: 'http', container: t.name, number: TEMPO_PORTS.http },
    ingress: (env) =>
      [
        ...t.ingress(env),
        ...(t.traits.ringMember ? [{ from: [ringMembers], ports: [TEMPO_PORTS.gossip] }] : []),
        scrapedBy(env, TEMPO_PORTS.http),
        ...(t.laterIngress?.(env) ?? []),
      ].filter((f) => f.from.length > 0),
    ...(t.egress ? { egress: t.egress } : {}),
    objects(env, settings) {
      const o = own(settings);
      const objectLabels = tempoLabels(t.name, env);
      // Tempo 3's live-store: a StatefulSet and headless Service per zone (2.10 ingesters: reshape, zones.ts).
      const zones = t.zones?.names ?? [undefined];
      // gRPC in the Service only where this version's components dial it.
      const dialed = !t.traits.grpcServerIn || t.traits.grpcServerIn.includes(env.tempo.version);
      const exposed = { name: t.name, ports: ports.map((p) => (p.name === 'grpc' && !dialed ? { ...p, service: false } : p)) };
      const workloads = zones.map((zone) => workload(env, o, zone));
      const budget = maximumReplicas(o) * zones.length > 1 ? podDisruptionBudget(t.name, objectLabels, selectorLabels(t.name)) : undefined;
      const objects: KubeObject[] = [
        ...(t.reshape ? t.reshape(env, settings, workloads[0]!, budget) : [...workloads, ...(budget ? [budget] : [])]),
        ...zones.map((zone) =>
          service(exposed, zone ? { ...objectLabels, [ZONE_LABEL]: zone } : objectLabels, {
            headless: t.traits.stateful || t.traits.ordinal,
            extraPorts: t.serviceAliases ?? [],
            spec: t.serviceSpec?.(env) ?? {},
            ...(zone ? { name: `${t.name}-${zone}`, selector: { ...selectorLabels(t.name), [ZONE_LABEL]: zone } } : {}),
          }),
        ),
        ...(t.extraObjects?.(env, settings) ?? []),
      ];
      if (o.autoscaling?.enabled) objects.push(horizontalPodAutoscaler(t.name, objectLabels, o.autoscaling));
      if (env.tls.enabled) objects.push(componentCertificate(env, t.name, objects, t.traits.ringMember ? [serverName(env, SERVICES.gossip)] : [])); // memberlist checks ring members under this name
      return objects;
    },
  });
}

/** The headless Service every ring member joins memberlist through (it publishes not-ready pods too). */
export function gossipService(env: EnvironmentSettings): ObjectOf<'Service'> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: SERVICES.gossip, labels: stackLabels(env.tempo.tag) },
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: { ...INSTANCE_SELECTOR, [GOSSIP_LABEL]: 'true' },
      ports: [servicePort('gossip-ring', TEMPO_PORTS.gossip)],
    },
  };
}
