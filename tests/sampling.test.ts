// Sampling from environment.yaml: what the agents and the gateway render for each policy, the inputs
// that are refused with the reason, and a PR that changes one service's percentage changes exactly the
// collector config in `npm run diff`.
import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { type CollectorConfig, collectorConfig } from '../generators/components/collector-config';
import { gatewayConfig, gatewaySizing } from '../generators/components/gateway';
import { SAMPLING_RATIO_ATTRIBUTE, agentSamples, samplerId } from '../generators/components/sampling';
import type { Environment } from '../generators/environment/index';
import { baseEnvironment } from '../generators/environment/load';
import { environmentNames, loadChecked, loadEnvironments } from '../generators/repository';
import { InputError } from '../generators/validation/messages';
import { main as generate } from '../scripts/generate';
import { renderedDiff } from '../scripts/diff';
import { ROOT, build } from './helpers/kustomize';
import { type Any, find, tempoConfig } from './helpers/objects';
import { sandbox } from './helpers/sandbox';

const base = baseEnvironment();
type Sampling = Environment['sampling'];
const withSampling = (s: Partial<Sampling>, tail: Partial<Sampling['tail']> = {}): Environment => ({
  ...base,
  sampling: { ...base.sampling, ...s, tail: { ...base.sampling.tail, ...tail } },
});
const agent = (env: Environment) => collectorConfig(env, env.components.collector);
/** An OTTL string literal back to its value (`$$` is the collector's escape for `$`). */
const literal = (condition: string) => JSON.parse(/== ("(?:\\.|[^\\"])*")$/.exec(condition)![1]!.replace(/\$\$/g, '$')) as string;

/** Which pipeline a resource with this service.name reaches, and the percentage its sampler keeps. */
function routeOf(config: CollectorConfig, service: string): number {
  const routing = config.connectors!['routing/sampling'];
  const route = routing.table.find((r) => literal(r.condition) === service);
  const pipeline = (route?.pipelines ?? routing.default_pipelines)[0]!;
  const sampler = config.service.pipelines[pipeline as 'traces']!.processors.find((p) => p.startsWith('probabilistic_sampler/'));
  return sampler ? (config.processors[sampler as `probabilistic_sampler/${string}`]!.sampling_percentage as number) : 100;
}

describe('sampling in the environments', () => {
  for (const env of loadEnvironments(ROOT)) {
    it(`${env.name}: the agents sample exactly when a percentage is below 100, and Tempo scales span metrics by what they record`, () => {
      const objects = build(`overlays/${env.name}`);
      const cm = find(objects, 'DaemonSet', 'tempo-stack-collector').spec.template.spec.volumes.find((v: Any) => v.name === 'config').configMap.name;
      const config = parse(find(objects, 'ConfigMap', cm).data['collector.yaml']);
      const samplers = Object.keys(config.processors).filter((p) => p.startsWith('probabilistic_sampler'));
      expect(samplers.length > 0).toBe(agentSamples(env));
      for (const p of samplers) expect(config.processors[p]).toMatchObject({ mode: 'proportional', fail_closed: true });
      const tempo = tempoConfig(objects);
      expect(tempo.metrics_generator.processor.span_metrics.span_multiplier_key).toBe(SAMPLING_RATIO_ATTRIBUTE);
      expect(tempo.metrics_generator.processor.service_graphs.span_multiplier_key).toBe(SAMPLING_RATIO_ATTRIBUTE);
    });
  }

  it('prod keeps 10% (the seed), dev and staging keep everything', () => {
    const byName = Object.fromEntries(loadEnvironments(ROOT).map((e) => [e.name, e.sampling.percentage]));
    expect(byName).toMatchObject({ prod: 10, dev: 100, staging: 100 });
  });
});

