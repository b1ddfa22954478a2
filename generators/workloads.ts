// Tempo's six components and memcached as Deployments/StatefulSets, with their PDBs and HPAs.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { RELOAD_ANNOTATION } from './credentials';
import type { Environment, TempoComponent } from './environment/types';
import { goMemLimit } from './quantity';
import {
  CONFIG_MAP, GOSSIP_LABEL, OVERRIDES_CONFIG_MAP, PATHS, PORTS, RECEIVERS, RING_MEMBERS, S3_ENV, S3_SECRET,
  S3_SECRET_KEYS, SERVICE_ACCOUNT, STATEFUL, STORAGE_CLIENTS, labels, objectName, selectorLabels, tempoImage,
} from './stack';
import type { Component } from './environment/types';

export type Workload = IDeployment | IStatefulSet;

/** Replicas a component may run with: the HPA's maximum when it is autoscaled (PDB and spread apply from 2). */
export function maximumReplicas(env: Environment, component: Component): number {
  if (component === 'distributor' || component === 'querier') {
    const a = env.components[component].autoscaling;
    if (a.enabled) return a.maxReplicas;
  }
  return env.components[component].replicas;
}

/** Ingesters flush every block to S3 on shutdown: give them as long as Tempo's own jsonnet does. */
export const INGESTER_TERMINATION_GRACE_SECONDS = 1200;

/** Pod Security "restricted" plus a read-only root: every container of the stack runs like this. */
export const containerSecurity: IContainer['securityContext'] = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

export const podSecurity = (uid: number): IPodSpec['securityContext'] => ({
  runAsNonRoot: true,
  runAsUser: uid,
  runAsGroup: uid,
  fsGroup: uid,
  fsGroupChangePolicy: 'OnRootMismatch',
  seccompProfile: { type: 'RuntimeDefault' },
});

/** Spread replicas over zones; ingesters also never share a node (each holds a third of the data). */
function placement(component: Component, replicas: number): Pick<IPodSpec, 'affinity' | 'topologySpreadConstraints'> {
  if (replicas < 2) return {};
  const selector = { matchLabels: selectorLabels(component) };
  return {
    ...(component === 'ingester'
      ? { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: selector, topologyKey: 'kubernetes.io/hostname' }] } } }
      : {}),
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: selector },
    ],
  };
}

function tempoContainer(env: Environment, component: TempoComponent): IContainer {
  const settings = env.components[component];
  const ports: NonNullable<IContainer['ports']> = [
    { name: 'http', containerPort: PORTS.http, protocol: 'TCP' },
    { name: 'grpc', containerPort: PORTS.grpc, protocol: 'TCP' },
  ];
  if (RING_MEMBERS.includes(component)) ports.push({ name: 'gossip-ring', containerPort: PORTS.gossip, protocol: 'TCP' });
  if (component === 'distributor') {
    for (const r of RECEIVERS) ports.push({ name: r.portName, containerPort: r.port, protocol: 'TCP' });
  }
  const env_: NonNullable<IContainer['env']> = [{ name: 'GOMEMLIMIT', value: goMemLimit(settings.resources.limits.memory) }];
  const staticKeys = env.s3.credentials === 'externalSecrets' && STORAGE_CLIENTS.includes(component);
  if (staticKeys) {
    env_.push(
      { name: S3_ENV.accessKey, valueFrom: { secretKeyRef: { name: S3_SECRET, key: S3_SECRET_KEYS.accessKey } } },
      { name: S3_ENV.secretKey, valueFrom: { secretKeyRef: { name: S3_SECRET, key: S3_SECRET_KEYS.secretKey } } },
    );
  }
  return {
    name: component,
    image: tempoImage(env),
    imagePullPolicy: 'IfNotPresent',
    args: [`-target=${component}`, `-config.file=${PATHS.config}/tempo.yaml`, '-config.expand-env=true'],
    ports,
    env: env_,
    readinessProbe: { httpGet: { path: '/ready', port: 'http' }, initialDelaySeconds: 15, timeoutSeconds: 1 },
    resources: settings.resources,
    securityContext: containerSecurity,
    volumeMounts: [
      { name: 'config', mountPath: PATHS.config, readOnly: true },
      // A directory mount (not subPath) so the kubelet refreshes the file and Tempo hot-reloads it.
      { name: 'overrides', mountPath: PATHS.overrides, readOnly: true },
      { name: 'data', mountPath: PATHS.data },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
}

function tempoPodSpec(env: Environment, component: TempoComponent): IPodSpec {
  const stateful = STATEFUL.includes(component);
  return {
    serviceAccountName: SERVICE_ACCOUNT,
    automountServiceAccountToken: false,
    securityContext: podSecurity(10001),
    ...(component === 'ingester' ? { terminationGracePeriodSeconds: INGESTER_TERMINATION_GRACE_SECONDS } : {}),
    ...(component === 'metrics-generator' ? { terminationGracePeriodSeconds: 300 } : {}),
    ...placement(component, maximumReplicas(env, component)),
    containers: [tempoContainer(env, component)],
    volumes: [
      { name: 'config', configMap: { name: CONFIG_MAP } },
      { name: 'overrides', configMap: { name: OVERRIDES_CONFIG_MAP } },
      ...(stateful ? [] : [{ name: 'data', emptyDir: {} }]),
      { name: 'tmp', emptyDir: {} },
    ],
  };
}

function podLabels(env: Environment, component: TempoComponent): Record<string, string> {
  return { ...labels(component, env), ...(RING_MEMBERS.includes(component) ? { [GOSSIP_LABEL]: 'true' } : {}) };
}

export function tempoWorkload(env: Environment, component: TempoComponent): Workload {
  const settings = env.components[component];
  const metadata = {
    name: objectName(component),
    labels: labels(component, env),
    // The keys are env vars, read once at start: roll the pods when the synced Secret changes.
    ...(env.s3.credentials === 'externalSecrets' && STORAGE_CLIENTS.includes(component) ? { annotations: { [RELOAD_ANNOTATION]: S3_SECRET } } : {}),
  };
  const template = { metadata: { labels: podLabels(env, component) }, spec: tempoPodSpec(env, component) };
  const selector = { matchLabels: selectorLabels(component) };
  if (STATEFUL.includes(component)) {
    const storage = env.components[component as 'ingester' | 'metrics-generator'].storage;
    return {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata,
      spec: {
        replicas: settings.replicas,
        serviceName: objectName(component),
        // Start all replicas at once (the ring does not need ordering); updates still go one pod at a time.
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
        selector,
        template,
        volumeClaimTemplates: [
          {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], storageClassName: storage.storageClass, resources: { requests: { storage: storage.size } } },
          },
        ],
      },
    };
  }
  const autoscaled = (component === 'distributor' || component === 'querier') && env.components[component].autoscaling.enabled;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      // With an HPA the replica count belongs to it; Argo CD would otherwise fight it.
      ...(autoscaled ? {} : { replicas: settings.replicas }),
      revisionHistoryLimit: 5,
      selector,
      template,
    },
  };
}

