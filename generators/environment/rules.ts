// Rules that span several fields; the schema checks each field on its own.
import { LIFECYCLE_MARGIN_HOURS, awsNames } from '../aws';
import { parseGoDuration, parseQuantity } from '../quantity';
import { COMPONENTS, type Environment } from './types';

export interface Problem {
  path: string;
  message: string;
}

export function crossFieldProblems(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });

  const rf = env.tempo.replicationFactor;
  if (env.components.ingester.replicas < rf) {
    add('components.ingester.replicas', `must be at least tempo.replicationFactor (${rf}), got ${env.components.ingester.replicas}: every trace is written to ${rf} ingesters`);
  }
  if (!/^2\.10\.[0-9]+$/.test(env.tempo.tag)) {
    add('tempo.tag', `expected a Tempo 2.10.x tag (this repo's config and alerts are written for 2.10; 3.x removed the ingester and compactor), got "${env.tempo.tag}"`);
  }
  const resources: Array<[string, Environment['collector']['resources']]> = [
    ...COMPONENTS.map((name) => [`components.${name}`, env.components[name].resources] as [string, Environment['collector']['resources']]),
    ['collector', env.collector.resources],
    ['vulture', env.vulture.resources],
  ];
  for (const [path, { requests, limits }] of resources) {
    for (const r of ['cpu', 'memory', 'ephemeral-storage'] as const) {
      if (requests[r] === undefined || limits[r] === undefined) continue;
      if (parseQuantity(requests[r]) > parseQuantity(limits[r])) {
        add(`${path}.resources.requests.${r}`, `request ${requests[r]} is above the limit ${limits[r]}; expected requests <= limits`);
      }
    }
  }
  for (const name of ['distributor', 'querier'] as const) {
    const a = env.components[name].autoscaling;
    if (a.minReplicas > a.maxReplicas) add(`components.${name}.autoscaling.minReplicas`, `must not exceed maxReplicas (${a.maxReplicas}), got ${a.minReplicas}`);
  }
  const mc = env.components.memcached;
  if (mc.memoryLimitMb * 2 ** 20 >= parseQuantity(mc.resources.limits.memory)) {
    add('components.memcached.memoryLimitMb', `must stay below the container memory limit (${mc.resources.limits.memory}) to leave room for connections, got ${mc.memoryLimitMb}`);
  }
  if (env.s3.sse === 'SSE-KMS' && !env.s3.kmsKeyId) add('s3.kmsKeyId', 'is required when s3.sse is SSE-KMS');
  // The lifecycle is a backstop: expiring a block before the compactor is done with it breaks queries.
  const retentionHours = parseGoDuration(env.retention) / 3600;
  const minDays = Math.ceil((retentionHours + LIFECYCLE_MARGIN_HOURS) / 24);
  if (env.s3.lifecycle.expirationDays < minDays) {
    add('s3.lifecycle.expirationDays', `${env.s3.lifecycle.expirationDays} days would expire blocks Tempo still serves (retention ${env.retention} = ${+(retentionHours / 24).toFixed(2)} days); expected at least ${minDays}: retention plus a day for compacted blocks and S3's daily lifecycle run`);
  }
  const issuerRegion = /^https:\/\/oidc\.eks\.([a-z0-9-]+)\./.exec(env.cluster.oidcIssuer)?.[1];
  if (issuerRegion && issuerRegion !== env.aws.region) add('cluster.oidcIssuer', `is in region ${issuerRegion} but aws.region is ${env.aws.region}; expected the issuer of this environment's cluster`);
  const longest = Object.values(awsNames(env)).reduce((a, b) => (b.length > a.length ? b : a));
  if (longest.length > 64) {
    add('cluster.name', `makes the IAM name "${longest}" ${longest.length} characters long (IAM allows 64); expected at most ${64 - longest.length + env.cluster.name.length} characters`);
  }
  for (const p of bucketNameProblems(env.s3.bucket)) add('s3.bucket', p);

  const t = env.alerts.thresholds;
  if (t.outstandingBlocksPerCompactor.critical <= t.outstandingBlocksPerCompactor.warning) {
    add('alerts.thresholds.outstandingBlocksPerCompactor.critical', `must be above the warning level (${t.outstandingBlocksPerCompactor.warning}), got ${t.outstandingBlocksPerCompactor.critical}`);
  }
  if (t.volumeFreePercent.critical >= t.volumeFreePercent.warning) {
    add('alerts.thresholds.volumeFreePercent.critical', `must be below the warning level (${t.volumeFreePercent.warning}), got ${t.volumeFreePercent.critical}: less free space is worse`);
  }

  for (const scope of ['span', 'resource'] as const) {
    const names = env.dedicatedColumns.filter((c) => c.scope === scope).map((c) => c.name);
    // vParquet4 and vParquet5 reserve 10 string columns per scope.
    if (names.length > 10) add('dedicatedColumns', `at most 10 ${scope} columns are supported, got ${names.length}`);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) add('dedicatedColumns', `${scope} attribute "${dup}" is listed twice`);
  }
  problems.push(...scrubbingProblems(env));
  return problems;
}

function scrubbingProblems(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const { deleteAttributes, hashAttributes, maskPatterns } = env.collector.scrubbing;
  for (const key of hashAttributes.filter((k) => deleteAttributes.includes(k))) {
    problems.push({ path: 'collector.scrubbing.hashAttributes', message: `"${key}" is also in deleteAttributes; expected each attribute in one list` });
  }
  maskPatterns.forEach((p, i) => {
    if (maskPatterns.findIndex((q) => q.name === p.name) !== i) problems.push({ path: `collector.scrubbing.maskPatterns.${i}.name`, message: `"${p.name}" is used twice; expected unique names` });
    const why = re2Problem(p.regex);
    if (why) problems.push({ path: `collector.scrubbing.maskPatterns.${i}.regex`, message: `${why}; expected an RE2 (Go) regular expression` });
  });
  return problems;
}

/**
 * Why the collector (Go RE2) would reject `regex`, as far as JavaScript can tell: RE2 has no lookaround
 * or backreferences; the rest is checked by compiling it here (inline flags and (?P<name>) translated).
 */
export function re2Problem(regex: string): string | undefined {
  if (/\\(?:[1-9]|k<)/.test(regex)) return `"${regex}" uses a backreference, which RE2 does not support`;
  if (/\(\?(?:=|!|<=|<!|>)/.test(regex)) return `"${regex}" uses lookaround or an atomic group, which RE2 does not support`;
  const flags = /^\(\?([imsU]+)\)/.exec(regex);
  const body = (flags ? regex.slice(flags[0].length) : regex).replace(/\(\?P</g, '(?<');
  try {
    new RegExp(body, (flags?.[1] ?? '').replace('U', ''));
  } catch (e) {
    return `"${regex}" is not a valid regular expression (${(e as Error).message})`;
  }
  return undefined;
}

/** S3 bucket naming rules beyond the character pattern of the schema. */
export function bucketNameProblems(bucket: string): string[] {
  const out: string[] = [];
  if (bucket.includes('..')) out.push(`"${bucket}" has two adjacent periods; S3 forbids that`);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) out.push(`"${bucket}" looks like an IP address; S3 forbids that`);
  for (const prefix of ['xn--', 'sthree-', 'amzn-s3-demo-']) if (bucket.startsWith(prefix)) out.push(`"${bucket}" starts with the reserved prefix "${prefix}"`);
  for (const suffix of ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3']) if (bucket.endsWith(suffix)) out.push(`"${bucket}" ends with the reserved suffix "${suffix}"`);
  return out;
}
