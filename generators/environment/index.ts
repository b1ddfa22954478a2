// The one definition of an environment: the environment's own settings (settings.ts) plus each
// component's (generators/components/). From it come the TypeScript type the generators read, the JSON
// Schema the loader validates with and editors complete from (overlays/environment.schema.json), and the
// defaults: a field's default is written next to it, nowhere else.
import Type, { type Static, type TSchema } from 'typebox';
import type { Component } from '../components/component';
import { COMPONENTS, type ComponentName } from '../components/index';
import { object } from './fields';
import { type DualRun, migrationDefinition } from './migration';
import { type EnvironmentSettings, settings } from './settings';
import { Duration, Quantity, UNIT_PATTERNS } from './units';

/** The definition with `components` under components.<name>: each component's settings join the file. */
export function environmentDefinition<C extends Record<string, Component>>(components: C) {
  const { cluster, argocd, aws, s3, retention, tempo, ...rest } = settings;
  const perComponent = object(
    Object.fromEntries(Object.entries(components).map(([name, c]) => [name, c.settings])) as { [K in keyof C]: C[K]['settings'] },
    'Per component settings',
  );
  return Type.Object(
    { cluster, argocd, aws, s3, retention, tempo, components: perComponent, ...rest, migration: migrationDefinition(perComponent, rest.kafka) },
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'https://tempo-gitops.local/environment.schema.json',
      title: 'tempo-gitops environment',
      description: 'One environment of the Tempo stack. Only what differs from the defaults needs to be set.',
      additionalProperties: false,
    },
  );
}

/** The loaded environment: every field present (defaults filled in), units parsed. */
export const environmentSchema = environmentDefinition(COMPONENTS);

export type Environment = EnvironmentSettings & {
  components: { [K in ComponentName]: Static<(typeof COMPONENTS)[K]['settings']> };
  /** The dual run: its stage and namespace, and the 3.x stack's whole environment. */
  migration?: DualRun & { stack: Environment };
};
export type { EnvironmentSettings };

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; required?: string[]; additionalProperties?: unknown; items?: unknown };
const isObjectSchema = (s: Schema) => s.type === 'object' && s.properties !== undefined;

/** Whether a file must spell the field out: it has no default, and (an object) some field in it has none. */
function needed(s: Schema): boolean {
  if (s.default !== undefined) return false;
  if (!isObjectSchema(s)) return true;
  return Object.entries(s.properties!).some(([k, p]) => s.required?.includes(k) && needed(p));
}

/**
 * The schema of an environment file (and of the editor's completion): the definition with only what has
 * no default required. Strict everywhere: an unknown key is an error.
 */
export function fileSchema(s: Schema = environmentSchema as unknown as Schema): Schema {
  // Keys in reading order: what the object is, then its fields.
  const ORDER = ['$schema', '$id', 'title', 'type', 'description', 'additionalProperties', 'required', 'properties'];
  const walk = (node: Schema): Schema => {
    const out: Schema = Object.fromEntries(Object.entries(node).sort(([a], [b]) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99)));
    if (node.properties) {
      out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, p]) => [k, walk(p)]));
      const required = Object.keys(node.properties).filter((k) => node.required?.includes(k) && needed(node.properties![k]!));
      if (required.length) out.required = required;
      else delete out.required;
    }
    if (node.items && typeof node.items === 'object') out.items = walk(node.items as Schema);
    if (node.additionalProperties && typeof node.additionalProperties === 'object') out.additionalProperties = walk(node.additionalProperties as Schema);
    return out;
  };
  return JSON.parse(JSON.stringify(walk(s))) as Schema;
}

/** Every default of the definition, as the nested object an environment file overrides. */
export function defaultsOf(s: Schema = environmentSchema as unknown as Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    if (p.default !== undefined) out[k] = structuredClone(p.default);
    else if (isObjectSchema(p)) {
      const nested = defaultsOf(p);
      if (Object.keys(nested).length) out[k] = nested;
    }
  }
  return out;
}

const DECODERS: Record<string, (text: string) => unknown> = {
  [UNIT_PATTERNS.goDuration]: Duration.parse,
  [UNIT_PATTERNS.cpu]: Quantity.parse,
  [UNIT_PATTERNS.bytes]: Quantity.parse,
};

/** Replaces every unit field (a string the schema has validated) by its parsed value, in place. */
export function decodeUnits(value: unknown, s: TSchema | Schema = environmentSchema): unknown {
  const node = s as Schema;
  const decode = typeof node.pattern === 'string' ? DECODERS[node.pattern] : undefined;
  if (decode && typeof value === 'string') return decode(value);
  if (Array.isArray(value) && node.items) return value.map((v) => decodeUnits(v, node.items as Schema));
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const [k, v] of Object.entries(record)) {
      const sub = node.properties?.[k] ?? (typeof node.additionalProperties === 'object' ? (node.additionalProperties as Schema) : undefined);
      if (sub) record[k] = decodeUnits(v, sub);
    }
  }
  return value;
}