export function memcachedDeployment(env: Environment): IDeployment {
  const mc = env.components.memcached;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: objectName('memcached'), labels: labels('memcached', env) },
    spec: {
      replicas: mc.replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels('memcached') },
      template: {
        metadata: { labels: labels('memcached', env) },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurity(11211),
          ...placement('memcached', maximumReplicas(env, 'memcached')),
          containers: [
            {
              name: 'memcached',
              image: mc.image,
              imagePullPolicy: 'IfNotPresent',
              // -I 5m: parquet footers can exceed memcached's 1 MiB default item size.
              args: ['-m', String(mc.memoryLimitMb), '-I', '5m', '-c', '4096'],
              ports: [{ name: 'client', containerPort: PORTS.memcached, protocol: 'TCP' }],
              readinessProbe: { tcpSocket: { port: 'client' }, initialDelaySeconds: 5, timeoutSeconds: 1 },
              resources: mc.resources,
              securityContext: containerSecurity,
            },
            // The exporter image defaults to `nobody`; here it runs as the pod's 11211 (a UID of this pod alone) and writes nothing.
            {
              name: 'exporter',
              image: mc.exporterImage,
              imagePullPolicy: 'IfNotPresent',
              args: [`--memcached.address=localhost:${PORTS.memcached}`, `--web.listen-address=:${PORTS.memcachedExporter}`],
              ports: [{ name: 'http-metrics', containerPort: PORTS.memcachedExporter, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/metrics', port: 'http-metrics' }, timeoutSeconds: 1 },
              resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
              securityContext: containerSecurity,
            },
          ],
        },
      },
    },
  };
}

/** One PDB per multi-replica component: never more than one pod down by a voluntary disruption. */
export function podDisruptionBudget(env: Environment, component: Component): IPodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: objectName(component), labels: labels(component, env) },
    spec: {
      maxUnavailable: 1,
      // Lets a drain evict pods that are not ready anyway (a crash-looping pod must not block it).
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
      selector: { matchLabels: selectorLabels(component) },
    },
  };
}

export function horizontalPodAutoscaler(env: Environment, component: 'distributor' | 'querier'): IHorizontalPodAutoscaler {
  const a = env.components[component].autoscaling;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: objectName(component), labels: labels(component, env) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: objectName(component) },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.targetCPUUtilizationPercentage } } }],
    },
  };
}
