// The dual run (migration.tempo3): a Tempo 2.10 environment runs a Tempo 3 stack beside itself, in its own
// namespace, on the same bucket, until the 2.10 stack is drained and removed (README "Migrating to Tempo 3").
// Here: the block's schema and how it becomes the 3.x stack's environment file; load.ts loads that file
// like any other, and checks.ts (dualRunProblems) refuses what cannot work.
import Type, { type TSchema } from 'typebox';
import { PATTERNS, object, oneOf, str } from './fields';

/** dual-run: the agents write to both stacks, Grafana reads 2.10 by default; cutover: writes go to 3.x only, Grafana reads 3.x by default. */
export const MIGRATION_STAGES = ['dual-run', 'cutover'] as const;
export type MigrationStage = (typeof MIGRATION_STAGES)[number];
export const DUAL_RUN_NAMESPACE = 'observability-tempo3';

/** What an environment knows of its dual run once loaded (components read it: the agent's exporters, the NetworkPolicies). */
export interface DualRun {
  stage: MigrationStage;
  /** The 3.x stack's namespace (migration.tempo3.namespace). */
  namespace: string;
}
/** What the 3.x stack knows of the 2.10 stack it runs beside: the namespace the agents write from, the stage. */
export interface Beside {
  stage: MigrationStage;
  namespace: string;
  /** The 2.10 stack's component that writes to both distributors: collector, or gateway with tail sampling. */
  sender: 'collector' | 'gateway';
}

/** An environment's stacks: itself, then its dual run's Tempo 3 stack (migration.tempo3) when it runs one. */
export const stacksOf = <S extends object>(env: S & { migration?: { stack: S } }): S[] => [env, ...(env.migration ? [env.migration.stack] : [])];

/** A copy of a definition with no default and nothing required: the block sets only what differs from the environment. */
function withoutDefaults(schema: TSchema): TSchema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node as Record<string, unknown>)
        .filter(([k]) => k !== 'default' && k !== 'required')
        .map(([k, v]) => [k, walk(v)]),
    );
  };
  return walk(schema) as TSchema;
}

/** migration.tempo3: `components` and `kafka` are the environment's definitions, without their defaults. */
export function migrationDefinition(components: TSchema, kafka: TSchema) {
  return Type.Optional(
    object(
      {
        tempo3: object(
          {
            stage: oneOf(
              [...MIGRATION_STAGES],
              'dual-run: the collector agents write to both stacks, Grafana reads 2.10 by default; cutover: writes go to Tempo 3 only, Grafana reads it by default, 2.10 stays readable while it drains',
            ),
            namespace: Type.Optional(str(`Namespace of the Tempo 3 stack (default ${DUAL_RUN_NAMESPACE}); its objects keep their names`, PATTERNS.dnsLabel)),
            kafka: Type.Optional(withoutDefaults(kafka)),
            components: Type.Optional(withoutDefaults(components)),
          },
          'The Tempo 3 stack: this environment at tempo.version 3.0, with these settings merged over it',
        ),
      },
      'Migrating this environment to Tempo 3 as a dual run (README "Migrating to Tempo 3"); remove the block and set tempo.version "3.0" to finish',
    ),
  );
}

type File = Record<string, unknown>;
export interface Tempo3Block {
  stage: MigrationStage;
  namespace?: string;
  kafka?: File;
  components?: File;
}

const isObject = (v: unknown): v is File => typeof v === 'object' && v !== null && !Array.isArray(v);
function merge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? structuredClone(base) : structuredClone(over);
  const out: File = structuredClone(base);
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/**
 * The 3.x stack's environment file: the 2.10 file without what only 2.10 reads (its components, the
 * replication factor, its tag), at tempo.version 3.0 in the block's namespace, the block merged over it.
 * No collector agent (one per node: the 2.10 stack's writes to both) and no tail-sampling gateway (the
 * 2.10 stack's writes to both).
 */
export function tempo3File(file: File, block: Tempo3Block, runsIn3: (component: string) => boolean): File {
  const { migration: _m, ...own } = structuredClone(file);
  const { replicationFactor: _rf, tag: _tag, ...tempo } = (own.tempo ?? {}) as File;
  const components = Object.fromEntries(Object.entries((own.components ?? {}) as File).filter(([name]) => runsIn3(name)));
  const sampling = (own.sampling ?? {}) as File;
  return {
    ...own,
    namespace: block.namespace ?? DUAL_RUN_NAMESPACE,
    tempo: { ...tempo, version: '3.0' },
    ...(block.kafka ? { kafka: block.kafka } : {}),
    components: merge(components, block.components ?? {}),
    features: { ...((own.features ?? {}) as File), collector: false },
    sampling: { ...sampling, tail: { ...((sampling.tail ?? {}) as File), enabled: false } },
  };
}