describe('the agents', () => {
  it('one percentage: the sampler first after memory_limiter, and the probability recorded as a double', () => {
    const c = agent(withSampling({ percentage: 25 }));
    expect(c.service.pipelines.traces.processors.slice(0, 2)).toEqual(['memory_limiter', samplerId(25)]);
    expect(c.processors.resource.attributes).toContainEqual({ key: SAMPLING_RATIO_ATTRIBUTE, value: 0.25, action: 'upsert' });
    expect(c.connectors).toBeUndefined();
  });

  it('nothing below 100: the pipeline of an agent that does not sample', () => {
    const c = agent(withSampling({ percentage: 100 }));
    expect(c.service.pipelines).toEqual({
      traces: { receivers: ['otlp'], processors: ['memory_limiter', 'k8s_attributes', 'resource', 'transform/scrub-pii', 'batch'], exporters: ['otlp_grpc'] },
    });
    expect(c.processors.resource.attributes.map((a) => a.key)).not.toContain(SAMPLING_RATIO_ATTRIBUTE);
  });

  it('per service: each service.name reaches the sampler of its percentage, any other the default, names quoted exactly', () => {
    const services = { 'matchmaking-service': 50, 'player-service': 100, health: 0, 'odd "name" $x\\y': 1.5 };
    const c = agent(withSampling({ percentage: 10, services }));
    for (const [service, p] of Object.entries(services)) expect(routeOf(c, service), service).toBe(p);
    expect(routeOf(c, 'game-server')).toBe(10);
    // One pipeline per percentage, each recording its own probability (nothing to record at 0% or 100%).
    expect(Object.keys(c.service.pipelines).sort()).toEqual([
      'traces',
      'traces/sample-0',
      'traces/sample-1.5',
      'traces/sample-10',
      'traces/sample-100',
      'traces/sample-50',
    ]);
    expect(c.processors['resource/sample-1.5']).toEqual({ attributes: [{ key: SAMPLING_RATIO_ATTRIBUTE, value: 0.015, action: 'upsert' }] });
    expect(c.processors['resource/sample-0']).toBeUndefined();
  });

  it('with the tail-sampling gateway: no sampler, whole traces by trace id to the headless gateway Service', () => {
    const c = agent(withSampling({ services: { 'matchmaking-service': 50 } }, { enabled: true }));
    expect(Object.keys(c.processors).some((p) => p.startsWith('probabilistic_sampler'))).toBe(false);
    expect(c.exporters.otlp_grpc).toBeUndefined();
    expect(c.exporters.load_balancing).toMatchObject({
      routing_key: 'traceID',
      resolver: { dns: { hostname: 'tempo-stack-gateway.observability.svc.cluster.local', port: '4317' } },
      sending_queue: { enabled: true },
      protocol: { otlp: { sending_queue: { enabled: false }, retry_on_failure: { enabled: false } } },
    });
  });
});

describe('the gateway', () => {
  const env = withSampling({ percentage: 5, services: { 'matchmaking-service': 50 } }, { enabled: true });
  const own = env.components.gateway;
  const config = gatewayConfig(env, own);

  it('keeps every error and slow trace, the default percentage of the rest, and raises a service to its own', () => {
    expect(config.processors.tail_sampling.policies).toEqual([
      { name: 'errors', type: 'status_code', status_code: { status_codes: ['ERROR'] } },
      { name: 'slow', type: 'latency', latency: { threshold_ms: 2000 } },
      { name: 'percentage', type: 'probabilistic', probabilistic: { sampling_percentage: 5 } },
      {
        name: 'service matchmaking-service',
        type: 'and',
        and: {
          and_sub_policy: [
            { name: 'service matchmaking-service: name', type: 'string_attribute', string_attribute: { key: 'service.name', values: ['matchmaking-service'] } },
            { name: 'service matchmaking-service: percentage', type: 'probabilistic', probabilistic: { sampling_percentage: 50 } },
          ],
        },
      },
    ]);
    expect(config.service.pipelines.traces).toEqual({
      receivers: ['otlp'],
      processors: ['memory_limiter', 'tail_sampling', 'batch'],
      exporters: ['otlp_grpc'],
    });
    expect(config.exporters.otlp_grpc.endpoint).toBe('tempo-stack-distributor.observability.svc.cluster.local:4317');
  });

  it('holds twice a decision window of its share of the new traces, and remembers ten times as many decisions', () => {
    const { perReplica, numTraces } = gatewaySizing(env, own);
    expect(perReplica).toBe(Math.ceil(1000 / own.replicas));
    expect(config.processors.tail_sampling).toMatchObject({
      decision_wait: '10s',
      num_traces: perReplica * 10 * 2,
      expected_new_traces_per_sec: perReplica,
      decision_cache: { sampled_cache_size: numTraces * 10, non_sampled_cache_size: numTraces * 10 },
    });
  });
});

