// Trace sampling (environment.yaml `sampling`), as the collector config renders it. Keys and behaviour
// checked against opentelemetry-collector-contrib v0.159 (see README "Sampling"):
// - Head sampling in every agent: `probabilistic_sampler` in `proportional` mode (its default) decides from
//   the trace id's 56 random bits (W3C trace context level 2), so every agent keeps or drops the same
//   traces with no seed to share, and it records the probability it applied in the span's tracestate
//   (`ot=th:…`). Per-service percentages: the `routing` connector sends each resource (one service.name)
//   to the pipeline of its percentage. Decisions nest: a trace kept at 10% is kept at 50% too.
// - Tail sampling in the gateway (`sampling.tail.enabled`): the agents forward everything, the gateway
//   keeps every error and slow trace and the percentages of the rest (gateway.ts).
import type { EnvironmentSettings } from '../environment/settings';
import type { Problem } from '../validation/messages';

/** The resource attribute the agents set to the probability they kept a span with; the metrics-generator divides by it. */
export const SAMPLING_RATIO_ATTRIBUTE = 'sampling.ratio';
export const ROUTING_CONNECTOR = 'routing/sampling';

/** Whether the agents sample: some percentage is below 100 and no gateway decides instead. */
export function agentSamples(env: EnvironmentSettings): boolean {
  const s = env.sampling;
  return !s.tail.enabled && [s.percentage, ...Object.values(s.services)].some((p) => p < 100);
}

/** Whether the environment has per-service percentages (the agents then route by service.name). */
export const perService = (env: EnvironmentSettings): boolean => Object.keys(env.sampling.services).length > 0;

/** A component or pipeline name for a percentage: 10, 12.5 (a valid collector id name: no symbols or spaces). */
const pct = (p: number): string => String(p);
export const samplerId = (p: number): string => `probabilistic_sampler/${pct(p)}`;
export const pipelineId = (p: number): string => `traces/sample-${pct(p)}`;
const ratioId = (p: number): string => `resource/sample-${pct(p)}`;

/** The probability as a double (Tempo's span_multiplier_key reads double values only). */
export const ratio = (p: number): number => Number((p / 100).toPrecision(12));

/** The processor for one percentage: consistent by trace id, fails closed on a malformed tracestate. */
export const sampler = (p: number) => ({ mode: 'proportional' as const, sampling_percentage: p, fail_closed: true });

/** Records the probability a span was kept with (upserted: an application cannot claim another). */
export const ratioAttribute = (p: number) => ({ key: SAMPLING_RATIO_ATTRIBUTE, value: ratio(p), action: 'upsert' as const });

/** The percentages in use (the default's and the services'), ascending. */
export function percentages(env: EnvironmentSettings): number[] {
  return [...new Set([env.sampling.percentage, ...Object.values(env.sampling.services)])].sort((a, b) => a - b);
}

/** The services with their own percentage, sorted by name (the routing table's order). */
export const serviceRates = (env: EnvironmentSettings): Array<[string, number]> =>
  Object.entries(env.sampling.services).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export function samplingProcessors(env: EnvironmentSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of percentages(env).filter((x) => x < 100)) {
    out[samplerId(p)] = sampler(p);
    if (p > 0) out[ratioId(p)] = { attributes: [ratioAttribute(p)] };
  }
  return out;
}
/** Sample and record the probability (nothing passes at 0%, nothing is dropped at 100%), then batch. */
export const pipelineProcessors = (p: number): string[] => [...(p < 100 ? [samplerId(p)] : []), ...(p > 0 && p < 100 ? [ratioId(p)] : []), 'batch'];

/** tail_sampling's policies: errors and slow traces always, then the percentages (gateway.ts). */
export function tailPolicies(env: EnvironmentSettings) {
  const s = env.sampling;
  const overrides = serviceRates(env);
  return [
    { name: 'errors', type: 'status_code', status_code: { status_codes: ['ERROR'] } },
    { name: 'slow', type: 'latency', latency: { threshold_ms: Math.round(s.tail.latencyThreshold.seconds * 1000) } },
    ...(s.percentage > 0 ? [{ name: 'percentage', type: 'probabilistic', probabilistic: { sampling_percentage: s.percentage } }] : []),
    // A trace is kept when any policy keeps it: a service's percentage raises the default for the traces it is in.
    ...overrides.map(([service, p]) => ({
      name: `service ${service}`,
      type: 'and',
      and: {
        and_sub_policy: [
          { name: `service ${service}: name`, type: 'string_attribute', string_attribute: { key: 'service.name', values: [service] } },
          { name: `service ${service}: percentage`, type: 'probabilistic', probabilistic: { sampling_percentage: p } },
        ],
      },
    })),
  ];
}

