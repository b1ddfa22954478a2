// A Tempo 3.0.3 config against its schema (schema.ts, with the 2.10 keys it removed named and their
// replacement given) and against the objects around it: the wiring every version shares
// (tempo/checks.ts), and Tempo 3's own: the backend-workers dial the scheduler's Service.
import type { ValidateFunction } from 'ajv';
import { Cluster } from '../kubernetes/cluster';
import type { KubeObject } from '../kubernetes/objects';
import { NAMESPACE, objectName } from '../stack';
import { type TempoConfig, type TempoProblem, isTempo3Config, tempoProblems, wiringProblems } from '../tempo/checks';
import { tenantBlockProblems } from '../tempo/overrides';
import { TEMPO_PORTS } from '../tempo/facts';
import { compiledValidators } from '../validation/compiled';
import { jsonPath, schemaProblems } from '../validation/messages';
import { REMOVED_IN_3, tempo3ConfigSchema, tempo3OverridesSchema } from './schema';

let validators: { config: ValidateFunction; overrides: ValidateFunction } | undefined;
function compiled() {
  validators ??= compiledValidators(
    'tempo3',
    [tempo3ConfigSchema, tempo3OverridesSchema],
    { config: 'tempo3-config', overrides: 'tempo3-runtime-overrides' },
    { allErrors: true, verbose: true, strict: true, inlineRefs: false },
  );
  return validators;
}

/** What replaced a 2.10 key Tempo 3 refuses (the longest listed prefix of its path). */
export function removedIn3(path: string[], key: string): string | undefined {
  const full = [...path.filter((p) => !/^\d+$/.test(p)), key];
  for (let n = full.length; n > 0; n--) {
    const replacement = REMOVED_IN_3[full.slice(0, n).join('.')];
    if (replacement) return `removed in Tempo 3.0 (3.0.3 refuses to start on it); replaced by: ${replacement}`;
  }
  return undefined;
}

export function tempo3Problems(config: unknown, overrides: unknown, objects: KubeObject[]): TempoProblem[] {
  const { config: validateConfig, overrides: validateOverrides } = compiled();
  const problems: TempoProblem[] = [];
  if (!validateConfig(config))
    problems.push(...schemaProblems(validateConfig.errors ?? [], config, removedIn3).map((p) => ({ file: 'tempo.yaml' as const, ...p })));
  const localBlocks = localBlocksProblems(overrides);
  if (localBlocks.length) problems.push(...localBlocks);
  else if (!validateOverrides(overrides))
    problems.push(...schemaProblems(validateOverrides.errors ?? [], overrides).map((p) => ({ file: 'overrides.yaml' as const, ...p })));
  if (typeof config !== 'object' || config === null) return problems;
  const cluster = new Cluster(objects);
  problems.push(...wiringProblems(config, cluster, overrides as TempoConfig), ...tenantBlockProblems(config, overrides));
  // The workers pull jobs from the one scheduler, over gRPC, through its Service.
  // Rendered objects have no namespace yet (kustomize sets it: the Namespace object's); built ones do.
  const namespace = cluster.objects.find((o) => o.kind === 'Service')?.metadata.namespace ?? '';
  const dnsNamespace = namespace || (cluster.objects.find((o) => o.kind === 'Namespace')?.metadata.name ?? NAMESPACE);
  const scheduler = objectName('backend-scheduler');
  const expected = `${scheduler}.${dnsNamespace}.svc.cluster.local:${TEMPO_PORTS.grpc}`;
  const address = (config as { backend_worker?: { backend_scheduler_addr?: unknown } }).backend_worker?.backend_scheduler_addr;
  const path = ['backend_worker', 'backend_scheduler_addr'];
  if (address !== expected)
    problems.push({
      file: 'tempo.yaml',
      path: jsonPath(path),
      message: `is ${JSON.stringify(address ?? null)}; expected the backend-scheduler Service "${expected}"`,
    });
  else {
    const why = cluster.unreachable(scheduler, namespace, TEMPO_PORTS.grpc, TEMPO_PORTS.grpc);
    if (why) problems.push({ file: 'tempo.yaml', path: jsonPath(path), message: why });
  }
  return problems;
}

/** A tenant that lists local-blocks itself (inherited ones are dropped in config.ts): named by its field. */
function localBlocksProblems(overrides: unknown): TempoProblem[] {
  const blocks = (overrides as { overrides?: Record<string, { metrics_generator?: { processors?: unknown } }> } | null)?.overrides ?? {};
  return Object.entries(blocks)
    .filter(([, b]) => Array.isArray(b?.metrics_generator?.processors) && b.metrics_generator.processors.includes('local-blocks'))
    .map(([tenant]) => ({
      file: 'overrides.yaml' as const,
      path: jsonPath(['overrides', tenant, 'metrics_generator', 'processors']),
      field: `limits.tenants.${tenant}.processors`,
      message: 'local-blocks is not a processor of Tempo 3 (3.0.3 fails the overrides update): the live-stores and queriers serve TraceQL metrics; remove it',
    }));
}

/** The checks of the config's own version: what `generate` and `validate` run on every Tempo config. */
export const configProblems = (config: unknown, overrides: unknown, objects: KubeObject[]): TempoProblem[] =>
  (isTempo3Config(config) ? tempo3Problems : tempoProblems)(config, overrides, objects);
