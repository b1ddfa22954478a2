// What tempo.version decides beyond which components run: settings written for a component (or for
// Kafka) that this version does not run are refused with what replaces it, and Tempo 3's partitions
// must divide between the live-stores, block-builders and metrics-generators as Tempo 3.0.3 assigns them.
import type { Environment } from '../environment/index';
import { livePartitions } from '../kafka/facts';
import type { Problem } from '../validation/messages';
import { COMPONENTS, type ComponentName } from './index';

/** The shortest Kafka retention: a block-builder cycle (5m), a restart and a live-store replay, with room. */
export const MIN_KAFKA_RETENTION_SECONDS = 3600;

/** `file`: the environment file as written (before defaults): only what it sets is judged. */
export function versionProblems(env: Environment, file: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const version = env.tempo.version;
  const written = (file.components ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(written)) {
    const c = COMPONENTS[name as ComponentName];
    if (!c?.versions || c.versions.includes(version)) continue;
    const instead = c.replacedBy?.[version] ?? `it runs with tempo.version ${c.versions.join(' or ')}`;
    problems.push({ path: `components.${name}`, message: `is not run by tempo.version ${version}: ${instead}` });
  }
  const tempo = (file.tempo ?? {}) as Record<string, unknown>;
  if (version === '3.0' && tempo.replicationFactor !== undefined)
    problems.push({
      path: 'tempo.replicationFactor',
      message: "is the 2.10 ingester ring's; 3.0 has none: Kafka keeps the spans and each of the two live-store zones consumes every partition (remove it)",
    });
  if (version === '3.0' && ((file.metricsGenerator as { processors?: string[] } | undefined)?.processors ?? []).includes('local-blocks'))
    problems.push({
      path: 'metricsGenerator.processors',
      message: 'local-blocks is not a processor of Tempo 3 (3.0.3 fails the overrides update): the live-stores and queriers serve TraceQL metrics; remove it',
    });
  if (version !== '3.0') {
    if (file.kafka !== undefined)
      problems.push({
        path: 'kafka',
        message: `is for Tempo 3's Kafka ingest; tempo.version ${version} writes to ingesters (set tempo.version: "3.0" or remove it)`,
      });
    return problems;
  }
  return [...problems, ...ingestProblems(env)];
}

/** Tempo 3: partitions P = live-stores per zone; block-builders take P / replicas each; the topic must hold P. */
function ingestProblems(env: Environment): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const p = livePartitions(env);
  const builders = env.components['block-builder'].replicas;
  if (p % builders !== 0) {
    const fits = Array.from({ length: p }, (_, i) => i + 1).filter((n) => p % n === 0);
    add(
      'components.block-builder.replicas',
      `${builders} block-builders cannot share ${p} partitions (one per live-store of a zone): each consumes partitions / replicas, so a partition would be left unbuilt; expected a divisor of ${p} (${fits.join(', ')})`,
    );
  }
  const generators = env.components['metrics-generator'].replicas;
  if (generators > p)
    add(
      'components.metrics-generator.replicas',
      `${generators} metrics-generators for ${p} partitions: Kafka gives each partition to one member of the group, so ${generators - p} would idle; expected at most ${p}`,
    );
  if (env.kafka.cluster === 'external') {
    if (!env.kafka.external.address)
      add('kafka.external.address', 'is required with kafka.cluster external; expected one broker host:port of the plaintext listener (MSK: port 9092)');
    if (env.kafka.external.partitions < p)
      add(
        'kafka.external.partitions',
        `${env.kafka.external.partitions} partitions for ${p} live-stores per zone: live-store -n owns partition n, so the distributors would write to partitions the topic lacks; expected at least ${p} (or fewer live-stores)`,
      );
  }
  if (env.kafka.retention.seconds < MIN_KAFKA_RETENTION_SECONDS)
    add(
      'kafka.retention',
      `${env.kafka.retention.text} could drop spans before a block-builder has built them (a 5m cycle, plus a restart and a live-store replay); expected at least 1h`,
    );
  return problems;
}