describe('refused sampling inputs', () => {
  const box = sandbox();
  afterAll(() => box.remove());
  const FILE = 'overlays/prod/environment.yaml';
  const original = box.read(FILE);
  /** The problems loading prod reports with `yaml` appended to its file. */
  function problems(yaml: string): string {
    box.write(FILE, `${original}${yaml}\n`);
    try {
      loadChecked(box.dir, 'prod');
      return '';
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return e.problems.join('\n');
    } finally {
      box.write(FILE, original);
    }
  }
  const AT = String.raw`overlays/prod/environment\.yaml:\d+:\d+: `;
  const cases: Array<[string, string, RegExp]> = [
    ['a percentage above 100', 'sampling: { percentage: 101 }', new RegExp(`${AT}sampling\\.percentage: .*100`)],
    ['a negative percentage', 'sampling: { percentage: -1 }', new RegExp(`${AT}sampling\\.percentage: .*0`)],
    ['a service percentage above 100', 'sampling: { services: { game-server: 150 } }', new RegExp(`${AT}sampling\\.services\\.game-server: .*100`)],
    [
      'a percentage too small for the sampler',
      'sampling: { percentage: 1e-16 }',
      new RegExp(
        `${AT}sampling\\.percentage: 1e-16 is below the smallest probability .* \\(2\\^-56, 1\\.39e-15%\\): the collector would refuse the config; expected 0 .* or at least 1\\.39e-15`,
      ),
    ],
    [
      'a service percentage too small for the sampler',
      'sampling: { services: { game-server: 1e-40 } }',
      /sampling\.services\.game-server: 1e-40 is below the smallest/,
    ],
    ['an empty service name', 'sampling: { services: { "": 50 } }', new RegExp(`${AT}sampling\\.services\\.: "" never matches`)],
    [
      'a name with trailing whitespace',
      'sampling: { services: { "game-server ": 50 } }',
      /"game-server " has leading or trailing whitespace, which no SDK sends/,
    ],
    ['a name with a control character', 'sampling: { services: { "game\\tserver": 50 } }', /"game\\tserver" contains a control character/],
    [
      'a service at the default percentage',
      'sampling: { services: { game-server: 10 } }',
      /"game-server" has the default percentage \(10\); expected a different one, or no entry/,
    ],
    [
      'a service.name the scrubbing deletes',
      'sampling: { services: { game-server: 50 } }\ncomponents: { collector: { scrubbing: { deleteAttributes: [service.name] } } }',
      new RegExp(`${AT}sampling\\.services: can never match: components\\.collector\\.scrubbing has service\\.name deleted`),
    ],
    [
      'a service.name a mask pattern redacts',
      'sampling: { services: { "ops@example.com": 50 } }',
      /"ops@example\.com" can never match: the agents mask it \(components\.collector\.scrubbing\.maskPatterns "email"\)/,
    ],
    [
      'a service below the default with the tail-sampling gateway',
      'sampling: { services: { game-server: 5 }, tail: { enabled: true } }',
      /"game-server" keeps 5%, below the default 10%: with the tail-sampling gateway .* expected at least 10/,
    ],
    [
      'the gateway without the agents',
      'sampling: { tail: { enabled: true } }\nfeatures: { collector: false }',
      new RegExp(`${AT}sampling\\.tail\\.enabled: needs features\\.collector`),
    ],
    [
      'a gateway on another collector release',
      'sampling: { tail: { enabled: true } }\ncomponents: { gateway: { image: "otel/opentelemetry-collector-contrib:0.158.0" } }',
      new RegExp(`${AT}components\\.gateway\\.image: is otel/opentelemetry-collector-contrib:0\\.158\\.0 but the agents run .*0\\.159\\.0`),
    ],
  ];
  for (const [what, yaml, expected] of cases) it(what, () => expect(problems(yaml)).toMatch(expected));

  it('accepts 0 and 100, fractions, and any name an SDK can send', () => {
    expect(problems('sampling: { percentage: 0, services: { "game-server": 100, "health check/v1": 0.5, "плеер": 12.5, tiny: 1e-14 } }')).toBe('');
  });
});

describe('a PR that changes sampling for one service', () => {
  const box = sandbox();
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {
      cwd: box.dir,
      encoding: 'utf8',
    });
  const FILE = 'overlays/prod/environment.yaml';
  const generated = () => {
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(generate([], box.dir)).toBe(0);
    } finally {
      quiet.mockRestore();
    }
  };
  beforeAll(() => {
    box.write(FILE, `${box.read(FILE)}sampling:\n  services:\n    matchmaking-service: 50\n`);
    generated();
    git('init', '-q', '-b', 'main');
    git('add', '--all');
    git('commit', '-q', '-m', 'prod: matchmaking-service at 50%');
    symlinkSync(join(ROOT, 'node_modules'), join(box.dir, 'node_modules'));
    box.write('.git/info/exclude', 'node_modules\n');
  });
  afterAll(() => box.remove());

  it('shows exactly the collector config change (and the DaemonSet that mounts it by its hashed name)', async () => {
    box.write(FILE, box.read(FILE).replace('matchmaking-service: 50', 'matchmaking-service: 25'));
    generated();
    const d = await renderedDiff(box.dir, { tools: ROOT });
    const changed = Object.fromEntries(d.environments.map((e) => [e.env, [...e.added, ...e.removed, ...e.changed.map((c) => c.id)]]));
    expect(changed).toEqual({
      ...Object.fromEntries(environmentNames(ROOT).map((e) => [e, []])),
      prod: ['ConfigMap/tempo-stack-collector', 'DaemonSet/tempo-stack-collector'],
    });
    const prod = d.environments.find((e) => e.env === 'prod')!.changed;
    const lines = (id: string) =>
      prod
        .find((c) => c.id === id)!
        .patch.split('\n')
        .filter((l) => /^[-+][^-+]/.test(l));
    // The DaemonSet changes only the name of the ConfigMap it mounts.
    expect(lines('DaemonSet/tempo-stack-collector')).toEqual([
      expect.stringMatching(/^-\s+name: tempo-stack-collector-\w+$/),
      expect.stringMatching(/^\+\s+name: tempo-stack-collector-\w+$/),
    ]);
    // The config: the service's route and its percentage's sampler and pipeline, nothing else.
    const config = lines('ConfigMap/tempo-stack-collector').join('\n');
    expect(config).toMatch(/^-\s+- traces\/sample-50$/m);
    expect(config).toMatch(/^\+\s+- traces\/sample-25$/m);
    expect(config).not.toMatch(/k8s_attributes|transform|otlp_grpc:|sample-10\b/);
  });
});
