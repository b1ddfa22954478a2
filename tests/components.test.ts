// A new component is one file and one list entry: a throwaway component, declared here as its file would
// declare it, joins the environment definition with its defaults and renders with a ServiceMonitor and a
// NetworkPolicy that the strict schemas and the policies accept, on the list it is added to.
import { describe, expect, it } from 'vitest';
import { type Component, component } from '../generators/components/component';
import { COMPONENTS, COMPONENT_NAMES } from '../generators/components/index';
import { containerPorts, containerResources, containerSecurity, podDisruptionBudget, podSecurity, service } from '../generators/components/pod';
import { scrapedBy } from '../generators/components/peers';
import { PATTERNS, replicas, resources, str } from '../generators/environment/fields';
import { decodeUnits, defaultsOf, environmentDefinition, fileSchema } from '../generators/environment/index';
import { baseEnvironment } from '../generators/environment/load';
import { KubernetesValidator } from '../generators/kubernetes/validate';
import { renderEnvironment } from '../generators/render';
import { labels, objectName, selectorLabels } from '../generators/stack';
import { failures, runPolicies } from '../policies/index';
import type { Any } from './helpers/objects';

const PORTS = [{ name: 'http-metrics', port: 9999, service: true }] as const;

const echo = component({
  name: 'echo',
  description: 'A throwaway component that answers on one port',
  settings: {
    replicas: replicas(2, 10),
    image: str('echo image with a pinned tag', PATTERNS.pinnedImage, 'example/echo:1.0.0'),
    resources: resources({ requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } }, { least: '16Mi', why: 'echo needs it' }),
  },
  ports: PORTS,
  metrics: { port: 'http-metrics', container: 'echo', number: 9999 },
  ingress: (env) => [scrapedBy(env, 9999)],
  objects: (env, own) => [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: objectName('echo'), labels: labels('echo', env.tempo.tag) },
      spec: {
        replicas: own.replicas,
        selector: { matchLabels: selectorLabels('echo') },
        template: {
          metadata: { labels: labels('echo', env.tempo.tag) },
          spec: {
            automountServiceAccountToken: false,
            securityContext: podSecurity(10001),
            containers: [
              {
                name: 'echo',
                image: own.image,
                ports: containerPorts(PORTS),
                readinessProbe: { httpGet: { path: '/', port: 'http-metrics' } },
                resources: containerResources(own.resources),
                securityContext: containerSecurity,
              },
            ],
          },
        },
      },
    },
    service({ name: 'echo', ports: PORTS }, labels('echo', env.tempo.tag)),
    // Without it the policies refuse a two-replica workload (the next test would say so).
    podDisruptionBudget('echo', labels('echo', env.tempo.tag), selectorLabels('echo')),
  ],
});

describe('a new component', () => {
  const list: Record<string, Component> = { ...COMPONENTS, echo };
  const definition = fileSchema(environmentDefinition(list) as never);

  it('joins environment.yaml under components.<name>, each field with its default', () => {
    const properties = (definition.properties as Any).components.properties;
    expect(Object.keys(properties)).toEqual([...COMPONENT_NAMES, 'echo']);
    expect(properties.echo.description).toBe('A throwaway component that answers on one port');
    expect((defaultsOf(environmentDefinition(list) as never) as Any).components.echo).toEqual({
      replicas: 2,
      image: 'example/echo:1.0.0',
      resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } },
    });
  });

  it('renders its objects with a ServiceMonitor and a NetworkPolicy, valid and within the policies', async () => {
    const env = baseEnvironment();
    const own = decodeUnits((defaultsOf(environmentDefinition(list) as never) as Any).components.echo, echo.settings);
    const rendered = renderEnvironment({ ...env, components: { ...env.components, echo: own } as Any }, list);
    const mine = rendered.objects.filter((o) => o.metadata.name === objectName('echo')).map((o) => o.kind);
    expect(mine.sort()).toEqual(['Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceMonitor']);

    const validator = new KubernetesValidator();
    const objects = rendered.objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: 'observability' } }));
    expect(objects.flatMap((o) => validator.validate(o, env.cluster.kubernetesVersion))).toEqual([]);
    const problems = failures(await runPolicies(objects as Any, { environment: 'test' }, undefined, [])).filter((f) => f.object.endsWith('/tempo-stack-echo'));
    expect(problems).toEqual([]);
  });

  it('is rendered by no one when it is not in the list', () => {
    expect(renderEnvironment(baseEnvironment()).objects.some((o) => o.metadata.name === objectName('echo'))).toBe(false);
  });
});
