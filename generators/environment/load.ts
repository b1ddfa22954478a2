// Reads overlays/<env>/environment.yaml: YAML syntax, schema, then cross-field checks. Every problem is
// reported at once, each naming the file, the field path and what is expected. The result has every
// default filled in and its units parsed (index.ts).
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Component } from '../components/component';
import { COMPONENTS, type ComponentName } from '../components/index';
import { versionProblems } from '../components/versions';
import { compiledValidators } from '../validation/compiled';
import { InputError, type Problem } from '../validation/messages';
import { type Tempo3Block, tempo3File } from './migration';
import { closest } from '../suggest';
import { crossFieldProblems } from './checks';
import { PATTERN_HINTS, PATTERNS } from './fields';
import { type Environment, decodeUnits, defaultsOf, fileSchema } from './index';
import { TEMPO_RELEASES } from './settings';
import { type ParsedYaml, parseYaml, readTextFile } from './yaml';

/** Identity used to render `base/`: every overlay replaces these values. */
export const BASE_IDENTITY = {
  name: 'base',
  cluster: {
    name: 'base',
    oidcIssuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/00000000000000000000000000000000',
    zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  },
  aws: { region: 'us-east-1', accountId: '000000000000' },
  s3: { bucket: 'tempo-traces-base' },
} as const;

/** The schema an environment file is checked against, as written for editors (with its defaults). */
export const ENVIRONMENT_FILE_SCHEMA = fileSchema();
const DEFAULTS = defaultsOf();

export { InputError };

let validateFile: ValidateFunction | undefined;
function schemaValidator() {
  // Compiled once and cached (validation/compiled.ts): compiling it cost about a third of every `generate`.
  validateFile ??= compiledValidators(
    'environment',
    [ENVIRONMENT_FILE_SCHEMA],
    { environment: String(ENVIRONMENT_FILE_SCHEMA.$id) },
    {
      allErrors: true,
      strict: true,
      allowUnionTypes: true,
      verbose: true,
    },
  ).environment;
  return validateFile;
}

/**
 * `file` is the path shown in messages; it is read relative to `root`. Schema problems and the cross-field
 * problems of the sections that did parse are reported together; `outputChecks` (checks of what the
 * environment renders) run with the cross-field checks.
 */
export function loadEnvironment(file: string, envName: string, text?: string, root = '.', outputChecks?: (env: Environment) => Problem[]): Environment {
  const problems: string[] = [];
  if (!new RegExp(PATTERNS.dnsLabel).test(envName)) {
    problems.push(`${file}: environment directory name "${envName}" must be a DNS label (lowercase letters, digits and "-", at most 63)`);
  }
  let parsed: ParsedYaml;
  try {
    parsed = parseYaml(file, text ?? readTextFile(join(root, file), file));
  } catch (e) {
    if (e instanceof InputError) throw new InputError([...problems, ...e.problems].map(visible));
    throw e;
  }
  const { data, position } = parsed;
  if (data === null || data === undefined)
    throw new InputError([...problems, `${file}: the file is empty; expected a mapping with at least cluster, aws and s3`]);
  if (!isPlainObject(data)) throw new InputError([...problems, `${file}: expected a mapping of settings at the top level, got ${describe(data)}`]);

  const validate = schemaValidator();
  const invalid = new Set<string>();
  let usable: Record<string, unknown> = data;
  if (!validate(data)) {
    usable = structuredClone(data);
    for (const e of validate.errors ?? []) {
      // A bad key under propertyNames is reported once, by its propertyNames error.
      if (e.propertyName === undefined) problems.push(formatSchemaError(file, data, position, e));
      invalid.add(drop(usable, e));
    }
  }
  const crossField = crossFieldOf(envName, usable, invalid, outputChecks).map((p) => `${file}${position(p.path)}: ${p.path}: ${p.message}`);
  problems.push(...new Set(crossField));
  if (problems.length) throw new InputError(problems.map(visible));
  return mergeEnvironment(envName, data);
}

/**
 * Cross-field problems of what parsed: invalid values were dropped (their defaults stand in), and a problem
 * in a section (a top-level key, or components.<name>) that has a schema error is left out, since it may
 * come from a default rather than the file. Missing required fields leave nothing to check.
 */
