// One environment -> its Kubernetes objects and Tempo config files (all in memory).
import { credentialObjects } from './credentials';
import type { Environment } from './environment/types';
import { TEMPO_COMPONENTS } from './environment/types';
import { collectorConfigMaps, collectorObjects } from './collector';
import { grafanaDatasources } from './grafana-datasources';
import { namespace, serviceAccount } from './namespace';
import { networkPolicies } from './network-policies';
import { serviceMonitors } from './servicemonitors';
import { services } from './services';
import { runtimeOverrides, tempoConfig } from './tempo-config';
import { vultureObjects } from './vulture';
import { horizontalPodAutoscaler, maximumReplicas, memcachedDeployment, podDisruptionBudget, tempoWorkload } from './workloads';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface RenderedEnvironment {
  env: Environment;
  objects: K8sObject[];
  /** Files turned into ConfigMaps by kustomize's configMapGenerator. */
  tempoConfig: Record<string, unknown>;
  overrides: Record<string, unknown>;
  /** More files for configMapGenerator, each a ConfigMap with a content hash (its pods roll on change). */
  configMaps: GeneratedConfigMap[];
}

export interface GeneratedConfigMap {
  name: string;
  file: string;
  content: Record<string, unknown>;
  /** First line(s) of the file, after the generated-file marker. */
  comment: string;
  labels: Record<string, string>;
}

/** Objects each concern adds for an environment (credentials, ServiceMonitors, the edge, network policies, ...), in file order. */
const PRODUCERS: Array<(env: Environment) => K8sObject[]> = [
  credentialObjects,
  serviceMonitors,
  collectorObjects,
  vultureObjects,
  grafanaDatasources as (env: Environment) => K8sObject[],
  (env) => networkPolicies(env) as K8sObject[],
];

export function renderEnvironment(env: Environment): RenderedEnvironment {
  const objects: K8sObject[] = [namespace() as K8sObject, serviceAccount(env) as K8sObject];
  for (const component of TEMPO_COMPONENTS) objects.push(tempoWorkload(env, component) as K8sObject);
  if (env.features.memcached) objects.push(memcachedDeployment(env) as K8sObject);
  objects.push(...(services(env) as K8sObject[]));
  for (const component of [...TEMPO_COMPONENTS, ...(env.features.memcached ? (['memcached'] as const) : [])]) {
    if (maximumReplicas(env, component) > 1) objects.push(podDisruptionBudget(env, component) as K8sObject);
  }
  for (const component of ['distributor', 'querier'] as const) {
    if (env.components[component].autoscaling.enabled) objects.push(horizontalPodAutoscaler(env, component) as K8sObject);
  }
  for (const produce of PRODUCERS) objects.push(...produce(env));
  return { env, objects, tempoConfig: tempoConfig(env), overrides: runtimeOverrides(env), configMaps: collectorConfigMaps(env) };
}
