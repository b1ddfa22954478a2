// Checks that span several fields of one environment; the schema checks each field on its own. Checks
// that belong to one component live in its file (Component.checks), checks of what the environment
// renders with its outputs (the Tempo config, AWS names, alert names) in those modules.
import type { Problem } from '../validation/messages';
import { floorOf } from './fields';
import { type Environment, environmentSchema } from './index';
import { dedicatedColumnProblems, retentionProblem, tenantProblems } from './tenants';
import { tlsProblems } from './tls';
import { Quantity } from './units';

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
  problems.push(...retentionProblems(env), ...floorProblems(env), ...tlsProblems(env.tls));
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

  problems.push(...dedicatedColumnProblems('dedicatedColumns', env.dedicatedColumns));
  problems.push(...tenantProblems(env));
  problems.push(...dualRunProblems(env));
  return problems;
}

/** What a dual run (migration.tempo3) cannot work without; the 3.x stack's own settings are checked as an environment of their own (load.ts). */
export function dualRunProblems(env: Environment): Problem[] {
  const run = env.migration;
  if (!run) return [];
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  if (env.tempo.version !== '2.10')
    add('migration', `is for a tempo.version 2.10 environment moving to Tempo 3; this one runs ${env.tempo.version} already (remove the block)`);
  if (run.namespace === env.namespace)
    add(
      'migration.tempo3.namespace',
      `"${run.namespace}" is the 2.10 stack's namespace; expected another one: both stacks keep the same object names, each in its own namespace`,
    );
  if (!env.features.collector)
    add('migration.tempo3', 'needs features.collector: the collector agents are what writes every span to both stacks; expected features.collector true');
  if (env.tls.enabled && !env.tls.clusterIssuer)
    add(
      'migration.tempo3',
      `needs tls.clusterIssuer with tls.enabled: the agents in ${env.namespace} and Grafana check both stacks' certificates against one CA, and a namespace CA signs for its own namespace only; expected a ClusterIssuer both namespaces use`,
    );
  if (run.stage === 'cutover' && !run.stack.features.vulture)
    add(
      'migration.tempo3.stage',
      'cutover needs tempo-vulture on the Tempo 3 stack (its error rate is the gate that says 3.x reads back what it was sent); expected features.vulture true',
    );
  return problems;
}

function retentionProblems(env: Environment): Problem[] {
  const why = retentionProblem(env.retention);
  return why ? [{ path: 'retention', message: why }] : [];
}

/** Quantities below their field's floor or above its ceiling (fields.ts): a process that cannot start, a volume EBS cannot make, a typo. */
function floorProblems(env: Environment): Problem[] {
  const problems: Problem[] = [];
  type Node = { properties?: Record<string, Node>; additionalProperties?: unknown };
  const walk = (schema: Node, value: unknown, path: string[]) => {
    const floor = floorOf(schema);
    if (floor && value instanceof Quantity) {
      const least = Quantity.parse(floor.least);
      if (value.value < least.value)
        problems.push({ path: path.join('.'), message: `${value.text} is below ${least.text}: ${floor.why}; expected at least ${least.text}` });
      const most = floor.ceiling && Quantity.parse(floor.ceiling.most);
      if (most && value.value > most.value)
        problems.push({ path: path.join('.'), message: `${value.text} is above ${most.text}: ${floor.ceiling!.why}; expected at most ${most.text}` });
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