function crossFieldOf(envName: string, usable: Record<string, unknown>, invalid: Set<string>, outputChecks?: (env: Environment) => Problem[]): Problem[] {
  const section = (path: string) =>
    path
      .split('.')
      .slice(0, path.startsWith('components.') ? 2 : 1)
      .join('.');
  const broken = new Set([...invalid].map(section));
  if (broken.has('')) return []; // a required field is missing: the checks need it
  const run = () => {
    const env = mergeEnvironment(envName, usable);
    const own = [...environmentProblems(env), ...versionProblems(env, usable)];
    return [...own, ...dualRunStackProblems(env, usable, own), ...(outputChecks?.(env) ?? [])].filter((p) => !broken.has(section(p.path)));
  };
  if (!broken.size) return run();
  try {
    return run();
  } catch {
    return []; // what did not parse was needed after all: the schema problems say why
  }
}

/** Removes the value an error is about from `data`; returns the dotted path of what was removed. */
function drop(data: Record<string, unknown>, e: ErrorObject): string {
  const at = segments(e.instancePath);
  if (e.keyword === 'required') return '';
  if (e.keyword === 'additionalProperties') at.push(String(e.params.additionalProperty));
  if (e.keyword === 'propertyNames' && e.params.propertyName !== undefined) at.push(String(e.params.propertyName));
  let parent: unknown = data;
  for (const [i, key] of at.entries()) {
    // An invalid list item drops the whole list (indexes must not shift under other errors).
    if (Array.isArray(parent)) {
      const holder = valueAt(data, at.slice(0, i - 1)) as Record<string, unknown> | undefined;
      if (holder && typeof holder === 'object') delete holder[at[i - 1]!];
      return at.slice(0, i).join('.');
    }
    if (i === at.length - 1) {
      if (isPlainObject(parent)) delete parent[key];
      return at.join('.');
    }
    parent = (parent as Record<string, unknown> | undefined)?.[key];
  }
  return at.join('.');
}

/** `file:line:col` of a field (or its nearest parent) in an environment file, for rules across files. */
export function locate(file: string, path: string, root = '.'): string {
  let parsed: ParsedYaml;
  try {
    parsed = parseYaml(file, readTextFile(join(root, file), file));
  } catch {
    return file;
  }
  return `${file}${parsed.position(path)}`;
}

/** Invisible and look-alike characters (zero-width, bidi controls, no-break spaces ...) written as <U+200B>. */
export function visible(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/gu, (c) =>
    c === '\n' || c === '\t' ? c : `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`,
  );
}

/** Defaults deep-merged with a file (already validated), units parsed; arrays and scalars in the file replace the default. */
export function mergeEnvironment(name: string, file: Record<string, unknown>): Environment {
  const { migration, ...own } = file as { migration?: { tempo3?: Tempo3Block } };
  const env: Environment = { name, ...(decodeUnits(deepMerge(DEFAULTS, own)) as Omit<Environment, 'name'>) };
  // An empty tag is the release tempo.version pins (the schema cannot default one field from another).
  env.tempo.tag ||= TEMPO_RELEASES[env.tempo.version] ?? TEMPO_RELEASES['2.10'];
  const block = migration?.tempo3;
  if (block) {
    const stack = mergeEnvironment(name, tempo3File(own, block, runsIn3));
    stack.beside = { stage: block.stage, namespace: env.namespace, sender: env.sampling.tail.enabled ? 'gateway' : 'collector' };
    env.migration = { stage: block.stage, namespace: stack.namespace, stack };
    // At the cutover the 2.10 stack drains: nothing writes to it, not even its canary (its ingesters'
    // live traces must reach 0 before the removal); the 3.x stack's vulture is the one that counts.
    if (block.stage === 'cutover') env.features = { ...env.features, vulture: false };
  }
  return env;
}

const runsIn3 = (component: string) => COMPONENTS[component as ComponentName]?.versions?.includes('3.0') ?? true;

/**
 * The 3.x stack's own problems, at the block's field when the block wrote it (else at the inherited field,
 * named as the 3.x stack's); what the 2.10 stack already reports is not repeated.
 */
