// Every key of every collector config this repository renders (the agents of each environment, the
// per-service and tail-sampling shapes, the gateway) is one the pinned collector release reads: checked
// against tests/helpers/collector-keys.ts, written by hand from that release's config structs.
import { describe, expect, it } from 'vitest';
import { collectorConfig } from '../generators/components/collector-config';
import { gatewayConfig } from '../generators/components/gateway';
import { sidecarConfig } from '../generators/components/vulture';
import type { Environment } from '../generators/environment/index';
import { baseEnvironment } from '../generators/environment/load';
import { loadEnvironments } from '../generators/repository';
import { COLLECTOR_KEYS, COLLECTOR_VALUES, SERVICE_KEYS, unknownKeys } from './helpers/collector-keys';
import { ROOT } from './helpers/kustomize';

const base = baseEnvironment();
const variant = (name: string, sampling: Partial<Environment['sampling']>, tail = false): Environment => ({
  ...base,
  name,
  features: { ...base.features, multitenancy: true },
  sampling: { ...base.sampling, ...sampling, tail: { ...base.sampling.tail, enabled: tail } },
});
const perService = variant('per-service', { services: { 'matchmaking-service': 50, health: 0, 'player-service': 100 } });
const tail = variant('tail', { services: { 'matchmaking-service': 50 } }, true);

const configs: Array<[string, Record<string, unknown>]> = [
  ...[base, ...loadEnvironments(ROOT), perService, tail].map((env): [string, Record<string, unknown>] => [
    `agent of ${env.name}`,
    { ...collectorConfig(env, env.components.collector) },
  ]),
  ['gateway', { ...gatewayConfig(tail, tail.components.gateway) }],
  ["tempo-vulture's TLS sidecar", { ...sidecarConfig(tail) }],
];

describe('collector configs use only keys of otelcol-contrib 0.159.0', () => {
  for (const [what, config] of configs) {
    it(what, () => {
      const problems: string[] = [];
      for (const kind of ['receivers', 'processors', 'exporters', 'connectors', 'extensions'] as const) {
        for (const [id, settings] of Object.entries((config[kind] ?? {}) as Record<string, unknown>)) {
          const type = id.split('/')[0]!;
          const keys = COLLECTOR_KEYS[kind][type];
          if (!keys) problems.push(`${kind}.${id}: no component type "${type}" is checked`);
          else problems.push(...unknownKeys(settings, keys, `${kind}.${id}`));
          for (const [path, allowed] of Object.entries(COLLECTOR_VALUES).filter(([p]) => p.startsWith(`${type}.`))) {
            for (const v of valuesAt(settings, path.split('.').slice(1)))
              if (!allowed.includes(v)) problems.push(`${kind}.${id}: ${path} = ${JSON.stringify(v)}`);
          }
        }
      }
      problems.push(...unknownKeys(config.service, SERVICE_KEYS, 'service'));
      expect(problems).toEqual([]);
    });
  }

  it('the check itself refuses a key the release does not have', () => {
    const sampler = collectorConfig(perService, perService.components.collector).processors['probabilistic_sampler/50'];
    expect(unknownKeys({ ...sampler, sampling_rate: 5 }, COLLECTOR_KEYS.processors.probabilistic_sampler!, 'p')).toEqual(['p.sampling_rate']);
    expect(badValues('probabilistic_sampler', { ...sampler, mode: 'consistent' })).toEqual(['probabilistic_sampler.mode = "consistent"']);
    expect(badValues('tail_sampling', { policies: [{ type: 'and', and: { and_sub_policy: [{ type: 'composite' }] } }] })).toEqual([
      'tail_sampling.policies.and.and_sub_policy.type = "composite"',
    ]);
    expect(unknownKeys({ protocols: { grpc: { endpoint: 'x', bogus: 1 } } }, COLLECTOR_KEYS.receivers.otlp!, 'r')).toEqual(['r.protocols.grpc.bogus']);
  });
});

/** Values outside what the component accepts (COLLECTOR_VALUES). */
function badValues(type: string, settings: unknown): string[] {
  return Object.entries(COLLECTOR_VALUES)
    .filter(([p]) => p.startsWith(`${type}.`))
    .flatMap(([path, allowed]) =>
      valuesAt(settings, path.split('.').slice(1))
        .filter((v) => !allowed.includes(v))
        .map((v) => `${path} = ${JSON.stringify(v)}`),
    );
}

/** The values at a dotted path, descending into lists. */
function valuesAt(value: unknown, path: string[]): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => valuesAt(v, path));
  if (path.length === 0) return [value];
  if (typeof value !== 'object' || value === null) return [];
  const next = (value as Record<string, unknown>)[path[0]!];
  return next === undefined ? [] : valuesAt(next, path.slice(1));
}
