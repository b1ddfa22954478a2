// Checks that span several fields of one environment; the schema checks each field on its own. Checks
// that belong to one component live in its file (Component.checks), checks of what the environment
// renders with its outputs (the Tempo config, AWS names, alert names) in those modules.
import { MIN_RETENTION_SECONDS, RETENTION_FLOOR_PARTS } from '../tempo/facts';
import type { Problem } from '../validation/messages';
import { floorOf } from './fields';
import { type Environment, environmentSchema } from './index';
import { Quantity } from './units';

/** Go's time.Duration is an int64 of nanoseconds: Tempo cannot parse a longer duration. */
const GO_MAX_DURATION_SECONDS = (2 ** 63 - 1) / 1e9;
const hm = (seconds: number) => `${Math.floor(seconds / 3600)}h${seconds % 3600 ? `${Math.round((seconds % 3600) / 60)}m` : ''}`;

type Figures = Record<string, Quantity | undefined>;
interface Sized {
  resources?: { requests: Figures; limits: Figures };
  autoscaling?: { minReplicas: number; maxReplicas: number };
}

export function crossFieldProblems(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });

  // The config, schema and alerts of each version are written for its release line.
  const line = env.tempo.version.replace('.', '\\.');
  if (!new RegExp(`^${line}\\.[0-9]+$`).test(env.tempo.tag)) {
    add(
      'tempo.tag',
      `expected a Tempo ${env.tempo.version}.x tag for tempo.version ${env.tempo.version} (its config, schema and alerts are written for that line; set tempo.version to change lines), got "${env.tempo.tag}"`,
    );
  }
  for (const [name, settings] of Object.entries(env.components) as Array<[string, Sized]>) {
    const { requests, limits } = settings.resources ?? { requests: {}, limits: {} };
    for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
      const [request, limit] = [requests[r], limits[r]];
      if (request && limit && request.value > limit.value) {
        add(`components.${name}.resources.requests.${r}`, `request ${request.text} is above the limit ${limit.text}; expected requests <= limits`);
      }
    }
    const a = settings.autoscaling;
    if (a && a.minReplicas > a.maxReplicas)
      add(`components.${name}.autoscaling.minReplicas`, `must not exceed maxReplicas (${a.maxReplicas}), got ${a.minReplicas}`);
  }
  problems.push(...retentionProblems(env), ...floorProblems(env));
  if (env.s3.sse === 'SSE-KMS' && !env.s3.kmsKeyId) add('s3.kmsKeyId', 'is required when s3.sse is SSE-KMS');
  const issuerRegion = /^https:\/\/oidc\.eks\.([a-z0-9-]+)\./.exec(env.cluster.oidcIssuer)?.[1];
  if (issuerRegion && issuerRegion !== env.aws.region)
    add('cluster.oidcIssuer', `is in region ${issuerRegion} but aws.region is ${env.aws.region}; expected the issuer of this environment's cluster`);
  for (const p of bucketNameProblems(env.s3.bucket)) add('s3.bucket', p);

  const t = env.alerts.thresholds;
  if (t.outstandingBlocksPerCompactor.critical <= t.outstandingBlocksPerCompactor.warning) {
    add(
      'alerts.thresholds.outstandingBlocksPerCompactor.critical',
      `must be above the warning level (${t.outstandingBlocksPerCompactor.warning}), got ${t.outstandingBlocksPerCompactor.critical}`,
    );
  }
  if (t.volumeFreePercent.critical >= t.volumeFreePercent.warning) {
    add(
      'alerts.thresholds.volumeFreePercent.critical',
      `must be below the warning level (${t.volumeFreePercent.warning}), got ${t.volumeFreePercent.critical}: less free space is worse`,
    );
  }

  for (const scope of ['span', 'resource'] as const) {
    const names = env.dedicatedColumns.filter((c) => c.scope === scope).map((c) => c.name);
    // vParquet4 and vParquet5 reserve 10 string columns per scope.
    if (names.length > 10) add('dedicatedColumns', `at most 10 ${scope} columns are supported, got ${names.length}`);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) add('dedicatedColumns', `${scope} attribute "${dup}" is listed twice`);
  }
  return problems;
}

function retentionProblems(env: Environment): Problem[] {
  const r = env.retention;
  if (r.seconds < MIN_RETENTION_SECONDS) {
    const parts = Object.entries(RETENTION_FLOOR_PARTS).map(([key, s]) => `${key} ${hm(s)}`);
    return [
      {
        path: 'retention',
        message: `${r.text} would let the compactor delete blocks before they are flushed, polled and queried; expected at least ${hm(MIN_RETENTION_SECONDS)} (Tempo 2.10.8: ${parts.join(' + ')})`,
      },
    ];
  }
  if (r.seconds > GO_MAX_DURATION_SECONDS) return [{ path: 'retention', message: `${r.text} is longer than Go's longest duration; expected at most 2562047h` }];
  return [];
}

/** Quantities below their field's floor (fields.ts): a process that cannot start, a volume EBS cannot make. */
function floorProblems(env: Environment): Problem[] {
  const problems: Problem[] = [];
  type Node = { properties?: Record<string, Node>; additionalProperties?: unknown };
  const walk = (schema: Node, value: unknown, path: string[]) => {
    const floor = floorOf(schema);
    if (floor && value instanceof Quantity) {
      const least = Quantity.parse(floor.least);
      if (value.value < least.value)
        problems.push({ path: path.join('.'), message: `${value.text} is below ${least.text}: ${floor.why}; expected at least ${least.text}` });
    }
    if (!value || typeof value !== 'object' || value instanceof Quantity) return;
    for (const [key, v] of Object.entries(value)) {
      const sub = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? (schema.additionalProperties as Node) : undefined);
      if (sub) walk(sub, v, [...path, key]);
    }
  };
  walk(environmentSchema as unknown as Node, env, []);
  return problems;
}

/** S3 bucket naming rules beyond the character pattern of the schema. */
export function bucketNameProblems(bucket: string): string[] {
  const out: string[] = [];
  if (bucket.includes('..')) out.push(`"${bucket}" has two adjacent periods; S3 forbids that`);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) out.push(`"${bucket}" looks like an IP address; S3 forbids that`);
  for (const prefix of ['xn--', 'sthree-', 'amzn-s3-demo-']) if (bucket.startsWith(prefix)) out.push(`"${bucket}" starts with the reserved prefix "${prefix}"`);
  for (const suffix of ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'])
    if (bucket.endsWith(suffix)) out.push(`"${bucket}" ends with the reserved suffix "${suffix}"`);
  return out;
}
