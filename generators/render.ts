// One environment -> its Kubernetes objects and the files kustomize turns into ConfigMaps (all in memory):
// the stack-wide objects, then each component it runs with its ServiceMonitor and NetworkPolicy.
import type { Component, GeneratedConfigMap } from './components/component';
import { COMPONENTS, type ComponentName } from './components/index';
import { gossipService } from './components/tempo';
import { credentialObjects } from './credentials';
import type { Environment } from './environment/index';
import { grafanaDatasources } from './grafana-datasources';
import { kafkaObjects } from './kafka/objects';
import type { KubeObject } from './kubernetes/objects';
import { namespace, serviceAccount } from './namespace';
import { componentPolicy, defaultDeny, tempoEgress } from './network-policies';
import { serviceMonitor } from './servicemonitors';
import { labels } from './stack';
import { issuerObjects } from './tls';
import { runtimeOverrides, tempoConfig } from './tempo/config';

export type { GeneratedConfigMap };

export interface RenderedEnvironment {
  env: Environment;
  objects: KubeObject[];
  /** tempo.yaml and overrides.yaml, turned into ConfigMaps by kustomize's configMapGenerator. */
  tempoConfig: Record<string, unknown>;
  overrides: Record<string, unknown>;
  /** More files for configMapGenerator, each a ConfigMap with a content hash (its pods roll on change). */
  configMaps: GeneratedConfigMap[];
  /** A dual run's Tempo 3 stack (migration.tempo3), rendered into its own namespace. */
  dualRun?: RenderedEnvironment;
}

/** The components this environment runs, each with its settings. */
export function runningComponents(env: Environment, components: Record<string, Component> = COMPONENTS): Array<{ component: Component; own: unknown }> {
  return Object.values(components)
    .filter((c) => c.enabled?.(env) ?? true)
    .map((component) => ({ component, own: env.components[component.name as ComponentName] }));
}

/** The labels of a component's objects (its version is its own image's). */
export const componentLabels = (env: Environment, c: Component, own: unknown): Record<string, string> => labels(c.name, c.version?.(env, own) ?? env.tempo.tag);

/** `components` replaces the stack's list (a test renders a throwaway component this way). */
export function renderEnvironment(env: Environment, components: Record<string, Component> = COMPONENTS): RenderedEnvironment {
  const running = runningComponents(env, components);
  const objects: KubeObject[] = [
    namespace(env),
    serviceAccount(env),
    gossipService(env),
    ...credentialObjects(env),
    ...issuerObjects(env),
    ...kafkaObjects(env),
    // One set of Grafana data sources per environment: a dual run's 2.10 stack provisions both stacks'.
    ...(env.beside ? [] : grafanaDatasources(env)),
  ];
  if (env.features.networkPolicies) objects.push(defaultDeny(env), tempoEgress(env));
  for (const { component, own } of running) {
    const objectLabels = componentLabels(env, component, own);
    objects.push(...component.objects(env, own), serviceMonitor(env, component, objectLabels));
    if (env.features.networkPolicies) objects.push(componentPolicy(env, component, own, objectLabels));
  }
  return {
    env,
    objects,
    tempoConfig: tempoConfig(env),
    overrides: runtimeOverrides(env),
    configMaps: running.flatMap(({ component, own }) => component.configMaps?.(env, own) ?? []),
    ...(env.migration ? { dualRun: renderEnvironment(env.migration.stack, components) } : {}),
  };
}