function dualRunStackProblems(env: Environment, file: Record<string, unknown>, own: Problem[]): Problem[] {
  const block = (file.migration as { tempo3?: Tempo3Block } | undefined)?.tempo3;
  if (!env.migration || !block) return [];
  const stack = env.migration.stack;
  const written = (path: string) => {
    const [head, name] = path.split('.');
    return (
      head === 'namespace' ||
      (head === 'kafka' && block.kafka !== undefined) ||
      (head === 'components' && name !== undefined && block.components?.[name] !== undefined)
    );
  };
  const seen = new Set(own.map((p) => `${p.path}\n${p.message}`));
  return [...environmentProblems(stack), ...versionProblems(stack, tempo3File(file, block, runsIn3))]
    .filter((p) => !seen.has(`${p.path}\n${p.message}`))
    .map((p) =>
      written(p.path)
        ? { path: `migration.tempo3.${p.path}`, message: p.message }
        : { path: p.path, message: `${p.message} (in the Tempo 3 stack of migration.tempo3)` },
    );
}

/** The checks of one loaded environment: cross-field, each component's. */
function environmentProblems(env: Environment): Problem[] {
  const componentProblems = Object.values(COMPONENTS).flatMap((c: Component) =>
    (c.checks?.(env.components[c.name as ComponentName]) ?? []).map((p) => ({ path: `components.${c.name}.${p.path}`, message: p.message })),
  );
  return [...crossFieldProblems(env), ...componentProblems];
}

export function baseEnvironment(): Environment {
  const { name, ...file } = BASE_IDENTITY;
  return mergeEnvironment(name, structuredClone(file) as Record<string, unknown>);
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return structuredClone(base);
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = structuredClone(base);
    for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
    return out;
  }
  return structuredClone(over);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number' && !Number.isFinite(value))
    return `number ${Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf'} (not a finite number)`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

function segments(path: string): string[] {
  return path === ''
    ? []
    : path
        .split('/')
        .slice(1)
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function formatSchemaError(file: string, data: Record<string, unknown>, position: (path: string) => string, e: ErrorObject): string {
  const parts = segments(e.instancePath);
  const path = parts.join('.');
  const at = (p: string) => `${file}${position(p)}: ${p || '(top level)'}`;
  const got = describe(valueAt(data, parts));
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const known = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
      const close = closest(key, known);
      const full = path ? `${path}.${key}` : key;
      const hidden = visible(key) === key ? '' : ' (it contains an invisible character)';
      return `${file}${position(full)}: ${full}: unknown key${hidden}${close ? ` (did you mean "${close}"?)` : ''}; expected one of: ${known.join(', ')}`;
    }
    case 'required':
      return `${at(path)}: missing required key "${e.params.missingProperty}"`;
    case 'type':
      return `${at(path)}: expected ${e.params.type}, got ${got}`;
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      if (allowed.length <= 8) return `${at(path)}: expected one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}, got ${got}`;
      const close = closest(String(valueAt(data, parts)), allowed);
      return `${at(path)}: expected a known value${close ? ` (did you mean "${close}"?)` : ''}, got ${got}; see overlays/environment.schema.json for the list`;
    }
    case 'pattern':
      return `${at(path)}: expected ${PATTERN_HINTS[String(e.params.pattern)] ?? `a value matching ${e.params.pattern}`}, got ${got}`;
    case 'propertyNames': {
      const pattern = String((e.parentSchema?.propertyNames as { pattern?: string } | undefined)?.pattern ?? PATTERNS.tenantId);
      return `${at(path)}: key ${JSON.stringify(e.params.propertyName)} is not valid: expected ${PATTERN_HINTS[pattern] ?? `a key matching ${pattern}`}`;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum': {
      // A description that names the bound gives its reason (replicas: "at most 100 ...").
      const description = String(e.parentSchema?.description ?? '');
      const why = e.keyword === 'maximum' && description.includes(`at most ${e.params.limit}`) ? description : undefined;
      return `${at(path)}: expected a number ${e.params.comparison} ${e.params.limit}${why ? ` (${why})` : ''}, got ${got}`;
    }
    default:
      return `${at(path)}: ${e.message ?? 'is invalid'}`;
  }
}

function valueAt(data: unknown, parts: string[]): unknown {
  return parts.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], data);
}