/** What would make a sampling rule never match or do something else than it says (paths are environment.yaml fields). */
export function samplingProblems(env: EnvironmentSettings & { components?: unknown }): Problem[] {
  const problems: Problem[] = [];
  const s = env.sampling;
  const components = env.components as
    | {
        collector?: {
          image: string;
          tenant: string;
          scrubbing: { deleteAttributes: string[]; hashAttributes: string[]; maskPatterns: Array<{ name: string; regex: string }> };
        };
        gateway?: { image: string; tenant: string };
      }
    | undefined;
  const scrubbing = components?.collector?.scrubbing;
  for (const [path, p] of [
    ['sampling.percentage', s.percentage] as const,
    ...Object.entries(s.services).map(([n, q]) => [`sampling.services.${n}`, q] as const),
  ])
    if (tooSmall(p))
      problems.push({
        path,
        message: `${p} is below the smallest probability the collector's probabilistic_sampler represents (2^-56, ${MIN_PERCENTAGE.toPrecision(3)}%): the collector would refuse the config; expected 0 (keep nothing) or at least ${MIN_PERCENTAGE.toPrecision(3)}`,
      });
  for (const [service, p] of Object.entries(s.services)) {
    const at = `sampling.services.${service}`;
    const add = (message: string) => problems.push({ path: at, message: `${JSON.stringify(service)} ${message}` });
    if (service === '') add('never matches: service.name is never empty; expected the name your SDK sets (OTEL_SERVICE_NAME)');
    else if (service.trim() !== service) add('has leading or trailing whitespace, which no SDK sends; expected the name without it');
    else if (/\p{Cc}/u.test(service)) add('contains a control character; expected the name your SDK sets (OTEL_SERVICE_NAME)');
    else if (service.length > 255) add(`is ${service.length} characters long; expected at most 255`);
    const masked = scrubbing?.maskPatterns.find((m) => matchesRe2(m.regex, service));
    if (masked) add(`can never match: the agents mask it (components.collector.scrubbing.maskPatterns "${masked.name}") before they route by it`);
    if (p === s.percentage) add(`has the default percentage (${p}); expected a different one, or no entry`);
    if (s.tail.enabled && p < s.percentage)
      add(
        `keeps ${p}%, below the default ${s.percentage}%: with the tail-sampling gateway a trace is kept when any policy keeps it, so a service's percentage can only raise the default; expected at least ${s.percentage}`,
      );
  }
  if (perService(env) && scrubbing) {
    const why = scrubbing.deleteAttributes.includes('service.name') ? 'deleted' : scrubbing.hashAttributes.includes('service.name') ? 'hashed' : '';
    if (why)
      problems.push({
        path: 'sampling.services',
        message: `can never match: components.collector.scrubbing has service.name ${why} before the agents route by it; expected service.name kept`,
      });
  }
  const [agent, gateway] = [components?.collector, components?.gateway];
  if (s.tail.enabled && agent && gateway) {
    if (gateway.image !== agent.image)
      problems.push({
        path: 'components.gateway.image',
        message: `is ${gateway.image} but the agents run ${agent.image}; expected one collector release (its config keys are checked for it)`,
      });
    if (gateway.tenant !== agent.tenant)
      problems.push({
        path: 'components.gateway.tenant',
        message: `is "${gateway.tenant}" but the agents write as "${agent.tenant}"; expected the same tenant, so sampling does not move traces between tenants`,
      });
  }
  if (s.tail.enabled && !env.features.collector)
    problems.push({ path: 'sampling.tail.enabled', message: 'needs features.collector: the agents are what send whole traces to the gateway' });
  return problems;
}

/** probabilistic_sampler's Config.Validate: a percentage (a float32) above 0 whose probability is below 2^-56 is refused. */
const MIN_PERCENTAGE = 100 * 2 ** -56;
const tooSmall = (p: number): boolean => p > 0 && Math.fround(p) / 100 < 2 ** -56;

/** Whether an RE2 pattern (leading inline flags, (?P<name>) groups) matches `text`, as JavaScript can tell. */
function matchesRe2(regex: string, text: string): boolean {
  const flags = /^\(\?([imsU]+)\)/.exec(regex);
  try {
    return new RegExp((flags ? regex.slice(flags[0].length) : regex).replace(/\(\?P</g, '(?<'), (flags?.[1] ?? '').replace('U', '')).test(text);
  } catch {
    return false; // scrubbingProblems reports a pattern that does not compile
  }
}
